"""Group 1a: a target that cannot be checked never yields GO.

Every system of the scenario points at a local target that misbehaves in one way; the run
must end in bounded time with the items it reached broken, category "environment
unreachable" (not "product defect"), and the verdict NO-GO. MTP-05 (three partners, one
GET each) is enough to reach the target; the failure text must say what went wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.hardening.conftest import (
    CANARY,
    Target,
    closed_port,
    encodings,
    leaks,
    pointed_at,
    run_in,
)

# mode: (path on the target, scenario additions per system, text the reason must hold)
MODES = {
    "connection refused": ("", "", "connection refused (after 3 attempts)"),
    "too slow": ("/slow", "\n    timeout: 1\n    retries: 1", "timed out waiting for the response"),
    "5xx": ("/error", "", "HTTP 500 Internal Server Error"),
    "429 with Retry-After": ("/throttled", "\n    retries: 1", "HTTP 429"),
    "cut short": ("/cut", "", "the response was cut short"),
    "truncated JSON": ("/halfjson", "", "with a body that is not JSON"),
    "HTML, not JSON": ("/html", "", "with a body that is not JSON"),
}


def judge_unreachable(run: Run, expected: str) -> None:
    # that it ends at all is run_in's timeout; how fast is bench's to measure
    assert run.code == 1, run.stdout + run.stderr
    doc = run.signoff
    assert doc["verdict"] == "NO-GO"
    items = doc["items"]
    assert len(items) == 3
    for item in items:
        assert item["status"] == "broken", item
        assert item["category"] == "environment unreachable", item
        assert expected in item["reason"], item["reason"]
        assert item["subject"] in item["reason"]  # names the partner's URL
    # and the credentials sent to the misbehaving target stay out of every file
    assert leaks(run.run_dir, encodings(CANARY)) == []


def run_against(tmp_path: Path, base: str, extra: str) -> Run:
    scenario = pointed_at(tmp_path, base, extra)
    args = ("--scenario", str(scenario), "--tags", "MTP-05")
    return run_in(ROOT, *args, out=tmp_path / "reports", GOLIVE_SANDBOX_TOKEN=CANARY)


@pytest.mark.parametrize("mode", MODES, ids=list(MODES))
def test_an_unusable_target_is_broken_environment_unreachable_and_no_go(
    target: Target, tmp_path: Path, mode: str
) -> None:
    path, extra, expected = MODES[mode]
    base = f"http://127.0.0.1:{closed_port()}" if mode == "connection refused" else target.url
    run = run_against(tmp_path, base + path, extra)
    judge_unreachable(run, expected)
    if mode == "429 with Retry-After":  # retried once (retries: 1), after the capped delay
        assert len(target.hits) == 6
    if mode == "5xx":  # a 500 is not retried: it is an answer, not a hiccup
        assert len(target.hits) == 3


def test_a_self_signed_certificate_is_not_accepted(tls_target: Target, tmp_path: Path) -> None:
    run = run_against(tmp_path, tls_target.url, "")
    judge_unreachable(run, "TLS certificate not accepted")
    assert tls_target.hits == []  # no request got through the failed handshake
