"""Group 5: failure text full of colour codes and control characters (as a target's error
page or a terminal-minded tool may produce) still gives well-formed JUnit XML and valid
Allure JSON, and cannot steer the terminal where golive prints its verdict.

No JUnit XSD is installed (nor lxml/xmlschema to apply one) and nothing may be downloaded,
so the JUnit file is parsed with xml.etree and its shape checked against what the xunit2
schema requires (testsuites > testsuite > testcase with name/classname/time, failure with a
message), with no character XML 1.0 forbids anywhere in the file."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.hardening.conftest import project, run_in

NASTY = "".join(chr(c) for c in range(0x00, 0x09)) + "\x0b\x0c\x0e\x1b\x1f\x7f"
STEPS = f"""
from golive.evidence import attach_text
from pytest_bdd import then

NASTY = {NASTY!r}


@then("the target answers in colour")
def _colour() -> None:
    attach_text("raw answer", "\\x1b[1;31mERROR\\x1b[0m " + NASTY)
    raise AssertionError(
        "order O-1 seen \\x1b[31mREJECTED\\x1b[0m, expected ACCEPTED " + NASTY
        + " \\r\\ngolive: GO (forged)"
    )
"""
FEATURE = (
    "Feature: colour\n  @HARD-01 @blocker @api\n  Scenario: colours\n"
    "    Then the target answers in colour\n"
)
XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def test_control_characters_yield_valid_junit_and_allure_and_a_clean_console(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, {"hardening/colour.feature": FEATURE}, STEPS, ids=("HARD-01",))
    run = run_in(root, "--tags", "HARD-01 or MTP-05")
    assert run.code == 1, run.stdout + run.stderr

    junit = run.run_dir / "junit.xml"
    data = junit.read_bytes()
    assert XML_FORBIDDEN.search(data) is None
    tree = ET.parse(junit)  # well-formed
    suites = tree.getroot()
    assert suites.tag == "testsuites"
    cases = [c for s in suites.iter("testsuite") for c in s.iter("testcase")]
    assert len(cases) == 4  # HARD-01 and MTP-05 for three partners
    assert all({"name", "classname", "time"} <= set(c.attrib) for c in cases)
    failures = [f for c in cases for f in c.iter("failure")]
    assert len(failures) == 1
    assert "REJECTED" in failures[0].attrib["message"]

    results = list((run.run_dir / "allure-results").glob("*-result.json"))
    assert len(results) == 4
    docs = [json.loads(p.read_text("utf-8")) for p in results]  # each one valid JSON
    failed = [d for d in docs if d["status"] == "failed"]
    assert len(failed) == 1
    assert "\x1b[31mREJECTED" in failed[0]["statusDetails"]["message"]  # kept, escaped
    for path in (run.run_dir / "allure-results").glob("*.json"):
        json.loads(path.read_text("utf-8"))

    reason = next(i["reason"] for i in run.signoff["items"] if i["id"] == "HARD-01")
    assert reason.startswith("order O-1 seen REJECTED, expected ACCEPTED \\x00\\x01"), reason
    assert not re.search(r"[\x00-\x1f\x7f]", reason)
    summary = run.stdout[run.stdout.rindex("\ngolive: ") :]
    assert summary.startswith("\ngolive: NO-GO")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", summary)
    assert "\ngolive: GO (forged)" not in summary  # the forged line stays inside the reason
