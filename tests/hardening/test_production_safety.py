"""Group 3: a production-tier run changes nothing, and says who it is.

Every checklist runs against a live sandbox under a production-tier scenario; the
sandbox's own request log is the judge. The only POSTs allowed are the browser's session
POSTs the scenario lists (``browser.session_posts``) and the calls an adapter declares
read-only (``read_only=True``: Storecove's discovery, an extension's dry run).

Already covered elsewhere (not repeated): mutating requests are never retried
(tests/test_http.py test_reads_are_retried_and_changes_never); the guard refuses a change
unless the check is allowed (test_production_refuses_changes_unless_the_check_is_allowed),
and allowed MTP items move each partner exactly once (tests/test_safety.py)."""

from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from golive import launcher
from golive.errors import MutationRefused, TargetResponseError
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from tests.conftest import OWN_IDS, OWN_PACKS, ROOT, external_scenario, request_log
from tests.hardening.conftest import Target, run_in

READ_ONLY_POSTS = ("/api/v2/discovery/*", "*/sandbox-ext/extensions/*/invoke")
MUTATING_IDS = set(
    re.findall(
        r"@([A-Z]+-\d+)\b[^\n]*@mutating",
        "".join(f.read_text() for p in OWN_PACKS for f in p.feature_files()),
    )
)


def test_a_post_declared_read_only_passes_the_guard_once_and_is_never_retried(
    target: Target,
) -> None:
    guard = MutationGuard("production", [])
    guard.current_check = "EINV-08"
    http = HttpClient(
        "storecove", target.url, redactor=Redactor(), guard=guard, run_id="r-1", backoff=0.01
    )
    with pytest.raises(MutationRefused):
        http.send_json("POST", "/echo/discovery", {"identifier": "x"})
    assert target.hits == []  # refused before anything was sent
    with pytest.raises(TargetResponseError):
        http.send_json("POST", "/error/discovery", {"identifier": "x"}, read_only=True)
    assert target.hits == [("POST", "/error/discovery")]  # sent, once: a POST is not retried
    with pytest.raises(MutationRefused):  # the declaration is per call, not per client
        http.send_json("PUT", "/echo/discovery", {})


def test_a_production_run_of_every_checklist_changes_nothing(tmp_path: Path) -> None:
    token = os.environ.get(launcher.TOKEN_VAR) or "prod-safety-token-1"
    os.environ[launcher.TOKEN_VAR] = token
    sandbox = launcher.start([])
    try:
        scenario = external_scenario(tmp_path, sandbox.url, "production", [])
        run = run_in(
            ROOT, "--scenario", str(scenario), "-n", "2", out=tmp_path / "r", **{
                launcher.TOKEN_VAR: token}
        )  # fmt: skip
        log = [r for r in request_log(sandbox.url) if r["path"] != "/sandbox/requests"]
    finally:
        sandbox.stop()
    assert run.code == 1, run.stdout + run.stderr  # the changing items did not run: not GO
    items = run.signoff["items"]
    statuses = {(i["id"], i["status"]) for i in items}
    # every checklist of golive's own packs ran, and only the @mutating items were held back
    assert {i.split("-")[0] for i, _ in statuses} == set(OWN_IDS)
    assert {i for i, s in statuses if s != "passed"} == MUTATING_IDS, statuses
    assert {s for i, s in statuses if i in MUTATING_IDS} == {"skipped"}
    # the sandbox saw no change: only reads, session POSTs and declared read-only POSTs
    session = ["/monitor/*/login", "/monitor/*/switch", "/*/portal/login", "/*/admin/login"]
    allowed = [*session, *READ_ONLY_POSTS]
    changes = [
        f"{r['method']} {r['path']}"
        for r in log
        if r["method"] not in ("GET", "HEAD")
        and not (r["method"] == "POST" and any(fnmatchcase(r["path"], p) for p in allowed))
    ]
    assert changes == []
    posts = {r["path"] for r in log if r["method"] == "POST"}
    assert any(p.startswith("/api/v2/discovery/") for p in posts)  # EINV-08 did run
    assert any(p.endswith("/portal/login") for p in posts)  # the browser was driven
    # every request, the browser's included, says it is golive's, with this run's ID
    # (not golive's: the launcher's health probe, and the sandbox hub's own calls to the
    # provider, system to system, as the real Connect hub makes them)
    others = [
        r
        for r in log
        if r["path"] == "/health"
        or (not r["verification"] and re.fullmatch(r"/api/v2/legal_entities/\d+", r["path"]))
    ]
    marked = [r for r in log if r not in others]
    assert len(marked) > 100
    assert {r["verification"] for r in marked} == {run.signoff["run"]["run_id"]}
