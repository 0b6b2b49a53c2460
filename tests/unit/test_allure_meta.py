"""What the Allure report shows of an item (golive/allure_meta.py): its title, its
description, and a failed step's traceback without golive's frames."""

from __future__ import annotations

import traceback
from types import SimpleNamespace

from golive import checks
from golive.allure_meta import description_of, title_of, without_plumbing
from golive.errors import CheckFailed


def test_the_title_reads_as_the_signoffs_row() -> None:
    assert title_of("MTP-06", "At least one buyer is set up", "TP-1003") == (
        "MTP-06 At least one buyer is set up [TP-1003]"
    )
    assert title_of("ERP-05", "Sub-companies", "") == "ERP-05 Sub-companies"


def test_the_description_is_the_checklists_not_a_source_file() -> None:
    info = SimpleNamespace(
        id="MTP-06",
        severity="blocker",
        subject="TP-1003",
        checklist="Trading partner go-live",
        file="partner_go_live/move_to_production.feature",
        line=32,
    )
    text = description_of(info, "Before a partner goes live, every condition holds.")
    assert text == (
        "Trading partner go-live: Before a partner goes live, every condition holds.\n\n"
        "Checklist item MTP-06 (blocker) for TP-1003, written in"
        " features/partner_go_live/move_to_production.feature:32."
    )


def a_step_that_checks() -> None:
    checks.check(False, "TP-1003", "no buyers", "at least one")


def test_a_failed_steps_traceback_ends_in_the_step_not_in_golive() -> None:
    try:
        a_step_that_checks()
    except CheckFailed as exc:
        original = exc.__traceback__
        shown = "".join(traceback.format_tb(without_plumbing(original)))
        full = "".join(traceback.format_tb(original))
    assert "golive/checks.py" in full  # the frames are there ...
    assert "golive/checks.py" not in shown  # ... and not shown
    assert "in a_step_that_checks" in shown and "checks.check(False" in shown
    assert "".join(traceback.format_tb(original)) == full  # the original is left alone
