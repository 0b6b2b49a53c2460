"""The Allure side of a run: its quality gate agrees with golive's verdict, its history
grows run after run, and waivers become accepted resolutions (Allure's known issues)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from golive.cli import finish
from golive.config import Policy
from golive.report import generate_html, quality_gate, write_allure_config
from tests.conftest import FAR_FUTURE, ROOT, Run, external_scenario, golive_process

WAIVERS = f"""waivers:
  - id: MTP-06
    subject: TP-1003
    reason: loaded on go-live day
    approved_by: Jane Roe
    expires: {FAR_FUTURE}
  - id: MTP-05
    subject: TP-1002
    reason: the key's review closes on go-live day
    approved_by: Jane Roe
    expires: {FAR_FUTURE}
"""


@dataclass
class Runs:
    go: Run
    waived: Run
    history_lines: list[int]  # the history's length after each run, as the runs left it


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Two runs into one reports folder, each with its HTML report (which writes the
    history), shared by the quality-gate cases, the history and the step parameters:

    - ``go``: MTP-05 to MTP-08 on a healthy sandbox, GO (MTP-07 and MTP-08 take values
      from their step text);
    - ``waived``: MTP-05 and MTP-06 with both their faults (MTP-05 fails for TP-1002,
      MTP-06 for TP-1003), each failure waived: GO WITH WAIVERS.

    Allure's quality gate, run on a folder, writes files of its own there (a history line,
    known-issues.json, allure-report/quality-gate.json and test-results.json): the history
    is counted here, before any gate ran, and no test reads the others."""
    out = tmp_path_factory.mktemp("allure") / "reports"
    waivers = out.parent / "w.yaml"
    waivers.write_text(WAIVERS)
    history = out / "history" / "sandbox.jsonl"
    made: list[Run] = []
    lines: list[int] = []
    for args in (
        ["--tags", "MTP-05 or MTP-06 or MTP-07 or MTP-08"],
        ["--tags", "MTP-05 or MTP-06", "--sandbox-fault", "buyers-empty",
         "--sandbox-fault", "auto-assign-key-under-review", "--waivers", str(waivers)],
    ):  # fmt: skip
        done = golive_process(["run", "--output", str(out), *args])
        made.append(Run(done.returncode, done.stdout, done.stderr, out))
        lines.append(len(history.read_text().splitlines()) if history.exists() else 0)
    return Runs(made[0], made[1], history_lines=lines)


def rejudged(run_dir: Path, tmp_path: Path, keep: tuple[str, ...]) -> tuple[Path, tuple[str, int]]:
    """A copy of the run folder judged again with only the waivers of the IDs in ``keep``
    (from the run's own run.json), as the run would have ended without the others:
    golive's finish writes the verdict, the signoff and the Allure config afresh."""
    copy = Path(
        shutil.copytree(
            run_dir, tmp_path / run_dir.name, ignore=shutil.ignore_patterns("allure-report")
        )
    )
    raw = json.loads((copy / "run.json").read_text())
    assert {w["id"] for w in raw["waivers"]} >= set(keep)
    raw["waivers"] = [w for w in raw["waivers"] if w["id"] in keep]
    (copy / "run.json").write_text(json.dumps(raw, indent=2))
    verdict, _ = finish(copy, html=False)
    return copy, (verdict.decision, verdict.exit_code)


# (case, run, the waivers it is judged with: None for the run as it ended, decision, exit)
CASES = [
    ("GO", "go", None, "GO", 0),
    ("GO WITH WAIVERS", "waived", None, "GO WITH WAIVERS", 0),
    ("NO-GO beside a waiver", "waived", ("MTP-06",), "NO-GO", 1),
    ("NO-GO, blockers failed", "waived", (), "NO-GO", 1),
]


@pytest.mark.parametrize(
    ("case", "run", "keep", "decision", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_allure_quality_gate_agrees_with_golive(
    runs: Runs,
    tmp_path: Path,
    case: str,
    run: str,
    keep: tuple[str, ...] | None,
    decision: str,
    expected: int,
) -> None:
    """The gate on each run as it ended, and on the waived run judged again without one
    or both of its waivers (MTP-05 [TP-1002] failed unwaived beside MTP-06 [TP-1003]
    waived; both failures unwaived): golive's verdict and Allure's gate agree."""
    made: Run = getattr(runs, run)
    assert made.code == 0, made.stdout + made.stderr
    if keep is None:
        run_dir, judged = made.run_dir, (made.signoff["verdict"], made.code)
    else:
        run_dir, judged = rejudged(made.run_dir, tmp_path, keep)
    assert judged == (decision, expected), case
    code, output = quality_gate(ROOT, run_dir)
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


def test_history_grows_and_waivers_are_known_issues(runs: Runs) -> None:
    assert runs.history_lines == [1, 2]  # a line for each run, as each ended
    config = (runs.waived.run_dir / "allurerc.mjs").read_text()
    assert '"resolution": "accepted"' in config
    assert (
        '"comment": "waived by Jane Roe until' in config
        and '"messageRegexp": "TP\\\\-1003"' in config
    )


def test_step_parameters_are_the_step_texts_values_not_its_fixtures(runs: Runs) -> None:
    """MTP-07 and MTP-08 take values from their step text ("New", "Production") and
    fixtures (the partner platform, the partner's record, the move): only the values are
    the steps' Allure parameters, and the steps still get their fixtures (they pass). The
    GO run's other items (MTP-05, MTP-06) have no values in their step text: no parameters."""
    run = runs.go
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
