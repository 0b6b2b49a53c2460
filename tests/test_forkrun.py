"""tests/forkrun.py: a command forked from the preloaded server starts as it would in a
new interpreter (``python -m``), ends with the same exit code, and is killed at its
timeout; an environment that changes how an interpreter starts is executed instead."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from tests import forkrun
from tests.conftest import ROOT, golive_env


def both(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[forkrun.Done, forkrun.Done]:
    common = {"env": env, "cwd": cwd, "timeout": 60, "module": "tests.forkprobe"}
    return forkrun.run(args, fork=True, **common), forkrun.run(args, fork=False, **common)


@pytest.mark.parametrize(
    "where",
    [
        "the project",
        "elsewhere, with PYTHONPATH and TMPDIR",
        "with SIGINT and SIGHUP ignored, as in a suite run in the background",
    ],
)
def test_a_forked_command_starts_as_an_executed_one(tmp_path: Path, where: str) -> None:
    env = golive_env()
    cwd = ROOT
    ignored = (signal.SIGINT, signal.SIGHUP) if "ignored" in where else ()
    if where.startswith("elsewhere"):
        cwd = tmp_path / "work"
        (cwd / "lib").mkdir(parents=True)
        (tmp_path / "tmp").mkdir()
        env = golive_env(PYTHONPATH=f"lib:{ROOT}", TMPDIR=str(tmp_path / "tmp"))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    saved = {s: signal.signal(s, signal.SIG_IGN) for s in ignored}
    try:
        forked, executed = both(["0"], cwd, env)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert (forked.returncode, executed.returncode) == (0, 0), forked.stderr + executed.stderr
    seen, expected = json.loads(forked.stdout), json.loads(executed.stdout)
    assert seen == expected
    assert forked.stderr == executed.stderr == "to stderr: é\n"


@pytest.mark.parametrize(
    ("args", "code", "last_line"),
    [
        (["3"], 3, "to stderr: é"),
        (["0", "raise"], 1, "RuntimeError: probe failed"),
        (["0", "interrupt"], -2, "KeyboardInterrupt"),
    ],
    ids=["exit 3", "an uncaught error", "an uncaught KeyboardInterrupt"],
)
def test_a_forked_command_ends_as_an_executed_one(
    args: list[str], code: int, last_line: str
) -> None:
    forked, executed = both(args, ROOT, golive_env())
    assert forked.returncode == executed.returncode == code, forked.stderr
    assert forked.stderr.splitlines()[-1] == executed.stderr.splitlines()[-1] == last_line


def test_a_forked_command_past_its_timeout_is_killed() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        forkrun.run(
            ["0", "sleep"], env=golive_env(), cwd=ROOT, timeout=1, module="tests.forkprobe",
            fork=True,
        )  # fmt: skip


def test_an_environment_that_changes_the_interpreters_start_is_executed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(forkrun.EXEC_VAR, raising=False)
    env = golive_env()
    assert forkrun.forkable(env)
    assert forkrun.forkable({**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": "x"})
    assert not forkrun.forkable({**env, "LD_PRELOAD": "/usr/lib/faketime/libfaketime.so.1"})
    assert not forkrun.forkable({**env, "PYTHONWARNINGS": "error"})
    assert not forkrun.forkable({**env, "PYTHONHASHSEED": "0"})
    assert not forkrun.forkable({**env, "LC_ALL": "C"})
    monkeypatch.setenv(forkrun.EXEC_VAR, "1")  # the suite's switch: every command executed
    assert not forkrun.forkable(env)
