"""Issue 17, family A, "Nothing checked, still GO": a waiver covers a check that ran and
failed, not one that could not run (unless it says ``covers: not_checked``, shown as
such); the minimum-check rule counts only checks that concluded; a policy under which
nothing could block is refused when the scenario is loaded."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from golive.attest import ATTESTATION
from golive.config import load_scenario, load_waivers
from golive.errors import ScenarioError

from .runs import make_run

Golive = Callable[..., tuple[int, str, str]]
WAIVER = {"id": "MTP-05", "reason": "known", "approved_by": "Jane Roe", "expires": "2027-12-31"}
NOT_CHECKED = {**WAIVER, "covers": "not_checked"}


def signoff(run: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((run / "signoff.json").read_text())
    return doc


@pytest.mark.parametrize("status", ["broken", "skipped", ""], ids=["broken", "not run", "missing"])
def test_a_waiver_does_not_cover_a_check_that_could_not_run(
    tmp_path: Path, golive: Golive, status: str
) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": status}, waivers=[WAIVER])
    assert signoff(run)["verdict"] == "NO-GO"
    assert golive("gate", str(run))[0] == 1


def test_a_not_checked_waiver_covers_a_broken_check_and_says_so(tmp_path: Path) -> None:
    statuses = {"MTP-05": "broken", "MTP-06": "passed"}
    run = make_run(tmp_path, statuses=statuses, waivers=[NOT_CHECKED])
    doc = signoff(run)
    assert doc["verdict"] == "GO WITH WAIVERS"
    assert any("waived as not checked by Jane Roe" in w for w in doc["warnings"])
    assert "| WAIVED: NOT CHECKED (BROKEN) |" in (run / "signoff.md").read_text()
    assert "WAIVED: NOT CHECKED (BROKEN)" in (run / "signoff.html").read_text()


def test_a_not_checked_waiver_covers_a_missing_result(tmp_path: Path) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "", "MTP-06": "passed"}, waivers=[NOT_CHECKED])
    assert signoff(run)["verdict"] == "GO WITH WAIVERS"


def test_a_waived_broken_check_alone_is_not_a_concluded_check(tmp_path: Path) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "broken"}, waivers=[NOT_CHECKED])
    assert signoff(run)["reasons"] == [
        "0 checks concluded (passed or failed); the policy needs at least 1"
    ]


def test_a_not_checked_waiver_does_not_cover_a_failure(tmp_path: Path) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "failed"}, waivers=[NOT_CHECKED])
    doc = signoff(run)
    assert doc["verdict"] == "NO-GO"
    assert "waiver for MTP-05 matched no failing item" in doc["warnings"]


def test_the_attestation_of_a_not_checked_waiver_is_warned_not_passed(tmp_path: Path) -> None:
    statuses = {"MTP-05": "broken", "MTP-06": "passed"}
    run = make_run(tmp_path, statuses=statuses, waivers=[NOT_CHECKED])
    env = json.loads((run / ATTESTATION).read_text())
    predicate = json.loads(base64.b64decode(env["payload"]))["predicate"]
    assert predicate["result"] == "WARNED" and predicate["warnedTests"] == ["MTP-05"]


def test_every_system_unreachable_is_no_go_even_with_no_blocking_severity(tmp_path: Path) -> None:
    policy = {"blocking_severities": [], "unchecked_blocks": True}
    run = make_run(tmp_path, statuses={"MTP-05": "broken", "MTP-06": "broken"}, policy=policy)
    assert signoff(run)["verdict"] == "NO-GO"


def test_every_check_broken_is_no_go_when_unchecked_does_not_block(tmp_path: Path) -> None:
    policy = {"blocking_severities": ["minor"], "unchecked_blocks": False}
    run = make_run(tmp_path, statuses={"MTP-05": "broken", "MTP-06": "broken"}, policy=policy)
    doc = signoff(run)
    assert doc["verdict"] == "NO-GO"
    assert doc["reasons"] == ["0 checks concluded (passed or failed); the policy needs at least 1"]


def test_min_checks_is_not_met_by_broken_checks(tmp_path: Path) -> None:
    policy = {"min_checks": 3, "unchecked_blocks": False}
    statuses = {"MTP-05": "passed", "MTP-06": "passed", "ERP-01": "broken"}
    run = make_run(tmp_path, statuses=statuses, policy=policy)
    assert signoff(run)["verdict"] == "NO-GO"


def test_a_required_item_that_only_broke_did_not_run(tmp_path: Path) -> None:
    policy = {"required": ["ERP-*"], "unchecked_blocks": False}
    run = make_run(tmp_path, statuses={"MTP-05": "passed", "ERP-01": "broken"}, policy=policy)
    assert "required ERP-* did not run" in signoff(run)["reasons"]


SCENARIO = """version: 1
environment: {name: stage, tier: staging}
systems:
  partners: {adapter: partner-platform, base_url: 'https://p.example/api/'}
policy:
  blocking_severities: []
  unchecked_blocks: false
"""


def test_a_policy_under_which_nothing_blocks_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "lenient.yaml"
    path.write_text(SCENARIO)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, env={})
    err = caught.value
    assert (err.key, err.line) == ("policy", 5)
    assert "nothing could keep a run from GO" in str(err)
    assert str(err).startswith(f"{path}:5: policy: ")


def test_golive_run_with_such_a_policy_is_exit_2_before_anything_runs(
    tmp_path: Path, golive: Golive
) -> None:
    path = tmp_path / "lenient.yaml"
    path.write_text(SCENARIO)
    out = tmp_path / "reports"
    code, _, err = golive("run", "--scenario", str(path), "--output", str(out))
    assert code == 2 and err.startswith(f"golive: {path}:5: policy: ")
    assert not out.exists()


def test_an_earlier_run_with_such_a_policy_cannot_be_judged(tmp_path: Path, golive: Golive) -> None:
    policy = {"blocking_severities": [], "unchecked_blocks": False}
    run = make_run(tmp_path, policy=policy, judge=False)
    code, out, _ = golive("gate", str(run))
    assert code == 2 and "nothing could keep a run from GO" in out


def test_a_waiver_that_covers_something_else_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n  - id: MTP-05\n    reason: r\n    approved_by: J\n    expires: 2027-12-31\n"
        "    covers: anything\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_waivers(path)
    assert caught.value.key == "waivers.0.covers" and caught.value.line == 6
