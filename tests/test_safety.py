"""Secrets never reach a report or the console; production is only read unless allowed."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import quote

import yaml

from golive import launcher
from tests.conftest import OWN_PACKS, ROOT, Run, external_scenario, golive_env, request_log

MUTATING = re.compile(r"@([A-Z][A-Z0-9]*-\d+)\b[^\n]*@mutating")
CANARY = "CanaryTok-9d1e-Zz_unique"
# The partner checklist only: every checklist on production is
# tests/hardening/test_production_safety.py's business.
MTP = " or ".join(f"MTP-{n:02d}" for n in range(1, 11))


def encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
        base64.b64encode(f"golive:{secret}".encode()).decode().rstrip("="),
    ]


# An item or two of every system the sandbox scenario names (partners, mailbox, monitor
# over its API and in the browser, hub, storecove, both billing instances, the billing
# extensions, both portals): the canary is every system's credential, and each is used.
EVERY_SYSTEM = (
    "MTP-04 or MTP-06 or MTP-08 or ERP-02 or ERP-06 or EINV-02 or EINV-09 or UPG-03"
    " or UPG-04 or UPG-07 or UPG-11 or UPG-13 or UPG-17 or UPG-18"
)


def test_credentials_leave_no_trace_even_when_checks_fail(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli(
        "run",
        "--tags",
        EVERY_SYSTEM,
        "--sandbox-fault",
        "buyers-empty",
        "--sandbox-fault",
        "move-not-persisted",
        env=golive_env(GOLIVE_SANDBOX_TOKEN=CANARY),
    )
    assert run.code == 1, run.stdout + run.stderr
    files = [p for p in run.run_dir.rglob("*") if p.is_file()]
    assert len(files) > 50  # results, attachments, report, junit, signoff
    for needle in encodings(CANARY):
        assert needle not in run.stdout + run.stderr
        leaked = [p for p in files if needle.encode() in p.read_bytes()]
        assert leaked == [], f"{needle!r} found in {leaked}"
    evidence = "".join(p.read_text() for p in run.run_dir.glob("allure-results/*-attachment.txt"))
    assert "Authorization: ***" in evidence  # the header was there, masked


def test_production_tier_changes_nothing_unless_allowed(
    golive_cli: Callable[..., Run], sandbox: launcher.RunningSandbox, tmp_path: Path
) -> None:
    env = golive_env(GOLIVE_SANDBOX_TOKEN=os.environ[launcher.TOKEN_VAR])
    run = golive_cli(
        "run",
        "--no-html",
        "--scenario",
        str(external_scenario(tmp_path, sandbox.url, "production", [])),
        "--tags",
        MTP,
        env=env,
    )
    log = [  # what golive sent: not the test's own calls, not the sandbox hub's own calls
        r
        for r in request_log(sandbox.url)
        if r["path"] not in ("/sandbox/requests", "/health")
        and not r["user_agent"].startswith("connect-hub/")
    ]
    sandbox_yaml = yaml.safe_load((ROOT / "scenarios" / "sandbox.yaml").read_text())
    session_posts = sandbox_yaml["browser"]["session_posts"]

    def session(path: str) -> bool:
        return any(fnmatchcase(path, p) for p in session_posts)

    changes = [r for r in log if r["method"] != "GET" and not session(r["path"])]
    assert log and changes == []
    assert {r["verification"] for r in log} == {run.signoff["run"]["run_id"]}
    assert run.code == 1  # the move items could not run: never GO
    not_run = {i["id"] for i in run.signoff["items"] if i["status"] == "skipped"}
    mutating = {
        m for p in OWN_PACKS for f in p.feature_files() for m in MUTATING.findall(f.read_text())
    }
    assert (
        not_run == {m for m in mutating if m.startswith("MTP-")} == {"MTP-08", "MTP-09", "MTP-10"}
    )
    assert all(
        "not run (allow it with policy.allow_mutating)" in i["reason"]
        for i in run.signoff["items"]
        if i["status"] == "skipped"
    )

    allowed = golive_cli(
        "run",
        "--no-html",
        "--tags",
        "MTP-08 or MTP-09 or MTP-10",
        "--scenario",
        str(external_scenario(tmp_path, sandbox.url, "production", ["MTP-08", "MTP-09", "MTP-10"])),
        env=env,
    )
    assert allowed.code == 0, allowed.stdout + allowed.stderr
    posts = [r for r in request_log(sandbox.url) if r["method"] != "GET" and not session(r["path"])]
    assert len(posts) == 3  # one Move to Production per partner, never repeated
