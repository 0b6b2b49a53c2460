"""Bad scenario files stop the run with exit 2 and one or two lines naming the file, the
key path, the line and what was expected; never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, golive_env

GOOD = (ROOT / "scenarios" / "sandbox.yaml").read_text()


def variant(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


CASES = {
    # name: (scenario text, the line's needle, expected message after "FILE:LINE: ")
    "unknown key": (
        variant("  tier: test\n", "  tier: test\n  colour: blue\n"),
        "colour",
        "environment.colour: unknown key",
    ),
    "missing env var": (
        variant("${GOLIVE_SANDBOX_TOKEN}   #", "${GOLIVE_NOT_SET_ANYWHERE}   #"),
        "token: ${GOLIVE_NOT",
        "systems.partners.credentials.token: environment"
        " variable GOLIVE_NOT_SET_ANYWHERE is not set",
    ),
    "wrong type": (
        variant("  min_checks: 1", "  min_checks: many"),
        "min_checks",
        "policy.min_checks: input should be a valid integer, unable to parse string"
        " as an integer, got 'many'",
    ),
    "wrong tier": (
        variant("tier: test", "tier: prod"),
        "tier: prod",
        "environment.tier: input should be 'test', 'staging' or 'production', got 'prod'",
    ),
    "inline credential": (
        variant("${GOLIVE_SANDBOX_TOKEN}   #", "hunter2-inline   #"),
        "token: hunter2",
        "systems.partners.credentials.token: expected a"
        " ${ENV_VAR} reference; credentials are never written inline",
    ),
    "missing required key": (
        variant("  name: sandbox\n", ""),
        "environment:",
        "environment.name: required key is missing",
    ),
    "malformed YAML": (
        variant("  name: sandbox\n", "  name: [sandbox\n"),
        "  tier",
        "not valid YAML",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_scenario_exits_2_with_file_key_and_line(
    golive_cli: Callable[..., Run], tmp_path: Path, case: str
) -> None:
    text, needle, expected = CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    run = golive_cli(
        "run", "--scenario", str(path), env=golive_env(GOLIVE_SANDBOX_TOKEN="not-used-here")
    )
    assert run.code == 2
    where = f"{path}:{line_of(text, needle)}"
    assert run.stderr.startswith(f"golive: {where}: {expected}"), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert len(run.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "reports").exists()  # nothing started, nothing written


def test_missing_scenario_file(golive_cli: Callable[..., Run], tmp_path: Path) -> None:
    run = golive_cli("run", "--scenario", str(tmp_path / "nope.yaml"))
    assert run.code == 2
    assert run.stderr.strip() == f"golive: {tmp_path / 'nope.yaml'}: no such file"


def test_gate_on_a_folder_that_is_not_a_run(golive_cli: Callable[..., Run], tmp_path: Path) -> None:
    run = golive_cli("gate", str(tmp_path))
    assert run.code == 2
    assert "not a golive run folder (no run.json)" in run.stderr
