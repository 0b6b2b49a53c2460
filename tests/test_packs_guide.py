"""docs/packs.md, "Write a checklist pack for your system", executed as written.

The guide's console blocks are run (``$ golive ...`` and ``$ cd``; ``export`` lines name
variables this test sets to its own service) and every other line of a block must appear in
what the commands print; its ``file=`` blocks are written into the project. The system is a
small HTTP service started here, written with the standard library only (not golive's
sandbox). A block marked ``break=ORDER:STATUS`` runs after the service was made to answer
that order with that status. Then the team's pack is installed beside golive's own (an
entry point on the path) and golive's sandbox run stays GO without it."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, golive_env, golive_process
from tests.forkrun import Done

GUIDE = ROOT / "docs" / "packs.md"
FENCE = re.compile(r"^```(\S*)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TOKEN = "orders-token-0001"


class Orders:
    """The team's own service: health, orders, config; a bearer token."""

    def __init__(self) -> None:
        self.status = {"O-1": "confirmed", "O-2": "confirmed"}
        orders = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self.answer(401, {"error": "unauthorized"})
                if self.path == "/health":
                    return self.answer(200, {"status": "ok", "version": "1.4.2"})
                if self.path == "/config":
                    return self.answer(200, {"currency": "EUR"})
                found = re.fullmatch(r"/orders/([^/]+)", self.path)
                if found and found[1] in orders.status:
                    order = {"id": found[1], "status": orders.status[found[1]], "currency": "EUR"}
                    return self.answer(200, order)
                return self.answer(404, {"error": "not found"})

            def answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def orders() -> Iterator[Orders]:
    service = Orders()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def golive(args: list[str], cwd: Path, **env: str) -> Done:
    return golive_process(args, cwd=cwd, env=golive_env(**env), timeout=180)


def test_the_guide_builds_a_pack_that_runs_go_and_fails_on_a_broken_service(
    tmp_path: Path, orders: Orders
) -> None:
    cwd = tmp_path  # outside golive's checkout
    env = {"ORD_URL": orders.url, "ORD_TOKEN": TOKEN}
    blocks = FENCE.findall(GUIDE.read_text("utf-8"))
    ran = written = 0
    for lang, info, body in blocks:
        options = dict(o.split("=", 1) for o in info.split() if "=" in o)
        if "file" in options:
            target = cwd / options["file"]
            assert target.parent.is_dir(), (
                f"{options['file']}: the guide writes outside the project"
            )
            target.write_text(body, "utf-8")
            written += 1
            continue
        if lang != "console":
            continue
        if "break" in options:
            order, status = options["break"].split(":")
            orders.status[order] = status
        output, expected = "", []
        for line in body.splitlines():
            if not line.startswith("$ "):
                expected.append(line.strip())
                continue
            words = shlex.split(line[2:])
            if words[0] == "cd":
                cwd = cwd / words[1]
            elif words[0] == "export":
                assert {w.split("=")[0] for w in words[1:]} == set(env), line
            else:
                assert words[0] == "golive", f"the guide runs only golive: {line}"
                done = golive(words[1:], cwd, **env)
                output += done.stdout + done.stderr
                ran += 1
        shown = {x.strip() for x in output.splitlines()}
        missing = [x for x in expected if x and x not in shown]
        assert not missing, f"the guide says {missing}, golive printed:\n{output}"
    assert (ran, written) == (4, 7)
    assert orders.status["O-2"] == "cancelled"  # the broken run ran broken

    # The generated project's code is as clean as golive's own.
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", "--isolated", "--line-length",
         "100", "--select", "E,F,W,I,B,UP,SIM", "packs", "steps", "fixtures", "features"],
        cwd=cwd, capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr

    # Installed beside golive's own packs (an entry point on the path, as pip would leave
    # it), the team's pack is found, not run, and golive's own run stays GO.
    site = tmp_path / "site"
    dist = site / "orders_suite-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: orders-suite\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[golive.packs]\norders = packs.orders:PACK\n")
    path = os.pathsep.join([str(site), str(cwd)])
    listed = golive(["check"], ROOT, PYTHONPATH=path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "golive: pack orders (orders-suite): not selected" in listed.stdout
    own = golive(
        ["run", "--no-html", "--tags", "MTP-01", "--output", str(tmp_path / "r")],
        ROOT, PYTHONPATH=path,
    )  # fmt: skip
    assert own.returncode == 0, own.stdout + own.stderr
    assert "golive: GO (3 passed; exit 0)" in own.stdout
