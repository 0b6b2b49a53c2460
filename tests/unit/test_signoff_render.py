"""The signoff (golive/signoff.py) rendered in process: the JSON document, the Markdown,
the HTML page, changes since the previous run, and finding that previous run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from golive.config import Policy
from golive.signoff import (
    SCHEMA,
    STATUS_MARK,
    RunInfo,
    changes,
    document,
    markdown,
    page,
    previous_signoff,
    render_page,
    write,
)
from golive.verdict import Verdict, judge

from .conftest import TODAY, outcomes, planned, waiver

INFO = RunInfo(
    run_id="20270315-101500-abc123",
    scenario="scenarios/sandbox.yaml",
    environment="sandbox",
    tier="test",
    started="2027-03-15T10:15:00Z",
    finished="2027-03-15T10:16:00Z",
    golive_version="0.1.0",
    ran_by="qa",
    faults=[],
)

PASS = planned("MTP-01", "TP-1001", title="Change requests are done")
FAIL = planned("MTP-06", "TP-1003", title="At least one buyer is set up")
MINOR = planned("ERP-05", "", severity="minor", checklist="ERP partner access", title="Sub <b>")


def verdict_of(*statuses: str, **kw: Any) -> Verdict:
    plan = [PASS, FAIL, MINOR]
    return judge(plan, outcomes(*zip(plan, statuses, strict=True)), Policy(), today=TODAY, **kw)


def test_run_info_from_json_fills_what_is_absent() -> None:
    info = RunInfo.from_json({"run_id": "r1", "unknown": "ignored"})
    assert info.run_id == "r1" and info.faults == [] and info.finished == ""


def test_document_carries_verdict_items_links_and_sources() -> None:
    v = verdict_of("passed", "failed", "passed")
    doc = document(INFO, v, {FAIL.key: "allure-report/index.html#/x"})
    assert doc["schema"] == SCHEMA
    assert (doc["verdict"], doc["exit_code"]) == ("NO-GO", 1)
    assert doc["reasons"] == ["MTP-06 [TP-1003] failed (blocker): reason of MTP-06 failed"]
    assert doc["run"]["run_id"] == INFO.run_id
    assert doc["counts"]["failed"] == 1 and doc["counts"]["passed"] == 2
    failed = doc["items"][1]
    assert failed["id"] == "MTP-06" and failed["subject"] == "TP-1003"
    assert failed["blocking"] is True and failed["category"] == "product defect"
    assert failed["evidence"] == "allure-report/index.html#/x"
    assert failed["source"] == "features/partner_go_live/move_to_production.feature:10"
    assert doc["items"][0]["evidence"] == ""
    assert doc["changes"]["previous_run"] is None
    json.dumps(doc)  # serialisable as it is


def test_document_waiver_is_serialised_with_its_date() -> None:
    v = verdict_of("passed", "failed", "passed", waivers=[waiver("MTP-06")])
    doc = document(INFO, v, {})
    assert doc["verdict"] == "GO WITH WAIVERS" and doc["exit_code"] == 0
    assert doc["items"][1]["waiver"]["expires"] == "2027-04-01"
    assert doc["items"][1]["blocking"] is False


def item(id: str, subject: str, status: str) -> dict[str, Any]:
    return {"id": id, "subject": subject, "status": status}


def test_changes_against_the_previous_run() -> None:
    previous = {
        "run": {"run_id": "20270314-000000-old"},
        "items": [
            item("MTP-01", "TP-1", "passed"),  # now failing
            item("MTP-02", "TP-1", "failed"),  # now fixed
            item("MTP-03", "", "broken"),  # still not passing
            item("MTP-04", "", "passed"),  # still passing: not listed
            item("MTP-05", "", "failed"),  # not in this run: not listed
        ],
    }
    now = [
        item("MTP-01", "TP-1", "failed"),
        item("MTP-02", "TP-1", "passed"),
        item("MTP-03", "", "skipped"),
        item("MTP-04", "", "passed"),
        item("MTP-09", "", "failed"),  # new item: not listed
    ]
    assert changes(previous, now) == {
        "previous_run": "20270314-000000-old",
        "newly_failing": ["MTP-01 [TP-1]"],
        "fixed": ["MTP-02 [TP-1]"],
        "still_failing": ["MTP-03"],
    }


def test_changes_distinguish_subjects_of_the_same_item() -> None:
    previous = {"run": {"run_id": "p"}, "items": [item("MTP-06", "TP-1", "passed")]}
    now = [item("MTP-06", "TP-1", "passed"), item("MTP-06", "TP-2", "failed")]
    assert changes(previous, now)["newly_failing"] == []


def test_no_previous_run_means_nothing_to_compare() -> None:
    assert changes(None, [item("MTP-01", "", "failed")]) == {
        "previous_run": None,
        "newly_failing": [],
        "fixed": [],
        "still_failing": [],
    }


def test_markdown_verdict_first_rows_and_escaped_pipes() -> None:
    plan = [PASS, FAIL]
    found = outcomes((PASS, "passed"), (FAIL, "failed"))
    found[FAIL.key] = replace(found[FAIL.key], reason="seen a|b; expected c")
    doc = document(INFO, judge(plan, found, Policy(), today=TODAY), {})
    text = markdown(doc)
    lines = text.splitlines()
    assert lines[0] == "## golive signoff: **NO-GO**"
    assert lines[2] == "- MTP-06 [TP-1003] failed (blocker): seen a|b; expected c"
    assert (
        "| MTP-06 | At least one buyer is set up | TP-1003 | blocker | FAIL | seen a\\|b;" in text
    )
    assert (
        "| MTP-01 | Change requests are done | TP-1001 | blocker | PASS | reason of MTP-01 passed |"
        in text
    )
    assert "run `20270315-101500-abc123` by qa" in text
    assert "First run of this scenario here" in text


def test_markdown_go_says_why_and_lists_warnings_and_waivers() -> None:
    v = verdict_of("passed", "failed", "failed", waivers=[waiver("MTP-06")])
    text = markdown(document(INFO, v, {}))
    assert text.startswith("## golive signoff: **GO WITH WAIVERS**")
    assert "- every blocking item passed or is waived (1 passed)" in text
    assert "- warning: ERP-05 failed (minor): reason of ERP-05 failed" in text
    assert "| TP-1003 | blocker | WAIVED |" in text
    assert "| ERP-05 | Sub <b> | - | minor | FAIL |" in text  # no subject shows "-"


def test_markdown_blocking_rows_first_and_the_subject_once() -> None:
    found = outcomes((PASS, "passed"), (FAIL, "failed"))
    found[FAIL.key] = replace(found[FAIL.key], reason="TP-1003 (Smith-Sanchez): no buyers")
    text = markdown(document(INFO, judge([PASS, FAIL], found, Policy(), today=TODAY), {}))
    rows = [line for line in text.splitlines() if line.startswith("| MTP-")]
    assert (
        rows[0]
        == "| MTP-06 | At least one buyer is set up | TP-1003 | blocker | FAIL | no buyers |"
    )
    assert rows[1].startswith("| MTP-01 |")


def test_markdown_unfinished_run() -> None:
    info = RunInfo.from_json({**INFO.__dict__, "finished": ""})
    text = markdown(document(info, verdict_of("passed", "passed", "passed"), {}))
    assert "to (not finished)." in text


def test_markdown_changes_line() -> None:
    previous = {
        "run": {"run_id": "20270314-000000-old"},
        "items": [
            {"id": "MTP-06", "subject": "TP-1003", "status": "passed"},
            {"id": "ERP-05", "subject": "", "status": "failed"},
        ],
    }
    doc = document(INFO, verdict_of("passed", "failed", "passed"), {}, previous)
    assert (
        "Since run 20270314-000000-old: newly failing: MTP-06 [TP-1003]; fixed: ERP-05;"
        " still failing: none." in markdown(doc)
    )


def test_html_page_escapes_and_groups_by_checklist() -> None:
    v = verdict_of("passed", "failed", "failed")
    doc = document(INFO, v, {FAIL.key: "allure-report/index.html#/abc"})
    doc["run"]["faults"] = ["no-buyers"]
    html = page(doc, [])
    assert html.startswith("<!doctype html>")
    assert '<section class="banner nogo" data-testid="verdict" aria-label="verdict">' in html
    assert "<h1>NO-GO</h1>" in html
    assert "<title>golive signoff: NO-GO (sandbox)</title>" in html
    assert "Sub &lt;b&gt;" in html and "Sub <b>" not in html
    assert html.index('<h3 id="checklist-ERP_partner_access">ERP partner access</h3>') < html.index(
        '<h3 id="checklist-Partner_go_live">Partner go live</h3>'
    )  # checklists in ID order: ERP before MTP
    assert '<td class="st failed">FAIL</td>' in html
    assert html.count('<a href="allure-report/index.html#/abc"') == 2  # the reason, the row
    assert 'data-evidence-for="MTP-06 [TP-1003]">evidence</a>' in html
    assert "<span>sandbox faults: no-buyers</span>" in html
    assert "No approval recorded yet." in html


def test_html_summary_first_then_blocking_warnings_and_the_rest() -> None:
    v = verdict_of("passed", "failed", "failed")
    html = page(document(INFO, v, {FAIL.key: "allure-report/index.html#/abc"}), [])
    # the blocking reason links to its row and to its evidence
    reason = (
        '<li><a class="label" href="#item-MTP-06--TP-1003">MTP-06 [TP-1003]</a>'
        " At least one buyer is set up:\n      reason of MTP-06 failed"
        ' (<a href="allure-report/index.html#/abc">evidence</a>)</li>'
    )
    assert reason in html
    order = [
        'data-testid="verdict"',
        reason,
        'data-testid="approvals"',
        'data-testid="checklist-bars"',
        'data-testid="trend"',
        '<h2 id="blocking">Blocking (1)</h2>',
        '<tr id="item-MTP-06--TP-1003" data-status="failed">',
        '<h2 id="warnings">Warnings (1)</h2>',
        '<tr id="item-ERP-05" data-status="failed">',
        "Everything else, by checklist",
        '<span id="item-MTP-01--TP-1001" class="subject">TP-1001</span>',
    ]
    found = [html.index(s) for s in order]
    assert found == sorted(found)
    assert html.count('<tr id="item-MTP-06--TP-1003"') == 1  # shown once, where it blocks
    assert "1 blocking item · 1 of 3 passed · 1 warning" in html


def test_html_names_the_subject_once_per_row() -> None:
    found = outcomes((PASS, "passed"), (FAIL, "failed"))
    found[FAIL.key] = replace(
        found[FAIL.key], reason="TP-1003 (Smith-Sanchez): no buyers set up; expected one"
    )
    html = page(document(INFO, judge([PASS, FAIL], found, Policy(), today=TODAY), {}), [])
    assert '<td class="subj">TP-1003<small>Smith-Sanchez</small></td>' in html
    assert "<td>no buyers set up; expected one</td>" in html
    assert "TP-1003 (Smith-Sanchez)" not in html
    assert "At least one buyer is set up:\n      no buyers set up; expected one" in html


def test_html_rows_in_id_order_not_collection_order() -> None:
    plan = [planned("MTP-10", "TP-1"), planned("MTP-2", "TP-1"), planned("MTP-2", "TP-0")]
    v = judge(plan, outcomes(*((p, "passed") for p in plan)), Policy(), today=TODAY)
    html = page(document(INFO, v, {}), [])
    rows = ["item-MTP-2--TP-0", "item-MTP-2--TP-1", "item-MTP-10--TP-1"]
    assert [html.index(f'id="{r}"') for r in rows] == sorted(html.index(f'id="{r}"') for r in rows)
    # the passed items: one row an item, each subject once in it
    assert html.count('<tr data-status="passed"><td class="id">MTP-2</td>') == 1
    assert html.count('<tr data-status="passed"><td class="id">MTP-10</td>') == 1


def test_html_bar_per_checklist_counts_every_status() -> None:
    plan = [
        planned("MTP-01"),
        planned("MTP-02"),
        planned("MTP-03"),
        planned("MTP-04"),
        planned("MTP-05", severity="minor"),
    ]
    statuses = ["passed", "failed", "broken", "skipped", "failed"]
    found = outcomes(*zip(plan, statuses, strict=True))
    v = judge(plan, found, Policy(), today=TODAY, waivers=[waiver("MTP-02")])
    html = page(document(INFO, v, {}), [])
    bar = html[
        html.index('<div class="bar"') : html.index("</div>", html.index('<div class="bar"'))
    ]
    assert 'aria-label="Partner go live: 1 passed, 1 failed, 1 broken, 1 not run, 1 waived"' in bar
    for css in ("passed", "failed", "broken", "not-run", "waived"):
        assert f'<span class="s-{css}" style="width:20.0%" title="1 ' in bar
    assert "s-not-applicable" not in bar  # an empty segment is not drawn
    assert '<td class="n">1/5 passed</td>' in html


def test_html_trend_shows_the_scenarios_last_runs_oldest_first() -> None:
    history = [
        {
            "run_id": f"2027031{n}-000000-aaaaaa",
            "started": f"2027-03-1{n}T00:00:00Z",
            "verdict": verdict,
            "counts": {**dict.fromkeys(STATUS_MARK, 0), "waived": 0, "passed": n},
        }
        for n, verdict in ((4, "NO-GO"), (3, "GO"))
    ]  # newest first, as signoff.json keeps them
    doc = document(INFO, verdict_of("passed", "passed", "passed"), {}, history=history)
    html = page(doc, [])
    titles = [
        "20270313-000000-aaaaaa: GO, 3 of 3 passed",
        "20270314-000000-aaaaaa: NO-GO, 4 of 4 passed",
        f"{INFO.run_id}: GO, 3 of 3 passed",
    ]
    assert [html.index(f"<title>{t}</title>") for t in titles] == sorted(
        html.index(f"<title>{t}</title>") for t in titles
    )
    assert "This scenario's last 3 runs" in html


def test_html_trend_shows_one_failure_in_many() -> None:
    history = [
        {
            "run_id": "20270314-000000-aaaaaa",
            "started": "2027-03-14T00:00:00Z",
            "verdict": "NO-GO",
            "counts": {**dict.fromkeys(STATUS_MARK, 0), "waived": 0, "passed": 109, "failed": 1},
        }
    ]
    html = page(document(INFO, verdict_of("passed", "passed", "passed"), {}, history=history), [])
    svg = html[html.index('data-testid="trend"') :]
    assert 'height="4" fill="#b3261e"' in svg  # 1 of 110: thin, but there
    assert 'height="48.0" fill="#0a6b2a"' in svg
    assert svg.count(">NO-GO</text>") == 1 and svg.count(">GO</text>") == 1


def test_html_checklist_title_and_description_come_from_the_pack() -> None:
    checklists = [
        {
            "name": "partner_go_live",
            "title": "Partner go live",
            "description": "Moving a <trading partner> into production.",
        },
        {"name": "unused", "title": "Not in this run", "description": "x"},
    ]
    doc = document(INFO, verdict_of("passed", "passed", "passed"), {}, checklists=checklists)
    assert [c["name"] for c in doc["checklists"]] == ["partner_go_live", ""]
    html = page(doc, [])
    assert '<p class="desc">Moving a &lt;trading partner&gt; into production.</p>' in html
    assert "Not in this run" not in html


def test_html_a_checklist_that_cannot_run_here_is_shown_not_applicable() -> None:
    checklists = [
        {"name": "einvoicing", "title": "E-invoicing readiness", "description": "d",
         "applicable": False, "missing_systems": ["hub", "storecove"]},
    ]  # fmt: skip
    doc = document(INFO, verdict_of("passed", "passed", "passed"), {}, checklists=checklists)
    assert [c["applicable"] for c in doc["checklists"]] == [False, True, True]
    html = page(doc, [])
    assert '<td class="n">not applicable</td>' in html
    assert 'aria-label="E-invoicing readiness: 1 not applicable"' in html
    assert "Not applicable: the scenario has no hub, storecove; its items were not run." in html


@pytest.mark.parametrize(
    ("statuses", "extra", "tone", "title"),
    [
        (("passed", "passed", "passed"), {}, "go", "GO"),
        (
            ("passed", "failed", "passed"),
            {"waivers": [waiver("MTP-06")]},
            "waived",
            "GO WITH WAIVERS",
        ),
        (("passed", "passed", "passed"), {"pytest_exit": 2}, "nogo", "NO-GO (could not be judged)"),
    ],
    ids=["go", "waived", "unjudged"],
)
def test_html_banner_tone(
    statuses: tuple[str, ...], extra: dict[str, Any], tone: str, title: str
) -> None:
    html = page(document(INFO, verdict_of(*statuses, **extra), {}), [])
    assert f'<section class="banner {tone}" data-testid="verdict"' in html
    assert f"<h1>{title}</h1>" in html


def test_html_says_how_to_record_an_approval() -> None:
    go = page(document(INFO, verdict_of("passed", "passed", "passed"), {}), [])
    command = f'golive signoff approve reports/{INFO.run_id} --by "Your Name" --role'
    assert command in go
    nogo = page(document(INFO, verdict_of("passed", "failed", "passed"), {}), [])
    assert "golive signoff approve" not in nogo
    assert "A NO-GO run cannot be approved" in nogo
    assert f"golive signoff reject reports/{INFO.run_id}" in nogo


def test_html_lists_approvals_escaped() -> None:
    doc = document(INFO, verdict_of("passed", "passed", "passed"), {})
    approvals = [
        {"action": "approved", "by": "Ann <CTO>", "role": "release", "at": "T", "comment": ""},
        {"action": "rejected", "by": "Bob", "role": "qa", "at": "T2", "comment": "a & b"},
        {"action": "approved", "by": "Eve", "role": "x", "at": "T3", "state": "forged"},
    ]
    html = page(doc, approvals)
    assert "<li>approved by Ann &lt;CTO&gt; (release) at T</li>" in html
    assert "<li>rejected by Bob (qa) at T2: a &amp; b</li>" in html
    assert (
        '<li class="forged">FORGED, not an approval (no valid signature): approved by Eve' in html
    )
    assert "No approval recorded yet." not in html


def test_write_renders_all_three_forms_consistently(tmp_path: Path) -> None:
    v = verdict_of("passed", "failed", "passed")
    doc = write(tmp_path, INFO, v, {})
    assert json.loads((tmp_path / "signoff.json").read_text()) == doc
    assert (tmp_path / "signoff.md").read_text() == markdown(doc)
    assert (tmp_path / "signoff.html").read_text() == page(doc, [])
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary file
    (tmp_path / "approvals.jsonl").write_text(
        json.dumps({"action": "approved", "by": "Z", "role": "r", "at": "t", "comment": ""})
        + "\n\n"
    )
    assert "approved by Z (r) at t" in render_page(tmp_path)


def signoff_in(root: Path, name: str, scenario: str, finished: str = "x") -> None:
    folder = root / name
    folder.mkdir()
    doc = {"run": {"run_id": name, "scenario": scenario, "finished": finished}}
    (folder / "signoff.json").write_text(json.dumps(doc))


def test_previous_signoff_is_the_newest_finished_run_of_the_same_scenario(
    tmp_path: Path,
) -> None:
    signoff_in(tmp_path, "20270101-000000-aaaaaa", "s.yaml")
    signoff_in(tmp_path, "20270102-000000-bbbbbb", "s.yaml")  # expected
    signoff_in(tmp_path, "20270103-000000-cccccc", "other.yaml")
    signoff_in(tmp_path, "20270104-000000-dddddd", "s.yaml", finished="")  # unfinished
    (tmp_path / "20270105-000000-eeeeee").mkdir()  # no signoff at all
    (tmp_path / "20270105-000000-eeeeee" / "signoff.json").write_text("{trunc")
    signoff_in(tmp_path, "20270107-000000-gggggg", "s.yaml")  # the current run itself
    signoff_in(tmp_path, "20270108-000000-hhhhhh", "s.yaml")  # newer than the current
    (tmp_path / "latest").symlink_to("20270108-000000-hhhhhh")
    found = previous_signoff(tmp_path, "20270107-000000-gggggg", "s.yaml")
    assert found is not None and found["run"]["run_id"] == "20270102-000000-bbbbbb"
    assert previous_signoff(tmp_path, "20270101-000000-aaaaaa", "s.yaml") is None
