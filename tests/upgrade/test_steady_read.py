"""``read_while_steady``: a portal page is compared with the record it shows only when the
record held still while the page was read (a payment by another check, in a parallel run,
moved T-0001's balance between the two reads: UPG-10 failed on a healthy sandbox)."""

from __future__ import annotations

import itertools

import pytest

from golive.errors import TargetError
from packs.billing_upgrade.portal import read_while_steady


def test_a_steady_record_is_read_before_and_after_one_page_read() -> None:
    calls: list[str] = []

    def page() -> str:
        calls.append("page")
        return "31.12"

    def record() -> str:
        calls.append("record")
        return "31.12"

    assert read_while_steady(page, record, "account T-0001") == ("31.12", "31.12")
    assert calls == ["record", "page", "record"]


def test_a_change_during_the_page_read_reads_both_again() -> None:
    records = iter(["31.12", "26.12", "26.12"])  # a payment lands while the page is read
    pages = iter(["31.12", "26.12"])
    page, record = read_while_steady(lambda: next(pages), lambda: next(records), "T-0001")
    assert (page, record) == ("26.12", "26.12")


def test_a_steady_mismatch_is_returned_for_the_check_to_fail() -> None:
    assert read_while_steady(lambda: "31.12", lambda: "26.12", "T-0001") == ("31.12", "26.12")


def test_a_record_that_never_holds_still_cannot_be_compared() -> None:
    counter = itertools.count()
    with pytest.raises(TargetError, match="account T-0001 changed while its page was read, 3"):
        read_while_steady(lambda: "page", lambda: next(counter), "account T-0001")
