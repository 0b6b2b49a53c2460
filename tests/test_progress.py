"""The live progress line on a terminal, and its absence without one (CI)."""

from __future__ import annotations

import os
import pty
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT, Run, golive_env


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


def test_a_terminal_shows_progress_and_each_failure(tmp_path: Path) -> None:
    env = golive_env()
    env.pop("CI", None)
    out = run_on_a_terminal(
        [
            "run",
            "--no-html",
            "--output",
            str(tmp_path),
            "--tags",
            "MTP-06",
            "--sandbox-fault",
            "buyers-empty",
        ],
        env,
    )
    assert "[0/3] 0 failed" in out
    assert "FAIL MTP-06 [TP-1003] no buyers set up (the buyer list is empty)" in out
    assert "test_at_least_one_buyer_is_set_up" not in out and "CheckFailed" not in out
    assert "[3/3] 1 failed" in out
    assert "golive: NO-GO" in out


def test_under_xdist_the_terminal_names_items_not_node_ids(tmp_path: Path) -> None:
    env = golive_env(COLUMNS="70")
    env.pop("CI", None)
    out = run_on_a_terminal(
        ["run", "--no-html", "--output", str(tmp_path), "-n", "2", "--tags", "MTP-06",
         "--sandbox-fault", "buyers-empty"],
        env,
    )  # fmt: skip
    assert "FAIL MTP-06 [TP-1003] no buyers set up" in out
    assert "features/test_checklists.py::" not in out
    assert "[3/3] 1 failed" in out and "golive: NO-GO" in out


def test_without_a_terminal_the_log_ends_with_one_line_per_failure(
    golive_cli: Callable[..., Run],
) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-06", "--sandbox-fault", "buyers-empty")
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


def test_without_a_terminal_there_is_no_progress_line(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-06")
    assert run.code == 0
    assert "[3/3]" not in run.stdout + run.stderr and "\x1b[2K" not in run.stderr
