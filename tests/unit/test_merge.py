"""Joining CI shards (golive/cli.py, merge) and re-judging a run folder (judge_dir), in
process on run folders written under tmp_path; ``--no-html``, so Allure never runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from golive import cli
from golive.errors import InputError
from golive.integrity import verify

from .conftest import allure_result

PLAN = {
    "MTP-01": {"title": "Change requests", "severity": "blocker", "subject": "TP-1"},
    "MTP-02": {"title": "Business rep", "severity": "blocker", "subject": "TP-1"},
    "ERP-01": {"title": "Partner relation", "severity": "minor", "subject": ""},
}


def shard(
    root: Path,
    name: str,
    results: dict[str, str],
    pytest_exit: int | None = 0,
    scenario: str = "scenarios/sandbox.yaml",
    faults: list[str] | None = None,
    started: str = "2027-03-15T10:00:00Z",
) -> Path:
    """A finished run folder that planned and ran the items of ``results`` (id: status),
    with its signoff and manifest."""
    run = root / name
    (run / "allure-results").mkdir(parents=True)
    info: dict[str, Any] = {
        "run_id": name,
        "scenario": scenario,
        "environment": "sandbox",
        "tier": "test",
        "started": started,
        "finished": started.replace("10:00", "10:05"),
        "golive_version": "0.1.0",
        "ran_by": "ci",
        "faults": faults or [],
        "policy": {},
        "waivers": [],
        "pytest_exit": pytest_exit,
    }
    (run / "run.json").write_text(json.dumps(info))
    items = []
    for n, (id, status) in enumerate(results.items()):
        p = PLAN[id]
        items.append(
            {
                "id": id,
                "title": p["title"],
                "severity": p["severity"],
                "checklist": "Partner go live",
                "feature": "Move",
                "file": "partner_go_live/move_to_production.feature",
                "line": 10 + n,
                "subject": p["subject"],
                "mutating": False,
                "manual": False,
            }
        )
        message = "CheckFailed: seen nothing" if status == "failed" else ""
        raw = allure_result(id, p["subject"] or "-", status, message, uuid=f"{name}-{id}")
        (run / "allure-results" / f"{name}-{id}-result.json").write_text(json.dumps(raw))
    (run / "plan.json").write_text(json.dumps({"items": items}))
    cli.finish(run, html=False)  # its signoff and manifest, as the shard's run wrote them
    return run


def merged(capsys: pytest.CaptureFixture[str], out: Path, *runs: Path) -> tuple[int, Path]:
    code = cli.merge(list(runs), out, html=False, unsigned=True)
    capsys.readouterr()
    return code, (out / "latest").resolve()


def test_merge_joins_plans_and_results_and_judges_them_as_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = shard(tmp_path, "20270315-100000-aaaaaa", {"MTP-01": "passed"}, faults=["f1"])
    b = shard(
        tmp_path,
        "20270315-100100-bbbbbb",
        {"MTP-02": "passed", "ERP-01": "failed"},
        faults=["f2", "f1"],
        started="2027-03-15T09:00:00Z",
    )
    code, run = merged(capsys, tmp_path / "out", a, b)
    assert code == 0
    signoff = json.loads((run / "signoff.json").read_text())
    assert signoff["verdict"] == "GO"
    assert {(i["id"], i["status"]) for i in signoff["items"]} == {
        ("MTP-01", "passed"),
        ("MTP-02", "passed"),
        ("ERP-01", "failed"),
    }
    assert signoff["warnings"] == ["ERP-01 failed (minor): seen nothing"]
    info = json.loads((run / "run.json").read_text())
    assert info["merged_from"] == [a.name, b.name]
    assert info["faults"] == ["f1", "f2"]
    assert info["started"] == "2027-03-15T09:00:00Z"  # the earliest shard
    assert run.name.endswith("-merged")
    assert len(list((run / "allure-results").glob("*-result.json"))) == 3
    assert verify(run)[0] is True  # a manifest was written for the merged run


def test_merge_is_no_go_when_a_shard_failed_a_blocker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = shard(tmp_path, "a", {"MTP-01": "passed"})
    b = shard(tmp_path, "b", {"MTP-02": "failed"}, pytest_exit=1)
    code, run = merged(capsys, tmp_path / "out", a, b)
    assert code == 1
    signoff = json.loads((run / "signoff.json").read_text())
    assert signoff["reasons"] == ["MTP-02 [TP-1] failed (blocker): seen nothing"]


def test_a_shard_that_stopped_makes_the_merge_unjudged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the stop wins over any higher ordinary exit (5: no tests collected in that shard)
    a = shard(tmp_path, "a", {"MTP-01": "passed"}, pytest_exit=3)
    b = shard(tmp_path, "b", {"MTP-02": "passed"}, pytest_exit=5)
    code, run = merged(capsys, tmp_path / "out", a, b)
    assert code == 2
    assert json.loads((run / "run.json").read_text())["pytest_exit"] == 3
    signoff = json.loads((run / "signoff.json").read_text())
    assert signoff["reasons"] == ["the test run stopped: pytest internal error (exit 3)"]


def test_shards_of_different_scenarios_are_refused(tmp_path: Path) -> None:
    a = shard(tmp_path, "a", {"MTP-01": "passed"})
    b = shard(tmp_path, "b", {"MTP-02": "passed"}, scenario="scenarios/other.yaml")
    with pytest.raises(InputError, match="cannot merge runs of different scenarios"):
        cli.merge([a, b], tmp_path / "out", html=False, unsigned=True)
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_no_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a golive run folder"):
        cli.merge([tmp_path], tmp_path / "out", html=False)


@pytest.mark.parametrize("content", ["{trunc", "[]", '{"status": "passed", "labels": 3}'])
def test_judge_dir_with_a_corrupt_result_cannot_be_judged(tmp_path: Path, content: str) -> None:
    run = shard(tmp_path, "r", {"MTP-01": "passed"})
    (run / "allure-results" / "zz-result.json").write_text(content)
    verdict = cli.judge_dir(run)
    assert (verdict.decision, verdict.exit_code) == ("NO-GO (could not be judged)", 2)
    assert "corrupt Allure result" in verdict.reasons[0]


def test_judge_dir_without_a_plan_cannot_be_judged(tmp_path: Path) -> None:
    run = shard(tmp_path, "r", {"MTP-01": "passed"})
    (run / "plan.json").unlink()
    verdict = cli.judge_dir(run)
    assert verdict.exit_code == 2
    assert "no plan" in verdict.reasons[0]
