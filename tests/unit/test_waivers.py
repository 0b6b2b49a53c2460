"""Waiver files (golive/config.py: Waiver, load_waivers, waiver_path) and their expiry.

Every date here is fixed: expiry is judged against an explicit ``today``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from golive.config import Waiver, load_waivers, waiver_path
from golive.errors import ScenarioError
from golive.verdict import waiver_problem

GOOD = """\
waivers:
  - id: MTP-06
    subject: TP-1003
    reason: buyer list arrives with the next import
    approved_by: R. Manager
    expires: 2027-04-01
  - id: EINV-11
    reason: provider webhook configured by hand
    approved_by: R. Manager
    expires: 2027-03-15
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def test_load_waivers_reads_every_field(tmp_path: Path) -> None:
    first, second = load_waivers(write(tmp_path, GOOD))
    assert first == Waiver(
        id="MTP-06",
        subject="TP-1003",
        reason="buyer list arrives with the next import",
        approved_by="R. Manager",
        expires=date(2027, 4, 1),
    )
    assert second.subject is None  # all subjects
    assert second.expires == date(2027, 3, 15)


def test_empty_waiver_list_is_allowed(tmp_path: Path) -> None:
    assert load_waivers(write(tmp_path, "waivers: []\n")) == []


def test_expiry_boundary_with_a_fixed_today(tmp_path: Path) -> None:
    _, einv = load_waivers(write(tmp_path, GOOD))
    assert waiver_problem(einv, date(2027, 3, 14)) is None
    assert waiver_problem(einv, date(2027, 3, 15)) is None  # valid through its last day
    assert waiver_problem(einv, date(2027, 3, 16)) == "expired on 2027-03-15"


def test_leap_day_expiry() -> None:
    w = Waiver(id="UPG-01", reason="r", approved_by="x", expires=date(2028, 2, 29))
    assert waiver_problem(w, date(2028, 2, 29)) is None
    assert waiver_problem(w, date(2028, 3, 1)) == "expired on 2028-02-29"


def test_unapproved_is_reported_before_expiry() -> None:
    w = Waiver(id="UPG-01", reason="r", expires=date(2000, 1, 1))
    assert w.approved_by == ""
    assert waiver_problem(w, date(2027, 1, 1)) == "not approved"


@pytest.mark.parametrize(
    ("old", "new", "needle", "key", "problem"),
    [
        ("id: MTP-06", "id: mtp-6", "id: mtp-6", "waivers.0.id", "should match pattern"),
        (
            "expires: 2027-04-01",
            "expires: next week",
            "expires: next",
            "waivers.0.expires",
            "got 'next week'",
        ),
        (
            "    reason: provider webhook configured by hand\n",
            "",
            "- id: EINV-11",
            "waivers.1.reason",
            "required key is missing",
        ),
        (
            "    approved_by: R. Manager\n    expires: 2027-03-15",
            "    approved_by: R. Manager\n    expires: 2027-03-15\n    colour: red",
            "colour",
            "waivers.1.colour",
            "unknown key",
        ),
    ],
    ids=["bad id", "bad date", "missing reason", "unknown key"],
)
def test_bad_waiver_file_names_file_line_and_key(
    tmp_path: Path, old: str, new: str, needle: str, key: str, problem: str
) -> None:
    assert old in GOOD, old
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_waivers(path)
    err = caught.value
    assert (err.file, err.key, err.line) == (str(path), key, line_of(text, needle))
    assert problem in err.problem
    assert str(err).startswith(f"{path}:{err.line}: {key}: ")


def test_missing_waiver_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_waivers(tmp_path / "absent.yaml")


def test_waiver_path_is_relative_to_the_scenario() -> None:
    class Fake:
        source = Path("/x/scenarios/prod.yaml")
        waivers: str | None = "waivers/prod.yaml"

    fake = Fake()
    assert waiver_path(fake) == Path("/x/scenarios/waivers/prod.yaml")  # type: ignore[arg-type]
    fake.waivers = None
    assert waiver_path(fake) is None  # type: ignore[arg-type]
