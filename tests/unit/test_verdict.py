"""The verdict and the policy (golive/verdict.py), judged in memory."""

from __future__ import annotations

from datetime import date

import pytest

from golive.config import Policy, Waiver
from golive.verdict import GO, GO_WAIVED, NO_GO, UNJUDGED, judge, policy_from, waiver_problem

from .conftest import TODAY, outcomes, planned, waiver

A = planned("MTP-01", severity="blocker")
B = planned("MTP-02", severity="critical")
C = planned("MTP-03", severity="normal")
D = planned("MTP-04", severity="minor")


def test_every_item_passed_is_go_with_counts() -> None:
    plan = [A, B, C]
    v = judge(plan, outcomes((A, "passed"), (B, "passed"), (C, "passed")), Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (GO, 0)
    assert v.reasons == [] and v.warnings == []
    assert v.counts == {
        "passed": 3,
        "failed": 0,
        "broken": 0,
        "skipped": 0,
        "missing": 0,
        "waived": 0,
    }
    assert [i.blocking for i in v.items] == [False, False, False]


@pytest.mark.parametrize("severity", ["blocker", "critical"])
def test_failure_of_a_blocking_severity_is_no_go(severity: str) -> None:
    item = planned("MTP-05", severity=severity)
    v = judge([item], outcomes((item, "failed")), Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (NO_GO, 1)
    assert v.reasons == [f"MTP-05 failed ({severity}): reason of MTP-05 failed"]
    assert v.items[0].blocking is True
    assert v.items[0].category == "product defect"


@pytest.mark.parametrize("severity", ["normal", "minor"])
def test_failure_of_a_non_blocking_severity_is_a_warning_not_hidden(severity: str) -> None:
    item = planned("MTP-06", severity=severity)
    v = judge([A, item], outcomes((A, "passed"), (item, "failed")), Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (GO, 0)
    assert v.warnings == [f"MTP-06 failed ({severity}): reason of MTP-06 failed"]
    assert v.items[1].blocking is False
    assert v.counts["failed"] == 1


def test_blocking_severities_come_from_the_policy() -> None:
    policy = Policy(blocking_severities=["normal"])
    v = judge([A, C], outcomes((A, "failed"), (C, "failed")), policy, today=TODAY)
    assert v.decision == NO_GO
    assert [i.blocking for i in v.items] == [False, True]
    assert v.reasons == ["MTP-03 failed (normal): reason of MTP-03 failed"]
    assert v.warnings == ["MTP-01 failed (blocker): reason of MTP-01 failed"]


@pytest.mark.parametrize("status", ["broken", "skipped"])
def test_unchecked_item_blocks_whatever_its_severity(status: str) -> None:
    v = judge([A, D], outcomes((A, "passed"), (D, status)), Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (NO_GO, 1)
    assert v.reasons == [f"MTP-04 {status} (minor): reason of MTP-04 {status}"]


def test_item_without_result_is_missing_and_blocks() -> None:
    v = judge([A, D], outcomes((A, "passed")), Policy(), today=TODAY)
    assert v.decision == NO_GO
    missing = v.items[1]
    assert (missing.status, missing.category) == ("missing", "harness error")
    assert missing.reason == "no result was recorded for this item"
    assert v.reasons == ["MTP-04: no result"]
    assert v.counts["missing"] == 1


def test_unchecked_blocks_false_judges_unchecked_by_severity() -> None:
    policy = Policy(unchecked_blocks=False)
    v = judge([A, C, D], outcomes((A, "passed"), (C, "broken")), policy, today=TODAY)
    assert (v.decision, v.exit_code) == (GO, 0)
    assert v.warnings == [
        "MTP-03 broken (normal): reason of MTP-03 broken",
        "MTP-04 missing (minor): no result was recorded for this item",
    ]
    # a broken blocker still blocks: by severity, like a failure
    v = judge([A, C], outcomes((A, "broken"), (C, "passed")), policy, today=TODAY)
    assert v.decision == NO_GO
    assert v.reasons == ["MTP-01 broken (blocker): reason of MTP-01 broken"]


def test_zero_planned_items_is_no_go() -> None:
    v = judge([], {}, Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (NO_GO, 1)
    assert v.reasons == ["zero checks were planned"]


def test_all_skipped_counts_as_zero_executed() -> None:
    policy = Policy(unchecked_blocks=False)
    v = judge([C, D], outcomes((C, "skipped"), (D, "skipped")), policy, today=TODAY)
    assert v.decision == NO_GO
    assert v.reasons == ["0 checks concluded (passed or failed); the policy needs at least 1"]


def test_min_checks_counts_passed_and_failed_only() -> None:
    policy = Policy(min_checks=3, unchecked_blocks=False)
    plan = [A, C, D]
    three = outcomes((A, "passed"), (C, "failed"), (D, "failed"))
    assert judge(plan, three, policy, today=TODAY).decision == GO
    for status in ("broken", "skipped"):
        two = outcomes((A, "passed"), (C, "failed"), (D, status))
        v = judge(plan, two, policy, today=TODAY)
        assert v.decision == NO_GO
        assert v.reasons == ["2 checks concluded (passed or failed); the policy needs at least 3"]


def test_required_pattern_must_have_run() -> None:
    erp = planned("ERP-01", severity="minor")
    policy = Policy(required=["MTP-*", "ERP-0?", "EINV-01"], unchecked_blocks=False)
    v = judge([A, erp], outcomes((A, "passed"), (erp, "skipped")), policy, today=TODAY)
    assert v.decision == NO_GO
    assert v.reasons == ["required ERP-0? did not run", "required EINV-01 did not run"]


def test_required_is_satisfied_by_a_failed_run_of_a_non_blocking_item() -> None:
    policy = Policy(required=["MTP-03"])
    v = judge([A, C], outcomes((A, "passed"), (C, "failed")), policy, today=TODAY)
    assert v.decision == GO
    assert v.reasons == []


@pytest.mark.parametrize(
    ("code", "name"), [(2, "interrupted"), (3, "internal error"), (4, "usage error")]
)
def test_pytest_stopping_makes_the_run_unjudged(code: int, name: str) -> None:
    v = judge([A], outcomes((A, "passed")), Policy(), pytest_exit=code, today=TODAY)
    assert (v.decision, v.exit_code) == (UNJUDGED, 2)
    assert v.reasons == [f"the test run stopped: pytest {name} (exit {code})"]


@pytest.mark.parametrize("code", [0, 1, 5, None])
def test_ordinary_pytest_exits_do_not_stop_judging(code: int | None) -> None:
    v = judge([A], outcomes((A, "passed")), Policy(), pytest_exit=code, today=TODAY)
    assert v.decision == GO


def test_results_the_plan_does_not_know_make_the_run_unjudged() -> None:
    stranger = planned("MTP-09", subject="TP-9")
    found = outcomes((A, "failed"), (stranger, "passed"))
    v = judge([A], found, Policy(), today=TODAY)
    assert (v.decision, v.exit_code) == (UNJUDGED, 2)
    assert v.reasons == ["results that this run did not plan: MTP-09|TP-9"]


def test_subjects_are_separate_items_and_labelled() -> None:
    one, two = planned("MTP-06", "TP-1001"), planned("MTP-06", "TP-1003")
    v = judge([one, two], outcomes((one, "passed"), (two, "failed")), Policy(), today=TODAY)
    assert v.decision == NO_GO
    assert v.reasons == ["MTP-06 [TP-1003] failed (blocker): reason of MTP-06 failed"]
    assert [i.label for i in v.items] == ["MTP-06 [TP-1001]", "MTP-06 [TP-1003]"]


def test_valid_waiver_turns_a_blocking_failure_into_go_with_waivers() -> None:
    w = waiver("MTP-01", expires=date(2027, 4, 1))
    v = judge([A, B], outcomes((A, "failed"), (B, "passed")), Policy(), waivers=[w], today=TODAY)
    assert (v.decision, v.exit_code) == (GO_WAIVED, 0)
    assert v.items[0].waiver == w and v.items[0].blocking is False
    assert v.counts["waived"] == 1 and v.counts["failed"] == 1
    assert v.warnings == [
        "MTP-01 failed (blocker): reason of MTP-01 failed -- waived by R. Manager until"
        " 2027-04-01: accepted for this go-live"
    ]


def test_waiver_for_one_subject_does_not_cover_another() -> None:
    one, two = planned("MTP-06", "TP-1001"), planned("MTP-06", "TP-1003")
    w = waiver("MTP-06", subject="TP-1001")
    found = outcomes((one, "failed"), (two, "failed"))
    v = judge([one, two], found, Policy(), waivers=[w], today=TODAY)
    assert v.decision == NO_GO
    assert [i.waiver for i in v.items] == [w, None]
    assert v.reasons == ["MTP-06 [TP-1003] failed (blocker): reason of MTP-06 failed"]


def test_waiver_without_subject_covers_every_subject() -> None:
    one, two = planned("MTP-06", "TP-1001"), planned("MTP-06", "TP-1003")
    found = outcomes((one, "failed"), (two, "failed"))
    v = judge([one, two], found, Policy(), waivers=[waiver("MTP-06")], today=TODAY)
    assert v.decision == GO_WAIVED
    assert v.counts["waived"] == 2


def test_a_waiver_covers_a_missing_result_only_when_it_says_not_checked() -> None:
    found = outcomes((B, "passed"))
    v = judge([A, B], found, Policy(), waivers=[waiver("MTP-01")], today=TODAY)
    assert v.decision == NO_GO and v.items[0].waiver is None
    unchecked = waiver("MTP-01").model_copy(update={"covers": "not_checked"})
    v = judge([A, B], found, Policy(), waivers=[unchecked], today=TODAY)
    assert v.decision == GO_WAIVED
    assert v.items[0].status == "missing"
    assert "waived as not checked by" in v.warnings[0]


def test_waiver_on_a_passing_item_is_reported_unused() -> None:
    v = judge([A], outcomes((A, "passed")), Policy(), waivers=[waiver("MTP-01")], today=TODAY)
    assert v.decision == GO  # not "with waivers": nothing was waived
    assert v.items[0].waiver is None
    assert v.warnings == ["waiver for MTP-01 matched no failing item"]


@pytest.mark.parametrize(
    ("w", "problem"),
    [
        (waiver(expires=date(2027, 3, 14)), "expired on 2027-03-14"),
        (waiver(approved_by=""), "not approved"),
        (waiver(approved_by="   "), "not approved"),
    ],
    ids=["expired yesterday", "unapproved", "blank approver"],
)
def test_invalid_waiver_is_a_warning_and_changes_nothing(w: Waiver, problem: str) -> None:
    v = judge([A], outcomes((A, "failed")), Policy(), waivers=[w], today=TODAY)
    assert (v.decision, v.exit_code) == (NO_GO, 1)
    assert v.items[0].waiver is None
    assert v.warnings == [f"waiver for MTP-01 {problem}: not applied"]


def test_waiver_expiring_today_is_still_valid() -> None:
    w = waiver(expires=TODAY)
    assert waiver_problem(w, TODAY) is None
    assert waiver_problem(w, date(2027, 3, 16)) == "expired on 2027-03-15"
    v = judge([A], outcomes((A, "failed")), Policy(), waivers=[w], today=TODAY)
    assert v.decision == GO_WAIVED


def test_expiry_is_judged_against_the_given_day_not_the_clock() -> None:
    w = waiver(expires=date(2001, 1, 1))
    assert (
        judge(
            [A], outcomes((A, "failed")), Policy(), waivers=[w], today=date(2000, 12, 31)
        ).decision
        == GO_WAIVED
    )
    assert (
        judge([A], outcomes((A, "failed")), Policy(), waivers=[w], today=date(2001, 1, 2)).decision
        == NO_GO
    )


def test_waiver_does_not_rescue_a_run_that_cannot_be_judged() -> None:
    v = judge(
        [A], outcomes((A, "failed")), Policy(), pytest_exit=2, waivers=[waiver()], today=TODAY
    )
    assert v.decision == UNJUDGED


def test_waiver_does_not_make_up_for_required_or_min_checks() -> None:
    policy = Policy(min_checks=2)
    v = judge([A], outcomes((A, "failed")), policy, waivers=[waiver()], today=TODAY)
    assert v.decision == NO_GO
    assert v.reasons == ["1 checks concluded (passed or failed); the policy needs at least 2"]


def test_policy_from_defaults_and_validation() -> None:
    default = policy_from(None)
    assert default.blocking_severities == ["blocker", "critical"]
    assert default.unchecked_blocks is True and default.min_checks == 1
    assert policy_from({"min_checks": 5}).min_checks == 5
    with pytest.raises(ValueError, match="min_checks"):
        policy_from({"min_checks": 0})
    with pytest.raises(ValueError, match="blocking_severities"):
        policy_from({"blocking_severities": ["fatal"]})
