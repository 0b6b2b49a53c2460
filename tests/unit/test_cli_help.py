"""The command line a person meets first (golive/cli.py): help for every option with its
default, exit codes and examples, a mistyped fault refused before anything is made, and
run files others can read."""

from __future__ import annotations

import argparse
import os
import re
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from golive import cli, launcher
from golive.files import make_readable, write_atomic
from tests.conftest import ROOT

COMMANDS = ("run", "signoff", "verify", "merge")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    top = cli.parser()
    action = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_says_its_default(command: str) -> None:
    sub = subparsers()[command]
    text = sub.format_help()
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"golive {command} {action.option_strings or action.dest}: no help"
        if action.option_strings:
            shown = sub._get_formatter()._expand_help(action)  # as --help prints it
            assert "default" in shown or "required" in shown, (command, action.option_strings)
    assert "usage: golive " in text


def test_top_help_lists_exit_codes_and_examples() -> None:
    text = cli.parser().format_help()
    for line in ("exit codes:", "  0  GO", "  1  NO-GO", "  2  the run could not be judged"):
        assert line in text
    assert "examples:" in text and "golive run --sandbox-fault buyers-empty" in text


def test_run_help_explains_pytest_args_and_the_scenario_default() -> None:
    text = subparsers()["run"].format_help()
    assert "-- PYTEST_ARGS" in text and "--headed" in text and "refused" in text
    assert "default: scenarios/sandbox.yaml" in " ".join(text.split())
    assert "exit codes:" in text


@pytest.fixture
def in_process_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[launcher.StartingSandbox]]:
    """For ``golive run`` in this process: the sandboxes it starts, listed; no fault list
    asked of a process of its own; this worker's signal handlers and environment put back
    after (a run installs its handlers and gives the sandbox a token)."""

    def no_list() -> list[str]:
        raise AssertionError("asked a process of its own for the fault list")

    spawned: list[launcher.StartingSandbox] = []
    spawn = launcher.spawn

    def spawning(*args: Any, **kwargs: Any) -> launcher.StartingSandbox:
        spawned.append(spawn(*args, **kwargs))
        return spawned[-1]

    monkeypatch.setattr(launcher, "fault_names", no_list)
    monkeypatch.setattr(launcher, "spawn", spawning)
    monkeypatch.chdir(ROOT)
    signals = {s: signal.getsignal(s) for s in cli.Signals.HANDLED}
    environ = dict(os.environ)
    yield spawned
    for signum, handler in signals.items():
        signal.signal(signum, handler)
    os.environ.clear()
    os.environ.update(environ)


def test_a_mistyped_fault_is_refused_with_a_suggestion_and_nothing_is_made(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    in_process_run: list[launcher.StartingSandbox],
) -> None:
    """The sandbox the run starts answers for its faults before it loads anything, and
    before the run folder is made: no process of its own is asked for the list."""
    out = tmp_path / "reports"
    code = cli.main(["run", "--output", str(out), "--sandbox-fault", "buyers-emty"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("golive: --sandbox-fault buyers-emty: the sandbox has no such fault;")
    assert "did you mean buyers-empty?" in err and "harness error" not in err
    assert "golive sandbox --list-faults' lists all" in err
    assert not out.exists()  # no run folder, no "latest"
    [sandbox] = in_process_run
    assert sandbox.process.returncode == 3  # it ended on its answer, and was waited for


def test_a_fault_the_scenario_names_is_refused_in_the_scenarios_words(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    in_process_run: list[launcher.StartingSandbox],
) -> None:
    scenario = tmp_path / "sandbox.yaml"
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    scenario.write_text(text.replace("faults: []", "faults: [buyers-empty, buyer-empty]", 1))
    out = tmp_path / "reports"
    code = cli.main(["run", "--scenario", str(scenario), "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"golive: {scenario}: sandbox.faults: buyer-empty: the sandbox has no")
    assert "did you mean buyers-empty or" in err
    assert not out.exists()
    assert [s.process.returncode for s in in_process_run] == [3]


def test_a_known_fault_passes_the_check() -> None:
    known = ["buyers-empty", "move-not-persisted"]
    assert cli.unknown_faults(["buyers-empty"], known) is None
    assert cli.unknown_faults([], known) is None
    refusal = cli.unknown_faults(["buyers-empty", "move-not-persistd"], known)
    assert refusal == (
        "--sandbox-fault move-not-persistd: the sandbox has no such fault; did you mean"
        " move-not-persisted? ('golive sandbox --list-faults' lists all 2)"
    )


def test_run_files_are_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o077)  # even under a strict umask: a report is for others to read
    try:
        write_atomic(tmp_path / "signoff.html", "<!doctype html>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "signoff.html").stat().st_mode) == 0o644
    write_atomic(tmp_path / "secret", "x", mode=0o600)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_sandbox_help_is_for_a_user_not_a_developer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["sandbox", "--help"])
    text = capsys.readouterr().out
    assert done.value.code == 0
    assert text.startswith("usage: golive sandbox")
    assert "``" not in text and "PR_SET_PDEATHSIG" not in text  # no developer docstring
    assert "examples:" in text and "golive sandbox --list-faults" in text
    section = text.split("options:\n", 1)[1].split("\n\n", 1)[0]
    helps = re.split(r"\n(?=  -)", section)  # one entry an option, wrapped lines joined
    assert len(helps) == 9
    for entry in helps[1:]:  # every option but --help says its default
        assert "default" in entry, entry
    assert "(default: 20261122)" in text and "(default: 127.0.0.1)" in text


def test_a_folder_another_program_wrote_is_made_readable(tmp_path: Path) -> None:
    old = os.umask(0o077)  # as Allure's node may write its report under a strict umask
    try:
        (tmp_path / "report" / "data").mkdir(parents=True)
        (tmp_path / "report" / "data" / "index.html").write_text("<!doctype html>")
    finally:
        os.umask(old)
    make_readable(tmp_path / "report")
    modes = {
        p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [tmp_path / "report", *(tmp_path / "report").rglob("*")]
    }
    assert modes == {"report": 0o755, "report/data": 0o755, "report/data/index.html": 0o644}
