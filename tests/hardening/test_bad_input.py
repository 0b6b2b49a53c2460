"""Group 4: bad input gets exit 2 and a message with the file, the line or key path and
what was expected; never a traceback, and nothing is started.

Already covered elsewhere (not repeated): scenario files (tests/test_scenario_errors.py:
unknown key, missing env var, wrong type, wrong tier, inline credential, missing key,
malformed YAML, missing file), a waiver with a bad ID and date
(tests/test_signoff.py test_a_malformed_waiver_file_exits_2), an unknown --tags marker
(tests/test_runs.py test_an_unknown_tag_cannot_be_judged), feature files (here:
test_unjudgeable.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

WAIVER = "waivers:\n  - id: MTP-06\n    reason: vendor fix next week\n"
WAIVERS = {
    # name: (file text, line, expected message after "FILE:LINE: ")
    "unknown key": (
        WAIVER + "    approved_by: Jane Roe\n    expires: 2030-01-01\n    ticket: OPS-1\n",
        6,
        "waivers.0.ticket: unknown key",
    ),
    "date in another format": (
        WAIVER + "    approved_by: Jane Roe\n    expires: 31/12/2030\n",
        5,
        "waivers.0.expires: input should be a valid date or datetime, invalid character in"
        " year, got '31/12/2030'",
    ),
    "wrong type": (
        WAIVER + "    approved_by: [Jane Roe, John Roe]\n    expires: 2030-01-01\n",
        4,
        "waivers.0.approved_by: input should be a valid string",
    ),
    "a mapping where a list belongs": (
        "waivers:\n  id: MTP-06\n  reason: x\n",
        1,
        "waivers: input should be a valid list",
    ),
}


@pytest.mark.parametrize("case", WAIVERS, ids=list(WAIVERS))
def test_a_bad_waiver_file_exits_2_with_file_line_and_key(
    golive_cli: Callable[..., Run], tmp_path: Path, case: str
) -> None:
    text, line, expected = WAIVERS[case]
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    run = golive_cli("run", "--no-html", "--waivers", str(path))
    assert run.code == 2, run.stdout + run.stderr
    assert run.stderr.startswith(f"golive: {path}:{line}: {expected}"), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert not (tmp_path / "reports").exists()  # refused before the run began


CLI = {
    # name: (arguments, expected in stderr)
    "unknown option": (["run", "--colour"], "unrecognized arguments: --colour"),
    "missing RUN_DIR (gate)": (["gate"], "the following arguments are required: RUN_DIR"),
    "missing RUN_DIR (verify)": (["verify"], "the following arguments are required: RUN_DIR"),
    "missing --by (signoff)": (
        ["signoff", "approve", "reports/latest", "--role", "QA"],
        "the following arguments are required: --by",
    ),
    "-n not a number": (
        ["run", "-n", "many"],
        "argument -n/--workers: expected a positive whole number or 'auto', got 'many'",
    ),
    "-n zero": (
        ["run", "-n", "0"],
        "argument -n/--workers: expected a positive whole number or 'auto', got '0'",
    ),
    "unknown command": (["launch"], "argument command: invalid choice: 'launch'"),
}


@pytest.mark.parametrize("case", CLI, ids=list(CLI))
def test_bad_arguments_exit_2_with_usage_and_what_was_expected(
    golive_cli: Callable[..., Run], tmp_path: Path, case: str
) -> None:
    args, expected = CLI[case]
    run = golive_cli(*args)
    assert run.code == 2, run.stdout + run.stderr
    assert expected in run.stderr, run.stderr
    assert run.stderr.startswith("usage: golive")
    assert "Traceback" not in run.stdout + run.stderr
    assert not (tmp_path / "reports").exists()


def test_a_malformed_tag_expression_cannot_be_judged(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-05 or (")
    assert run.code == 2, run.stdout + run.stderr
    assert "Wrong expression passed to '-m': MTP-05 or (: at column 12: expected" in run.stderr
    assert run.signoff["verdict"] == "NO-GO (could not be judged)"
