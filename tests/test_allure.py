"""The Allure side of a run: its quality gate agrees with golive's verdict, its history
grows run after run, and waivers become accepted resolutions (Allure's known issues)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from golive.config import Policy
from golive.report import generate_html, quality_gate, write_allure_config
from tests.conftest import FAR_FUTURE, ROOT, Run, external_scenario

WAIVER = f"""waivers:
  - id: MTP-06
    subject: TP-1003
    reason: loaded on go-live day
    approved_by: Jane Roe
    expires: {FAR_FUTURE}
"""


@pytest.mark.parametrize(
    ("case", "args", "expected"),
    [
        ("GO", ["--tags", "MTP-06"], 0),
        ("NO-GO, a blocker failed", ["--tags", "MTP-06", "--sandbox-fault", "buyers-empty"], 1),
        ("NO-GO, a minor warning only", ["--tags", "MTP-05"], 0),
        (
            "GO WITH WAIVERS",
            ["--tags", "MTP-06", "--sandbox-fault", "buyers-empty", "--waivers", "{waivers}"],
            0,
        ),
        (
            "NO-GO beside a waiver",
            [
                "--tags",
                "MTP-06 or MTP-05",
                "--sandbox-fault",
                "buyers-empty",
                "--sandbox-fault",
                "auto-assign-key-under-review",
                "--waivers",
                "{waivers}",
            ],
            1,
        ),
    ],
)
def test_allure_quality_gate_agrees_with_golive(
    golive_cli: Callable[..., Run], tmp_path: Path, case: str, args: list[str], expected: int
) -> None:
    (tmp_path / "w.yaml").write_text(WAIVER)
    run = golive_cli(
        "run", "--no-html", *[a.replace("{waivers}", str(tmp_path / "w.yaml")) for a in args]
    )
    assert run.code == expected, run.stdout + run.stderr
    code, output = quality_gate(ROOT, run.run_dir)
    assert code == expected, output


def test_allure_gate_fails_items_that_did_not_run(
    golive_cli: Callable[..., Run], sandbox: object, tmp_path: Path
) -> None:
    url = sandbox.url  # type: ignore[attr-defined]
    run = golive_cli(
        "run",
        "--no-html",
        "--tags",
        "MTP-08",
        "--scenario",
        str(external_scenario(tmp_path, url, "production", [])),
    )
    assert run.code == 1
    code, output = quality_gate(ROOT, run.run_dir)
    assert code == 1 and "NO-GO: 3 item(s) broken or not run" in output


def test_history_grows_and_waivers_are_known_issues(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    (tmp_path / "w.yaml").write_text(WAIVER)
    golive_cli("run", "--tags", "MTP-06")
    run = golive_cli(
        "run",
        "--tags",
        "MTP-06",
        "--sandbox-fault",
        "buyers-empty",
        "--waivers",
        str(tmp_path / "w.yaml"),
    )
    history = run.out / "history" / "sandbox.jsonl"
    assert len(history.read_text().splitlines()) == 2
    config = (run.run_dir / "allurerc.mjs").read_text()
    assert '"resolution": "accepted"' in config
    assert (
        '"comment": "waived by Jane Roe until' in config
        and '"messageRegexp": "TP\\\\-1003"' in config
    )


def test_step_parameters_are_the_step_texts_values_not_its_fixtures(
    golive_cli: Callable[..., Run],
) -> None:
    """MTP-07 and MTP-08 take values from their step text ("New", "Production") and
    fixtures (the partner platform, the partner's record, the move): only the values are
    the steps' Allure parameters, and the steps still get their fixtures (they pass)."""
    run = golive_cli("run", "--no-html", "--tags", "MTP-07 or MTP-08")
    assert run.code == 0, run.stdout + run.stderr
    seen: dict[str, set[str]] = {}

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            for parameter in step.get("parameters", []):
                seen.setdefault(parameter["name"], set()).add(parameter["value"])
            walk(step.get("steps", []))

    for path in (run.run_dir / "allure-results").glob("*-result.json"):
        walk(json.loads(path.read_text())["steps"])
    assert seen == {
        "status": {"'Production'"},
        "statuses": {'\'"New", "Configuration Required", "Information Required"\''},
    }


def synthetic_run(tmp_path: Path, statuses: dict[str, str]) -> Path:
    """A run folder holding only Allure results: one blocker item per status given."""
    run_dir = tmp_path / "run"
    results = run_dir / "allure-results"
    results.mkdir(parents=True)
    for n, (item, status) in enumerate(statuses.items()):
        result = {
            "uuid": f"{n:032d}",
            "name": f"{item} title",
            "status": status,
            "start": 1,
            "stop": 2,
            "labels": [
                {"name": "severity", "value": "blocker"},
                {"name": "golive_id", "value": item},
                {"name": "epic", "value": "Partner go live"},
            ],
            "statusDetails": {"message": "CheckFailed: no buyers"} if status != "passed" else {},
        }
        (results / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    return run_dir


def test_the_report_shows_the_policys_gate_with_the_verdicts_outcome(tmp_path: Path) -> None:
    run_dir = synthetic_run(tmp_path, {"MTP-05": "passed", "MTP-06": "failed"})
    config = write_allure_config(
        run_dir, "golive sandbox r1", Policy(), 3, [], tmp_path / "h.jsonl", "NO-GO"
    )
    assert generate_html(ROOT, run_dir, config) is None
    gate = json.loads((run_dir / "allure-report" / "quality-gate.json").read_text())
    outcome = {g["rule"].split("/")[-1]: (g["success"], g["message"]) for g in gate}
    assert outcome == {
        "blockingFailed": (False, "NO-GO: 1 failed item(s) of a blocking severity"),
        "notChecked": (True, "every item was checked"),
        "resultsSeen": (False, "NO-GO: 1 of 3 results missing"),
        "minConcluded": (True, "enough checks concluded"),
    }
    html = (run_dir / "allure-report" / "index.html").read_text()
    assert "googletagmanager" not in html and "gtag(" not in html  # no analytics
    assert "<title> NO-GO: golive sandbox r1 </title>" in html
    code, output = quality_gate(ROOT, run_dir)  # the command line's gate says the same
    assert code == 1 and "NO-GO: 1 failed item(s) of a blocking severity" in output
