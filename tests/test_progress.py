"""The live progress line on a terminal, and its absence without one (CI).

Every run reads one sandbox, started here once with ``buyers-empty`` (MTP-06 fails for
TP-1003; MTP-06 only reads), through the sandbox scenario pointed at it: the module is in
``ONE_WORKER`` (tests/conftest.py)."""

from __future__ import annotations

import os
import pty
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive import launcher
from tests.conftest import ROOT, Run, external_scenario, golive_env, golive_process


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sandbox scenario pointed at a sandbox with ``buyers-empty``."""
    os.environ.setdefault(launcher.TOKEN_VAR, "test-token-0123")
    running = launcher.start(["buyers-empty"])
    try:
        yield external_scenario(tmp_path_factory.mktemp("progress"), running.url, "test", [])
    finally:
        running.stop()


def env_for_the_sandbox(**extra: str) -> dict[str, str]:
    return golive_env(GOLIVE_SANDBOX_TOKEN=os.environ[launcher.TOKEN_VAR], **extra)


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # the child: golive with a terminal as stdout and stderr
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "golive", *args], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_shows_progress_and_each_failure(tmp_path: Path, scenario: Path) -> None:
    env = env_for_the_sandbox()
    env.pop("CI", None)
    out = run_on_a_terminal(
        ["run", "--no-html", "--output", str(tmp_path), "--tags", "MTP-06",
         "--scenario", str(scenario)],
        env,
    )  # fmt: skip
    assert "[0/3] 0 failed" in out
    assert "FAIL MTP-06 [TP-1003] no buyers set up (the buyer list is empty)" in out
    assert "test_at_least_one_buyer_is_set_up" not in out and "CheckFailed" not in out
    assert "[3/3] 1 failed" in out
    assert "golive: NO-GO" in out


def test_under_xdist_the_terminal_names_items_not_node_ids(tmp_path: Path, scenario: Path) -> None:
    env = env_for_the_sandbox(COLUMNS="70")
    env.pop("CI", None)
    out = run_on_a_terminal(
        ["run", "--no-html", "--output", str(tmp_path), "-n", "2", "--tags", "MTP-06",
         "--scenario", str(scenario)],
        env,
    )  # fmt: skip
    assert "FAIL MTP-06 [TP-1003] no buyers set up" in out
    assert "features/test_checklists.py::" not in out
    assert "[3/3] 1 failed" in out and "golive: NO-GO" in out


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory, scenario: Path) -> Run:
    """One run without a terminal (stdin, stdout and stderr not a tty), as in CI."""
    out = tmp_path_factory.mktemp("logged")
    done = golive_process(
        ["run", "--no-html", "--output", str(out), "--tags", "MTP-06", "--scenario",
         str(scenario)],
        env=env_for_the_sandbox(),
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, out)


def test_without_a_terminal_the_log_ends_with_one_line_per_failure(logged: Run) -> None:
    run = logged
    assert run.code == 1
    lines = run.stdout.splitlines()
    at = lines.index(next(line for line in lines if "golive: 1 item did not pass" in line))
    assert lines[at + 1] == (
        "FAIL MTP-06 [TP-1003] no buyers set up (the buyer list is empty);"
        " expected at least one buyer"
    )
    assert "MTP-06 [TP-1003] At least one buyer is set up" in run.stdout  # the failure's heading
    assert "golive/checks.py" not in run.stdout  # golive's own frames are hidden
    assert "features/test_checklists.py::" not in run.stdout  # nor node IDs


def test_without_a_terminal_there_is_no_progress_line(logged: Run) -> None:
    """Not even for a run with a failure to show as it happens."""
    assert logged.code == 1, logged.stdout + logged.stderr
    assert "[3/3]" not in logged.stdout + logged.stderr and "\x1b[2K" not in logged.stderr
