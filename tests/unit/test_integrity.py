"""Integrity of a finished run (golive/integrity.py): the manifest, its Ed25519
signature (GOLIVE_SIGNING_KEY_FILE), verify, and approvals, on run folders written under
tmp_path. The adversarial cases are in tests/adversarial."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.attest import (
    ATTESTATION,
    LEGACY_HMAC_VAR,
    PUBLIC_KEY_FILE,
    PUBLIC_KEY_VAR,
    SIGNING_KEY_VAR,
)
from golive.errors import InputError
from golive.integrity import MANIFEST, approve, check, read_manifest, verify
from tests.adversarial.runs import keypair, make_run

UNSIGNED = (
    "not signed: integrity cannot be proven (whoever rewrites the files can rewrite"
    f" the manifest; sign runs with {SIGNING_KEY_VAR})"
)


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the caller's environment holds, each test sets the key itself."""
    for var in (SIGNING_KEY_VAR, PUBLIC_KEY_VAR, LEGACY_HMAC_VAR):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def signing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    private, public = keypair(tmp_path)
    monkeypatch.setenv(SIGNING_KEY_VAR, str(private))
    return private, public


def run_folder(root: Path, status: str = "passed") -> Path:
    run = make_run(root, statuses={"MTP-05": status})
    (run / ".latest-tmp").write_text("hidden files are not listed")
    return run


def test_manifest_lists_every_file_but_itself_the_approvals_and_the_page(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    assert set(manifest["files"]) == {
        next(f for f in manifest["files"] if f.endswith("-result.json")),
        "allure-results/environment.properties",  # the verdict, for the report
        "allurerc.mjs",
        "plan.json",
        "run.json",
        "signoff.json",
        "signoff.md",
    }
    data = (run / "run.json").read_bytes()
    assert manifest["files"]["run.json"] == hashlib.sha256(data).hexdigest()
    canonical = json.dumps(manifest["files"], sort_keys=True, separators=(",", ":")).encode()
    assert manifest["digest"] == hashlib.sha256(canonical).hexdigest()
    assert "signature" not in manifest and not (run / PUBLIC_KEY_FILE).exists()


def test_untouched_unsigned_run_verifies_but_is_not_proven(tmp_path: Path) -> None:
    result = check(run_folder(tmp_path))
    assert (result.intact, result.proven, result.lines) == (True, False, [UNSIGNED])


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (lambda run: (run / "run.json").write_text('{"x": 1}'), "changed: run.json"),
        (
            lambda run: next((run / "allure-results").iterdir()).unlink(),
            "missing: allure-results/",
        ),
        (
            lambda run: (run / "allure-results" / "u2-result.json").write_text("{}"),
            "added: allure-results/u2-result.json",
        ),
        (lambda run: (run / "signoff.md").write_text("GO"), "changed: signoff.md"),
    ],
    ids=["changed", "missing", "added", "signoff.md"],
)
def test_verify_detects_every_kind_of_change(
    tmp_path: Path, change: Callable[[Path], object], finding: str
) -> None:
    run = run_folder(tmp_path)
    change(run)
    intact, lines = verify(run)
    assert intact is False
    assert lines[0].startswith(finding)


def test_verify_detects_an_edited_html_page(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    page = run / "signoff.html"
    text = page.read_text()
    assert "<h1>GO</h1>" in text
    page.write_text(text.replace("<h1>GO</h1>", "<h1>GO!</h1>"))
    intact, lines = verify(run)
    assert not intact
    assert lines[0] == "changed: signoff.html (differs from signoff.json and the approvals)"


def test_verify_detects_a_file_list_rewritten_without_its_digest(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    (run / "run.json").write_text("forged")
    manifest["files"]["run.json"] = hashlib.sha256(b"forged").hexdigest()
    (run / MANIFEST).write_text(json.dumps(manifest))
    intact, lines = verify(run)
    assert not intact
    assert "the manifest's digest does not match its file list" in lines


def test_signed_run_verifies_with_its_key(tmp_path: Path, signing: tuple[Path, Path]) -> None:
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    assert manifest["signature"]["algorithm"] == "ed25519"
    assert (run / PUBLIC_KEY_FILE).read_bytes() == signing[1].read_bytes()
    result = check(run)
    assert result.intact and result.proven
    assert result.lines[0].startswith("signature valid (Ed25519, key ")
    assert result.lines[1].startswith("attestation valid")
    assert (run / ATTESTATION).exists()


def test_no_or_corrupt_manifest_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a finished golive run"):
        verify(tmp_path)
    (tmp_path / MANIFEST).write_text("{trunc")
    with pytest.raises(InputError, match="corrupt"):
        verify(tmp_path)


def test_approval_records_the_digest_and_shows_on_the_page(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    record = approve(run, "approved", "Ann", "release manager", "ok to go")
    assert record["verdict"] == "GO"
    assert record["manifest_digest"] == read_manifest(run)["digest"]
    assert "approved by Ann (release manager)" in (run / "signoff.html").read_text()
    intact, lines = verify(run)  # the page was re-rendered: still intact
    assert intact
    assert lines == [UNSIGNED, f"approved by Ann at {record['at']}: run unchanged since (unsigned)"]


def test_approval_is_marked_stale_once_the_run_changes(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    approve(run, "approved", "Ann", "release manager", "")
    (run / "run.json").write_text("changed")
    intact, lines = verify(run)
    assert not intact
    assert lines[0] == "changed: run.json"
    assert lines[-1].endswith(": the run changed since (unsigned)")


def test_approving_a_no_go_is_refused_but_rejecting_is_recorded(tmp_path: Path) -> None:
    run = run_folder(tmp_path, status="failed")
    with pytest.raises(InputError, match="refused: the verdict is NO-GO"):
        approve(run, "approved", "Ann", "release manager", "")
    assert not (run / "approvals.jsonl").exists()
    record = approve(run, "rejected", "Ann", "release manager", "fix MTP-05")
    assert record["verdict"] == "NO-GO"
    assert len((run / "approvals.jsonl").read_text().splitlines()) == 1


def test_approving_a_changed_run_is_refused(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    (run / "signoff.md").write_text("## golive signoff: **GO**")
    with pytest.raises(InputError, match=r"refused: the run changed since .*changed: signoff.md"):
        approve(run, "approved", "Ann", "release manager", "")
