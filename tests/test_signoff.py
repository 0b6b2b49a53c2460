"""Waivers, approvals, integrity, and the signoff page as a person sees it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from golive.config import Policy, Waiver
from golive.results import Outcome, Planned
from golive.verdict import judge
from tests.conftest import FAR_FUTURE, LONG_AGO, Run, golive_env, golive_process

TOMORROW = FAR_FUTURE  # valid on the date of any run this suite makes, under any clock
TODAY = date(2027, 1, 1)  # the reference date the in-process verdicts are judged on


VALID = f"""waivers:
  - id: MTP-06
    subject: TP-1003
    reason: buyers are loaded by the go-live migration (OPS-123)
    approved_by: Jane Roe
    expires: {TOMORROW}
"""
# both for MTP-06 and any subject: either, if it counted, would waive TP-1003's failure
INVALID = f"""waivers:
  - id: MTP-06
    reason: later
    approved_by: Jane Roe
    expires: {LONG_AGO}
  - id: MTP-06
    reason: later
    expires: {TOMORROW}
"""


@dataclass
class Finished:
    go: Run
    nogo: Run
    waived: Run
    public_key: Path  # the public half of the key the waived run was signed with


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Finished:
    """The runs the tests here share (a test that changes a run copies it first), each
    into a reports folder of its own (no previous run to compare with), all of MTP-06:

    - ``go``: a healthy sandbox, GO, with its HTML report;
    - ``nogo``: buyers-empty (MTP-06 fails for TP-1003), with its HTML report, and an
      expired and an unapproved waiver for MTP-06: NO-GO;
    - ``waived``: buyers-empty with TP-1003's failure waived (GO WITH WAIVERS), signed
      with a key made here."""
    from tests.adversarial.runs import keypair

    top = tmp_path_factory.mktemp("runs")
    (top / "valid.yaml").write_text(VALID)
    (top / "invalid.yaml").write_text(INVALID)
    private, public = keypair(top)
    fault = ["--tags", "MTP-06", "--sandbox-fault", "buyers-empty"]
    made: dict[str, Run] = {}
    for name, args, env in (
        ("go", ["--tags", "MTP-06"], golive_env()),
        ("nogo", [*fault, "--waivers", str(top / "invalid.yaml")], golive_env()),
        (
            "waived",
            ["--no-html", *fault, "--waivers", str(top / "valid.yaml")],
            golive_env(GOLIVE_SIGNING_KEY_FILE=str(private)),
        ),
    ):
        out = top / name
        done = golive_process(["run", "--output", str(out), *args], env=env)
        made[name] = Run(done.returncode, done.stdout, done.stderr, out)
    return Finished(made["go"], made["nogo"], made["waived"], public)


def copy(run: Run, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.run_dir, tmp_path / run.run_dir.name))


def test_a_valid_waiver_turns_no_go_into_go_with_waivers(finished: Finished) -> None:
    run = finished.waived
    assert run.code == 0, run.stdout + run.stderr
    doc = run.signoff
    assert doc["verdict"] == "GO WITH WAIVERS"
    item = next(i for i in doc["items"] if i["subject"] == "TP-1003")
    assert item["status"] == "failed" and item["waiver"]["approved_by"] == "Jane Roe"
    assert (
        "| MTP-06 | At least one buyer is set up | TP-1003 | blocker | WAIVED |"
        in (run.run_dir / "signoff.md").read_text()
    )
    assert any("waived by Jane Roe" in w for w in doc["warnings"])


@pytest.mark.parametrize(
    "problem", [f"expired on {LONG_AGO}", "not approved"], ids=["expired", "unapproved"]
)
def test_an_expired_or_unapproved_waiver_does_not_count(finished: Finished, problem: str) -> None:
    """The NO-GO run carries both waivers: had either counted, MTP-06's one failure
    (TP-1003) would be waived and the run GO WITH WAIVERS (exit 0)."""
    run = finished.nogo
    assert run.code == 1, run.stdout + run.stderr
    assert f"waiver for MTP-06 {problem}: not applied" in run.signoff["warnings"]


def test_a_malformed_waiver_file_exits_2(golive_cli: Callable[..., Run], tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - id: mtp6\n    reason: x\n    expires: soon\n")
    run = golive_cli("run", "--waivers", str(waivers))
    assert run.code == 2
    assert run.stderr.startswith(f"golive: {waivers}:2: waivers.0.id: string should match"), (
        run.stderr
    )


def test_approving_a_go_run_is_recorded_and_verified(
    golive_cli: Callable[..., Run], finished: Finished, tmp_path: Path
) -> None:
    assert finished.go.code == 0, finished.go.stdout + finished.go.stderr
    run_dir = copy(finished.go, tmp_path)
    ok = golive_cli(
        "signoff",
        "approve",
        str(run_dir),
        "--by",
        "Jane Roe",
        "--role",
        "release manager",
        "--comment",
        "all green",
    )
    assert ok.code == 0, ok.stderr
    assert "Jane Roe (release manager)" in (run_dir / "signoff.html").read_text()
    verified = golive_cli("verify", str(run_dir))
    assert verified.code == 0
    assert "approved by Jane Roe" in verified.stdout and "run unchanged since" in verified.stdout
    signoff = json.loads((run_dir / "signoff.json").read_text())
    signoff["verdict"] = "GO!"
    (run_dir / "signoff.json").write_text(json.dumps(signoff))
    tampered = golive_cli("verify", str(run_dir))
    assert tampered.code == 1
    assert "changed: signoff.json" in tampered.stdout and "the run changed since" in tampered.stdout


def test_approving_a_no_go_is_refused_with_the_reason(
    golive_cli: Callable[..., Run], finished: Finished, tmp_path: Path
) -> None:
    run_dir = copy(finished.nogo, tmp_path)
    refused = golive_cli("signoff", "approve", str(run_dir), "--by", "Jane", "--role", "rm")
    assert refused.code == 2
    assert "refused: the verdict is NO-GO (MTP-06 [TP-1003] failed" in refused.stderr
    rejected = golive_cli("signoff", "reject", str(run_dir), "--by", "Jane", "--role", "rm")
    assert rejected.code == 0
    assert "rejected by Jane" in (run_dir / "signoff.html").read_text()


def test_a_signed_run_detects_a_rewritten_manifest(
    golive_cli: Callable[..., Run], finished: Finished, tmp_path: Path
) -> None:
    assert finished.waived.code == 0, finished.waived.stdout + finished.waived.stderr
    run_dir = copy(finished.waived, tmp_path)
    # the reader has the public key only
    reader = golive_env(GOLIVE_PUBLIC_KEY_FILE=str(finished.public_key))
    verified = golive_cli("verify", str(run_dir), env=reader)
    assert verified.code == 0 and "golive: intact (signature valid)" in verified.stdout
    assert "attestation valid (https://in-toto.io/attestation/test-result/v0.1)" in verified.stdout
    (run_dir / "junit.xml").write_text("<testsuites/>")
    # rewrite the manifest to match the edit, as someone without the key would
    manifest = json.loads((run_dir / "manifest.json").read_text())
    import hashlib

    manifest["files"]["junit.xml"] = hashlib.sha256(b"<testsuites/>").hexdigest()
    canonical = json.dumps(manifest["files"], sort_keys=True, separators=(",", ":")).encode()
    manifest["digest"] = hashlib.sha256(canonical).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    checked = golive_cli("verify", str(run_dir), env=reader)
    assert checked.code == 1
    assert "signature does not match the configured public key" in checked.stdout


@pytest.fixture(scope="session")
def connect_options() -> None:
    """A local browser for the page test; the scenario's (``fixtures/browser.py``) is not
    needed to look at a file."""
    return None


def test_the_signoff_page_in_a_real_browser(
    finished: Finished, tmp_path: Path, browser: Browser
) -> None:
    # pytest-playwright's browser: a second sync_playwright() in a worker that already ran
    # a browser test fails (its event loop is still running)
    page_file = finished.nogo.run_dir / "signoff.html"
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(page_file.as_uri())
    verdict = page.get_by_test_id("verdict")
    assert verdict.locator("h1").inner_text() == "NO-GO"
    box = verdict.bounding_box()
    assert box is not None and box["y"] < 60  # the verdict comes first
    assert "no buyers set up" in verdict.inner_text()
    page.screenshot(path=str(tmp_path / "signoff.png"), full_page=True)
    pdf = page.pdf(path=str(tmp_path / "signoff.pdf"), format="A4")
    page.close()
    assert (tmp_path / "signoff.png").stat().st_size > 10_000
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type/Page") >= 1


def planned(id_: str, severity: str = "blocker", subject: str = "") -> Planned:
    return Planned(id_, "t", severity, "c", "f", "x.feature", 1, subject, False, False)


def outcome(p: Planned, status: str) -> Outcome:
    return Outcome(p.key, status, f"{status} reason", "", "u", 0, 1)


def test_verdict_rules() -> None:
    minor, blocker = planned("A-1", "minor"), planned("A-2", "blocker")
    results = {minor.key: outcome(minor, "failed"), blocker.key: outcome(blocker, "passed")}
    go = judge([minor, blocker], results, Policy(), today=TODAY)
    assert go.decision == "GO" and go.warnings == ["A-1 failed (minor): failed reason"]
    broken = judge(
        [minor, blocker], {**results, minor.key: outcome(minor, "broken")}, Policy(), today=TODAY
    )
    assert broken.decision == "NO-GO"  # a minor item that could not be checked still blocks
    lenient = Policy(unchecked_blocks=False)
    assert (
        judge(
            [minor, blocker],
            {**results, minor.key: outcome(minor, "broken")},
            lenient,
            today=TODAY,
        ).decision
        == "GO"
    )
    required = judge([minor, blocker], results, Policy(required=["B-*"]), today=TODAY)
    assert required.reasons == ["required B-* did not run"]
    too_few = judge([minor, blocker], results, Policy(min_checks=3), today=TODAY)
    assert too_few.reasons == ["2 checks concluded (passed or failed); the policy needs at least 3"]
    waiver = Waiver(
        id="A-2", reason="r", approved_by="x", expires=TODAY
    )  # valid through its last day
    failed = {**results, blocker.key: outcome(blocker, "failed")}
    assert (
        judge([minor, blocker], failed, Policy(), waivers=[waiver], today=TODAY).decision
        == "GO WITH WAIVERS"
    )
