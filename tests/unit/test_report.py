"""The run folder's report files (golive/report.py): Allure categories and config, the
environment section, evidence links, ``latest``; none of it runs Allure."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from golive.config import Policy
from golive.report import (
    DATA_FIRST,
    allure_command,
    evidence_links,
    finish_report,
    point_latest,
    set_environment,
    write_allure_config,
    write_environment,
)
from golive.results import ENVIRONMENT_ERRORS, category_of

from .conftest import waiver


def config_of(text: str) -> dict[str, Any]:
    match = re.search(r"^const config = (\{.*?\n\});$", text, re.MULTILINE | re.DOTALL)
    assert match, text
    parsed: dict[str, Any] = json.loads(match.group(1))
    return parsed


def gate_rules(text: str) -> list[dict[str, Any]]:
    match = re.search(r"^  rules: (\[.*?^\]),$", text, re.S | re.M)
    assert match, text
    rules: list[dict[str, Any]] = json.loads(match.group(1))
    return rules


def write_config(tmp_path: Path, policy: Policy | None = None, **kw: Any) -> tuple[str, Path]:
    path = write_allure_config(
        tmp_path,
        "golive sandbox r1",
        policy or Policy(),
        kw.pop("planned", 10),
        kw.pop("waivers", []),
        tmp_path / "history" / "sandbox.jsonl",
        kw.pop("decision", "NO-GO"),
    )
    return path.read_text(), path


def test_config_file_name_history_and_single_file_report(tmp_path: Path) -> None:
    text, path = write_config(tmp_path)
    assert path == tmp_path / "allurerc.mjs"
    config = config_of(text)
    assert config["name"] == "NO-GO: golive sandbox r1"  # the verdict first
    groups = config["plugins"]["awesome"]["options"]["groupBy"]
    assert groups == ["parentSuite", "subSuite"]  # the checklist, then the item
    assert (tmp_path / "allure-results" / "environment.properties").read_text() == (
        "verdict=NO-GO\n"
    )
    assert config["historyPath"] == str(tmp_path / "history" / "sandbox.jsonl")
    assert config["plugins"]["awesome"]["options"]["singleFile"] is True
    assert config["resolutions"]["knownIssuesPath"] == str(tmp_path / "known-issues.json")
    assert text.rstrip().endswith("export default config;")


def test_categories_match_golive_categories(tmp_path: Path) -> None:
    rules = config_of(write_config(tmp_path)[0])["categories"]["rules"]
    assert [r["name"] for r in rules] == [
        "Product defect",
        "Environment unreachable",
        "Harness error",
        "Not run",
    ]
    env = rules[1]
    assert env["matchedStatuses"] == ["broken"]
    pattern = re.compile(env["messageRegex"])
    # a broken result is "environment unreachable" for Allure exactly when golive says so
    for name in ENVIRONMENT_ERRORS:
        message = f"golive.errors.{name}: GET https://x: refused"
        assert pattern.fullmatch(message)
        assert category_of("broken", message) == "environment unreachable"
    assert not pattern.fullmatch("KeyError: 'buyers'")
    assert category_of("broken", "KeyError: 'buyers'") == "harness error"


def test_quality_gate_follows_the_policy(tmp_path: Path) -> None:
    policy = Policy(blocking_severities=["blocker"], unchecked_blocks=False)
    text, _ = write_config(tmp_path, policy, planned=7)
    assert 'const BLOCKING = ["blocker"];' in text
    assert "const UNCHECKED_BLOCKS = false;" in text
    rules = gate_rules(text)
    assert rules == [
        {"id": "no failed item of a blocking severity (blocker)", "blockingFailed": 0},
        {"id": "no item broken or not run of a blocking severity (blocker)", "notChecked": 0},
        {"id": "a result for every planned item (7 not waived)", "resultsSeen": 7},
        {"id": "at least 1 checks concluded (policy.min_checks)", "minConcluded": 1},
    ]
    text, _ = write_config(tmp_path, Policy(required=["MTP-*"], min_checks=3))
    assert 'const BLOCKING = ["blocker", "critical"];' in text
    assert "const UNCHECKED_BLOCKS = true;" in text
    rules = gate_rules(text)
    assert rules[1] == {"id": "no item broken or not run", "notChecked": 0}
    assert rules[3]["minConcluded"] == 3
    assert rules[4] == {"id": "required items ran (policy.required)", "requiredRan": ["MTP-*"]}
    assert 'const REQUIRED = {"MTP-*": "^MTP\\\\-.*$"};' in text


def test_waivers_are_accepted_known_issues_and_leave_the_expected_count(tmp_path: Path) -> None:
    w1 = waiver("MTP-06", subject="TP-1003 (a.b)", expires=date(2027, 4, 1), reason="later")
    w2 = waiver("EINV-11", reason="by hand")
    text, _ = write_config(
        tmp_path, planned=10, waivers=[(w1, ["tc1", "tc2"], "TP-1003 (a.b)"), (w2, ["tc3"], "")]
    )
    rules = config_of(text)["resolutions"]["rules"]
    assert rules == [
        {
            "resolution": "accepted",
            "comment": "waived by R. Manager until 2027-04-01: later",
            "testCaseId": ["tc1", "tc2"],
            "messageRegexp": re.escape("TP-1003 (a.b)"),
        },
        {
            "resolution": "accepted",
            "comment": "waived by R. Manager until 2027-04-01: by hand",
            "testCaseId": ["tc3"],
        },
    ]
    assert re.search(rules[0]["messageRegexp"], "TP-1003 (a.b): no buyers")
    assert not re.search(rules[0]["messageRegexp"], "TP-1003 (axb)")
    assert gate_rules(text)[2]["resultsSeen"] == 8


def test_waiver_without_test_case_makes_no_rule(tmp_path: Path) -> None:
    text, _ = write_config(tmp_path, waivers=[(waiver(), [], "")])
    assert config_of(text)["resolutions"]["rules"] == []


def test_environment_properties(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    write_environment(results, {"environment": "sandbox", "sandbox faults": "none", "run": "r1"})
    assert (results / "environment.properties").read_text() == (
        "environment=sandbox\nsandbox.faults=none\nrun=r1\n"
    )


def test_evidence_links_only_for_results_in_the_report(tmp_path: Path) -> None:
    present = hashlib.md5(b"uuid-1").hexdigest()
    (tmp_path / "test-results.json").write_text(json.dumps({"byId": {present: {}}}))
    links = evidence_links(tmp_path, {"MTP-01|": "uuid-1", "MTP-02|": "uuid-2"})
    assert links == {"MTP-01|": f"allure-report/index.html#/{present}"}


@pytest.mark.parametrize("content", [None, "{trunc", "[]"], ids=["absent", "corrupt", "a list"])
def test_evidence_links_without_a_readable_report(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "test-results.json").write_text(content)
    assert evidence_links(tmp_path, {"MTP-01|": "uuid-1"}) == {}


def test_point_latest_moves_the_link(tmp_path: Path) -> None:
    first, second = tmp_path / "20270101-000000-a", tmp_path / "20270102-000000-b"
    first.mkdir()
    second.mkdir()
    point_latest(tmp_path, first)
    point_latest(tmp_path, second)
    latest = tmp_path / "latest"
    assert latest.is_symlink() and latest.readlink() == Path(second.name)  # relative
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name, "latest"]


def test_allure_command_prefers_the_variable_then_the_local_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_ALLURE", "/opt/allure")
    assert allure_command(tmp_path) == ["/opt/allure"]
    monkeypatch.delenv("GOLIVE_ALLURE")
    local = tmp_path / "node_modules" / ".bin" / "allure"
    local.parent.mkdir(parents=True)
    local.write_text("")
    assert allure_command(tmp_path) == [str(local)]


ALLURE_HEAD = """<head><title>r</title></head><body><div id="app"></div>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('config', 'G-X', {"report": "awesome"});
    </script>
    <script>window.allure = {}</script></body>"""


def test_the_report_loses_its_analytics_script(tmp_path: Path) -> None:
    index = tmp_path / "index.html"
    index.write_text(ALLURE_HEAD)
    assert finish_report(index) is None
    html = index.read_text()
    assert "googletagmanager" not in html and "gtag" not in html
    assert '<div id="app"></div>' in html and "<script>window.allure = {}</script>" in html


SINGLE_FILE = """<body><div id="app"></div>
    <script>window.allure = {}</script>
    <script   src="data:text/javascript;base64,QVBQ"></script>
    <script async>window.allureReportData = window.allureReportData || {};</script>
    <script defer>window.allureReportDataReady = true</script></body>"""


def test_the_report_defines_its_embedded_data_before_its_app(tmp_path: Path) -> None:
    """The app asks the map first (tests/test_signoff_browser.py shows the race)."""
    index = tmp_path / "index.html"
    index.write_text(SINGLE_FILE)
    assert finish_report(index) is None
    html = index.read_text()
    assert html.index(DATA_FIRST) < html.index('src="data:text/javascript')
    assert html.replace(DATA_FIRST, "") == SINGLE_FILE
    assert finish_report(index) is None and index.read_text() == html  # once only


def test_a_report_that_would_still_call_analytics_is_removed(tmp_path: Path) -> None:
    index = tmp_path / "index.html"
    index.write_text('<script src="https://www.googletagmanager.com/gtm.js"></script>')
    assert finish_report(index) == (
        "the report would call an analytics service when opened; removed"
    )
    assert not index.exists()


def test_set_environment_puts_the_verdict_first_once(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    write_environment(results, {"environment": "sandbox", "run": "r1"})
    set_environment(results, "verdict", "GO")
    set_environment(results, "verdict", "NO-GO")
    assert (results / "environment.properties").read_text() == (
        "verdict=NO-GO\nenvironment=sandbox\nrun=r1\n"
    )
