"""Waivers, approvals, integrity, and the signoff page as a person sees it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from golive.config import Policy, Waiver
from golive.results import Outcome, Planned
from golive.verdict import judge
from tests.conftest import FAR_FUTURE, ROOT, Run, golive_env

TOMORROW = FAR_FUTURE  # valid on the date of any run this suite makes, under any clock
TODAY = date(2027, 1, 1)  # the reference date the in-process verdicts are judged on


def waiver_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


def test_a_valid_waiver_turns_no_go_into_go_with_waivers(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    waivers = waiver_file(
        tmp_path,
        f"""waivers:
  - id: MTP-06
    subject: TP-1003
    reason: buyers are loaded by the go-live migration (OPS-123)
    approved_by: Jane Roe
    expires: {TOMORROW}
""",
    )
    run = golive_cli(
        "run",
        "--no-html",
        "--tags",
        "MTP-06",
        "--sandbox-fault",
        "buyers-empty",
        "--waivers",
        str(waivers),
    )
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
    ("extra", "problem"),
    [
        ("approved_by: Jane Roe\n    expires: 2020-01-01", "expired on 2020-01-01: not applied"),
        (f"expires: {TOMORROW}", "not approved: not applied"),
    ],
)
def test_an_expired_or_unapproved_waiver_does_not_count(
    golive_cli: Callable[..., Run], tmp_path: Path, extra: str, problem: str
) -> None:
    waivers = waiver_file(tmp_path, f"waivers:\n  - id: MTP-06\n    reason: later\n    {extra}\n")
    run = golive_cli(
        "run",
        "--no-html",
        "--tags",
        "MTP-06",
        "--sandbox-fault",
        "buyers-empty",
        "--waivers",
        str(waivers),
    )
    assert run.code == 1
    assert f"waiver for MTP-06 {problem}" in run.signoff["warnings"]


def test_a_malformed_waiver_file_exits_2(golive_cli: Callable[..., Run], tmp_path: Path) -> None:
    waivers = waiver_file(tmp_path, "waivers:\n  - id: mtp6\n    reason: x\n    expires: soon\n")
    run = golive_cli("run", "--waivers", str(waivers))
    assert run.code == 2
    assert run.stderr.startswith(f"golive: {waivers}:2: waivers.0.id: string should match"), (
        run.stderr
    )


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One GO run and one NO-GO run, shared by the approval tests (they copy them)."""
    out = tmp_path_factory.mktemp("runs")
    for fault in ([], ["--sandbox-fault", "buyers-empty"]):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "golive",
                "run",
                "--output",
                str(out / "r"),
                "--tags",
                "MTP-06",
                *fault,
            ],
            cwd=ROOT,
            env=golive_env(),
            capture_output=True,
            check=False,
        )
        (out / "r" / "latest").resolve().rename(out / ("nogo" if fault else "go"))
    return out


def copy(finished: Path, name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(finished / name, tmp_path / name))


def test_approving_a_go_run_is_recorded_and_verified(
    golive_cli: Callable[..., Run], finished: Path, tmp_path: Path
) -> None:
    run_dir = copy(finished, "go", tmp_path)
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
    golive_cli: Callable[..., Run], finished: Path, tmp_path: Path
) -> None:
    run_dir = copy(finished, "nogo", tmp_path)
    refused = golive_cli("signoff", "approve", str(run_dir), "--by", "Jane", "--role", "rm")
    assert refused.code == 2
    assert "refused: the verdict is NO-GO (MTP-06 [TP-1003] failed" in refused.stderr
    rejected = golive_cli("signoff", "reject", str(run_dir), "--by", "Jane", "--role", "rm")
    assert rejected.code == 0
    assert "rejected by Jane" in (run_dir / "signoff.html").read_text()


def test_a_signed_run_detects_a_rewritten_manifest(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    from tests.adversarial.runs import keypair

    private, public = keypair(tmp_path)
    env = golive_env(GOLIVE_SIGNING_KEY_FILE=str(private))
    run = golive_cli("run", "--no-html", "--tags", "MTP-05", env=env)
    assert run.code == 0, run.stdout + run.stderr
    reader = golive_env(GOLIVE_PUBLIC_KEY_FILE=str(public))  # the reader has the public key only
    verified = golive_cli("verify", str(run.run_dir), env=reader)
    assert verified.code == 0 and "golive: intact (signature valid)" in verified.stdout
    assert "attestation valid (https://in-toto.io/attestation/test-result/v0.1)" in verified.stdout
    (run.run_dir / "junit.xml").write_text("<testsuites/>")
    # rewrite the manifest to match the edit, as someone without the key would
    manifest = json.loads((run.run_dir / "manifest.json").read_text())
    import hashlib

    manifest["files"]["junit.xml"] = hashlib.sha256(b"<testsuites/>").hexdigest()
    canonical = json.dumps(manifest["files"], sort_keys=True, separators=(",", ":")).encode()
    manifest["digest"] = hashlib.sha256(canonical).hexdigest()
    (run.run_dir / "manifest.json").write_text(json.dumps(manifest))
    checked = golive_cli("verify", str(run.run_dir), env=reader)
    assert checked.code == 1
    assert "signature does not match the configured public key" in checked.stdout


@pytest.fixture(scope="session")
def connect_options() -> None:
    """A local browser for the page test; the scenario's (``fixtures/browser.py``) is not
    needed to look at a file."""
    return None


def test_the_signoff_page_in_a_real_browser(
    finished: Path, tmp_path: Path, browser: Browser
) -> None:
    # pytest-playwright's browser: a second sync_playwright() in a worker that already ran
    # a browser test fails (its event loop is still running)
    page_file = finished / "nogo" / "signoff.html"
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
