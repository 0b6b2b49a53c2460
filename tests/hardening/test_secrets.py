"""Group 2: a canary credential never reaches a file of the run or the console.

Every credential of the scenario is GOLIVE_SANDBOX_TOKEN, set here to a canary; the runs
fail in the ways that carry the most text (a browser step that typed the password and left
a trace and a screenshot, a custom action's error body, an API check, a target that echoes
the request's headers back in its error page). Each run folder (Allure results and
attachments, unzipped Playwright traces, screenshots' bytes and metadata, JUnit, signoff,
the HTML report) and the console are searched for the canary in every encoded form.

Already covered elsewhere (not repeated): redirects to another host drop Authorization,
Cookie and every credential header (tests/test_http.py
test_redirect_to_another_host_drops_credentials); two API faults with the HTML report
(tests/test_safety.py test_credentials_leave_no_trace_even_when_checks_fail)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.conftest import ROOT
from tests.hardening.conftest import (
    CANARY,
    Target,
    echoed,
    encodings,
    leaks,
    pointed_at,
    run_in,
)

ENV_CANARY = "EnvCanary-Q9w-Mallard-7731"  # in the process environment, innocuously named
ALLOWLIST = {"environment", "tier", "scenario", "run", "golive", "sandbox.faults", "verdict"}
FAULTS = [
    "portal-login-lands-on-error",  # UPG-04: the browser typed the password, then failed
    "admin-password-expired",  # UPG-13: the admin login refused
    "custom-action-error",  # UPG-11: an extension's error body
    "buyers-empty",  # MTP-06: an API check
]


def test_failing_runs_leave_no_canary_in_reports_traces_or_console(tmp_path: Path) -> None:
    args = [a for f in FAULTS for a in ("--sandbox-fault", f)]
    run = run_in(
        ROOT,
        *args,
        "--tags",
        "UPG-04 or UPG-13 or UPG-11 or MTP-06",
        "--no-html",
        out=tmp_path / "reports",
        GOLIVE_SANDBOX_TOKEN=CANARY,
        BUILD_NOTE=ENV_CANARY,
    )
    assert run.code == 1, run.stdout + run.stderr
    failing = {i["id"] for i in run.signoff["items"] if i["status"] != "passed"}
    assert failing == {"UPG-04", "UPG-13", "UPG-11", "MTP-06"}, failing
    files = [p for p in run.run_dir.rglob("*") if p.is_file()]
    traces = [p for p in files if zipfile.is_zipfile(p)]
    screenshots = [p for p in files if p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"]
    assert len(traces) >= 2 and len(screenshots) >= 2  # the browser failures left evidence
    needles = [*encodings(CANARY), ENV_CANARY]
    assert leaks(run.run_dir, needles) == []
    for needle in needles:
        assert needle not in run.stdout + run.stderr
    # the password was there and was masked, not merely absent
    trace_text = b"".join(
        zipfile.ZipFile(t).read(n) for t in traces for n in zipfile.ZipFile(t).namelist()
    )
    assert b"***" in trace_text
    # the environment section lists golive's allowlist, never the process environment
    properties = (run.run_dir / "allure-results" / "environment.properties").read_text()
    keys = {line.split("=", 1)[0] for line in properties.splitlines() if line}
    assert keys == ALLOWLIST


def test_a_target_echoing_credentials_back_does_not_leak_them(
    target: Target, tmp_path: Path
) -> None:
    """A gateway's error page that repeats the request's headers: bearer token, basic
    auth, API key and secret headers all come back in the body that golive quotes."""
    scenario = pointed_at(tmp_path, f"{target.url}/echo")
    run = run_in(
        ROOT,
        "--scenario",
        str(scenario),
        "--tags",
        "MTP-05 or UPG-02",
        out=tmp_path / "reports",
        GOLIVE_SANDBOX_TOKEN=CANARY,
    )
    assert run.code == 1, run.stdout + run.stderr
    items = run.signoff["items"]
    assert {(i["status"], i["category"]) for i in items} == {("broken", "environment unreachable")}
    assert any("***" in i["reason"] for i in items)  # quoted, with the credentials masked
    assert len(target.hits) >= 4
    assert leaks(run.run_dir, encodings(CANARY)) == []
    for needle in encodings(CANARY):
        assert needle not in run.stdout + run.stderr


ECHO_CANARY = "Canary&Hx7q<Zebra>4412'"  # characters that HTML escaping changes


def test_a_target_echoing_credentials_mangled_does_not_leak_them(
    target: Target, tmp_path: Path
) -> None:
    """Issue 17, family B: the credential comes back HTML-escaped, hex-encoded (both
    cases), upper-cased, \\u-escaped and split by a line break, its plain form where the
    200-character cut of a quoted body falls inside it. None of these reaches a file of
    the run or the console, nor does the part of the secret before the cut."""
    scenario = pointed_at(tmp_path, f"{target.url}/encoded")
    run = run_in(
        ROOT,
        "--scenario",
        str(scenario),
        "--tags",
        "MTP-05 or UPG-02",
        out=tmp_path / "reports",
        GOLIVE_SANDBOX_TOKEN=ECHO_CANARY,
    )
    assert run.code == 1, run.stdout + run.stderr
    forms = [*echoed(ECHO_CANARY).values(), *encodings(ECHO_CANARY), ECHO_CANARY[:8]]
    needles = sorted({n for f in forms for n in (f, json.dumps(f)[1:-1])})
    found = leaks(run.run_dir, needles)
    shown = [n for n in needles if n in run.stdout + run.stderr]
    assert (found, shown, "***" in json.dumps(run.signoff["items"])) == ([], [], True)
