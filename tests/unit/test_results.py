"""Reading a run back (golive/results.py): the plan, the Allure results, reasons and
categories; corrupt and truncated files make the run unjudgeable, never a pass."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.config import Policy
from golive.results import ResultsError, category_of, read_outcomes, read_plan, reason_of
from golive.verdict import UNJUDGED, judge

from .conftest import TODAY, allure_result, planned

PLAN_ITEM = {
    "id": "MTP-06",
    "title": "At least one buyer is set up",
    "severity": "blocker",
    "checklist": "Partner go live",
    "feature": "Move a trading partner into production",
    "file": "partner_go_live/move_to_production.feature",
    "line": 42,
    "subject": "TP-1003",
    "mutating": False,
    "manual": False,
}


def test_read_plan_builds_items_and_ignores_unknown_fields(tmp_path: Path) -> None:
    extra = {**PLAN_ITEM, "tags": ["api"], "nodeid": "features/x::y"}
    (tmp_path / "plan.json").write_text(json.dumps({"items": [extra]}))
    (item,) = read_plan(tmp_path)
    assert item.id == "MTP-06" and item.line == 42
    assert item.key == "MTP-06|TP-1003"


def test_missing_plan_says_collection_never_finished(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no plan: the run never finished collecting"):
        read_plan(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        '{"items": [',  # truncated
        '{"things": []}',  # no items
        '{"items": [{"id": "MTP-01"}]}',  # fields missing
        "[]",  # not an object
        '{"items": ["MTP-01"]}',  # an item that is not an object
    ],
    ids=["truncated", "no items", "missing fields", "a list", "item not an object"],
)
def test_unreadable_plan_is_not_a_golive_plan(tmp_path: Path, text: str) -> None:
    (tmp_path / "plan.json").write_text(text)
    with pytest.raises(ResultsError, match="not a golive plan"):
        read_plan(tmp_path)


def test_outcomes_keyed_by_id_and_subject(
    write_result: Callable[..., Path], tmp_path: Path
) -> None:
    write_result("a", allure_result("MTP-06", "TP-1003", "failed", "CheckFailed: no buyers"))
    write_result("b", allure_result("ERP-01", "-", "passed", uuid="u2"))
    found = read_outcomes(tmp_path / "allure-results")
    assert set(found) == {"MTP-06|TP-1003", "ERP-01|"}  # "-" is "no subject"
    failed = found["MTP-06|TP-1003"]
    assert (failed.status, failed.reason, failed.category) == (
        "failed",
        "no buyers",
        "product defect",
    )
    assert failed.test_case_id == "tc-MTP-06-TP-1003"
    assert found["ERP-01|"].uuid == "u2"


def test_results_without_a_golive_id_are_ignored(
    write_result: Callable[..., Path], tmp_path: Path
) -> None:
    write_result("a", allure_result(None, status="failed"))
    (tmp_path / "allure-results" / "x-container.json").write_text("not even json")
    assert read_outcomes(tmp_path / "allure-results") == {}


def test_no_results_folder_means_no_outcomes(tmp_path: Path) -> None:
    assert read_outcomes(tmp_path / "absent") == {}


def test_the_latest_rerun_of_an_item_wins(
    write_result: Callable[..., Path], tmp_path: Path
) -> None:
    # file names sort opposite to time, so the winner is chosen by ``stop``, not by order
    write_result("a", allure_result("MTP-01", status="passed", stop=900, uuid="late"))
    write_result("b", allure_result("MTP-01", status="failed", message="x", stop=100, uuid="early"))
    found = read_outcomes(tmp_path / "allure-results")
    assert found["MTP-01|"].uuid == "late" and found["MTP-01|"].status == "passed"


@pytest.mark.parametrize(
    "content",
    [
        '{"uuid": "u1", "status": "pass',  # truncated mid-write
        json.dumps(
            {"uuid": "u1", "labels": [{"name": "golive_id", "value": "MTP-01"}]}
        ),  # no status
        json.dumps({"status": "passed", "labels": [{"name": "golive_id"}]}),  # label without value
        json.dumps({"status": "passed", "labels": ["golive_id"]}),  # label not an object
        "[]",  # valid JSON, not an object
        json.dumps({**allure_result(), "statusDetails": "boom"}),
        json.dumps({**allure_result(), "stop": "later"}),
    ],
    ids=[
        "truncated",
        "no status",
        "label without value",
        "label not an object",
        "a list",
        "details not an object",
        "stop not a number",
    ],
)
def test_corrupt_result_raises_results_error(
    write_result: Callable[..., Path], tmp_path: Path, content: str
) -> None:
    path = write_result("bad", content)
    with pytest.raises(ResultsError, match="corrupt Allure result") as caught:
        read_outcomes(tmp_path / "allure-results")
    assert str(path) in str(caught.value)


def test_results_not_in_the_plan_make_the_verdict_unjudged(
    write_result: Callable[..., Path], tmp_path: Path
) -> None:
    write_result("a", allure_result("MTP-01", status="passed"))
    write_result("b", allure_result("MTP-02", "TP-9", status="passed", uuid="u2"))
    v = judge(
        [planned("MTP-01")], read_outcomes(tmp_path / "allure-results"), Policy(), today=TODAY
    )
    assert v.decision == UNJUDGED
    assert v.reasons == ["results that this run did not plan: MTP-02|TP-9"]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("CheckFailed: TP-1003: no buyers\n\nassert 0 > 0", "TP-1003: no buyers"),
        ("golive.errors.TargetUnreachable: GET http://x: refused", "GET http://x: refused"),
        ("Failed: timeout", "timeout"),
        ("Skipped: not allowed on production", "not allowed on production"),
        ("  two\n  lines  ", "two lines"),
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("forged\x1b]0;title\x07 bell\x00", "forged\\x1b]0;title\\x07 bell\\x00"),
        ("KeyError: 'buyers'", "'buyers'"),
        ("expected: 3; seen: 2", "expected: 3; seen: 2"),
    ],
)
def test_reason_of_is_one_clean_line(message: str, reason: str) -> None:
    assert reason_of(message) == reason


def test_reason_of_escapes_every_control_character_but_whitespace() -> None:
    out = reason_of("a\x01b\x08c\x0ed\x1fe\x7ff\tg\rh")
    assert out == "a\\x01b\\x08c\\x0ed\\x1fe\\x7ff g h"
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in out)


@pytest.mark.parametrize(
    ("status", "message", "category"),
    [
        ("passed", "", ""),
        ("failed", "TargetUnreachable: but it failed", "product defect"),
        ("skipped", "", "not run"),
        ("broken", "golive.errors.TargetUnreachable: refused", "environment unreachable"),
        ("broken", "TargetResponseError: GET x: 503", "environment unreachable"),
        ("broken", "MutationRefused: POST on production", "environment unreachable"),
        ("broken", "KeyError: 'buyers'", "harness error"),
        ("broken", "KeyError: TargetUnreachable named after the colon", "harness error"),
        ("unknown", "", "harness error"),
    ],
)
def test_category_of(status: str, message: str, category: str) -> None:
    assert category_of(status, message) == category
