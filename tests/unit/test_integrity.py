"""Integrity of a finished run (golive/integrity.py): the manifest, its HMAC signature
(GOLIVE_SIGNING_KEY), verify, and approvals, on run folders written under tmp_path."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.config import Policy
from golive.errors import InputError
from golive.integrity import KEY_VAR, MANIFEST, approve, read_manifest, verify, write_manifest
from golive.signoff import RunInfo, write
from golive.verdict import judge

from .conftest import TODAY, outcomes, planned

ITEM = planned("MTP-01")


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the caller's environment holds, each test sets the key itself."""
    monkeypatch.delenv(KEY_VAR, raising=False)


def run_folder(root: Path, status: str = "passed") -> Path:
    run = root / "run"
    (run / "allure-results").mkdir(parents=True)
    (run / "allure-results" / "u1-result.json").write_text('{"status": "passed"}')
    (run / "run.json").write_text("{}")
    (run / ".latest-tmp").write_text("hidden files are not listed")
    verdict = judge([ITEM], outcomes((ITEM, status)), Policy(), today=TODAY)
    write(run, RunInfo.from_json({"run_id": "r1", "scenario": "s.yaml"}), verdict, {})
    write_manifest(run)
    return run


def test_manifest_lists_every_file_but_itself_the_approvals_and_the_page(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    assert sorted(manifest["files"]) == [
        "allure-results/u1-result.json",
        "run.json",
        "signoff.json",
        "signoff.md",
    ]
    data = (run / "run.json").read_bytes()
    assert manifest["files"]["run.json"] == hashlib.sha256(data).hexdigest()
    canonical = json.dumps(manifest["files"], sort_keys=True, separators=(",", ":")).encode()
    assert manifest["digest"] == hashlib.sha256(canonical).hexdigest()
    assert "hmac_sha256" not in manifest


def test_untouched_run_verifies(tmp_path: Path) -> None:
    assert verify(run_folder(tmp_path)) == (True, [])


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (lambda run: (run / "run.json").write_text('{"x": 1}'), "changed: run.json"),
        (
            lambda run: (run / "allure-results" / "u1-result.json").unlink(),
            "missing: allure-results/u1-result.json",
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
    assert lines == [finding]


def test_verify_detects_an_edited_html_page(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    page = run / "signoff.html"
    text = page.read_text()
    assert "<h1>GO</h1>" in text
    page.write_text(text.replace("<h1>GO</h1>", "<h1>GO!</h1>"))
    intact, lines = verify(run)
    assert not intact
    assert lines == ["changed: signoff.html (differs from signoff.json and the approvals)"]


def test_verify_detects_a_rewritten_file_list(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    (run / "run.json").write_text("forged")
    manifest["files"]["run.json"] = hashlib.sha256(b"forged").hexdigest()
    (run / MANIFEST).write_text(json.dumps(manifest))
    intact, lines = verify(run)
    assert not intact
    assert lines == ["the manifest's digest does not match its file list"]


def test_signed_manifest_verifies_with_the_same_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, "unit-signing-key")
    run = run_folder(tmp_path)
    manifest = read_manifest(run)
    canonical = json.dumps(manifest["files"], sort_keys=True, separators=(",", ":")).encode()
    expected = hmac.new(b"unit-signing-key", canonical, "sha256").hexdigest()
    assert manifest["hmac_sha256"] == expected
    assert verify(run) == (True, ["signature valid"])


def test_a_manifest_rewritten_without_the_key_fails_the_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, "unit-signing-key")
    run = run_folder(tmp_path)
    (run / "run.json").write_text("forged")
    monkeypatch.delenv(KEY_VAR)
    write_manifest(run)  # consistent digest, but no key: no valid signature
    manifest = read_manifest(run)
    manifest["hmac_sha256"] = "0" * 64
    (run / MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setenv(KEY_VAR, "unit-signing-key")
    intact, lines = verify(run)
    assert not intact
    assert lines == ["signature does not match: the manifest was rewritten or the key differs"]


def test_a_different_key_fails_the_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, "key-one")
    run = run_folder(tmp_path)
    monkeypatch.setenv(KEY_VAR, "key-two")
    assert verify(run)[0] is False


def test_signature_not_checked_without_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, "unit-signing-key")
    run = run_folder(tmp_path)
    monkeypatch.delenv(KEY_VAR)
    assert verify(run) == (True, [f"signed, but {KEY_VAR} is not set: signature not checked"])


def test_unsigned_manifest_is_reported_when_a_key_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_folder(tmp_path)
    monkeypatch.setenv(KEY_VAR, "unit-signing-key")
    assert verify(run)[1] == ["the manifest is not signed"]


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
    assert lines == [f"approved by Ann at {record['at']}: run unchanged since"]


def test_approval_is_marked_stale_once_the_run_changes(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    approve(run, "approved", "Ann", "release manager", "")
    (run / "run.json").write_text("changed")
    intact, lines = verify(run)
    assert not intact
    assert lines[0] == "changed: run.json"
    assert lines[-1].endswith(": the run changed since")


def test_approving_a_no_go_is_refused_but_rejecting_is_recorded(tmp_path: Path) -> None:
    run = run_folder(tmp_path, status="failed")
    with pytest.raises(InputError, match="refused: the verdict is NO-GO"):
        approve(run, "approved", "Ann", "release manager", "")
    assert not (run / "approvals.jsonl").exists()
    record = approve(run, "rejected", "Ann", "release manager", "fix MTP-01")
    assert record["verdict"] == "NO-GO"
    assert len((run / "approvals.jsonl").read_text().splitlines()) == 1


def test_approving_a_changed_run_is_refused(tmp_path: Path) -> None:
    run = run_folder(tmp_path)
    (run / "signoff.md").write_text("## golive signoff: **GO**")
    with pytest.raises(InputError, match=r"refused: the run changed since .*changed: signoff.md"):
        approve(run, "approved", "Ann", "release manager", "")
