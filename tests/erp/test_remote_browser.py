"""``browser.ws_endpoint``: the browser checks run in a remote Playwright server.

Starts ``playwright run-server`` (the driver the ``playwright`` package ships) on
loopback. Such a server launches the browsers Playwright downloaded; where there are none,
only the system Chromium, the client has to name it, and the server honours a client's
``executablePath`` only with ``--unsafe``. The browser is a wrapper that notes each launch
into a file, and the local launcher is pointed at a path that does not exist, so a pass
proves the pages were driven by the server's browser.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .helpers import ROOT, UI_ITEMS, run_checklist


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[str]:
    port = free_port()
    playwright = Path(sys.executable).parent / "playwright"
    cmd = [str(playwright), "run-server", "--port", str(port), "--host", "127.0.0.1", "--unsafe"]
    # its own process group: the `playwright` script runs the driver (node) as a child,
    # which outlived a SIGTERM to the script alone
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Listening on ws://127.0.0.1:PORT/"
        assert "Listening on" in line, line
        yield line.split("Listening on", 1)[1].strip()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # the driver, should it linger
            os.killpg(process.pid, signal.SIGKILL)
        if process.stdout is not None:
            process.stdout.close()


def test_ui_checks_run_through_a_remote_playwright_server(server: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no system Chromium for the server to launch")
    launches = tmp_path / "launches.txt"
    wrapper = tmp_path / "chromium-on-server"
    wrapper.write_text(f'#!/bin/sh\necho launched >> "{launches}"\nexec "{chromium}" "$@"\n')
    wrapper.chmod(0o755)
    scenario = yaml.safe_load((ROOT / "scenarios/sandbox.yaml").read_text())
    scenario["browser"] = {"ws_endpoint": server, "executable_path": str(wrapper)}
    path = tmp_path / "remote.yaml"
    path.write_text(yaml.safe_dump(scenario))

    run = run_checklist(
        "--scenario",
        str(path),
        "-k",
        UI_ITEMS,
        env={"GOLIVE_CHROMIUM": str(tmp_path / "no-local-browser")},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout, run.stdout
    assert launches.read_text().count("launched") == 1  # one browser for the whole session
