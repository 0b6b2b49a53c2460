"""Issue 17, family A, "Forged runs are accepted": run folders edited after the fact,
re-signed with another key, approvals appended by hand, unfinished runs and shards.
Each case is one attack; all in process on folders made in tmp_path."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from golive import cli
from golive.attest import (
    ATTESTATION,
    LEGACY_HMAC_VAR,
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    PUBLIC_KEY_FILE,
    PUBLIC_KEY_VAR,
    SIGNING_KEY_VAR,
    pae,
)
from golive.integrity import APPROVALS, MANIFEST, write_manifest

from .runs import keypair, make_run

Golive = Callable[..., tuple[int, str, str]]
APPROVE = ("--by", "Mallory", "--role", "release manager")


def forge_go(run: Path) -> None:
    """Rewrite a NO-GO run's results and signoff to GO, as someone without the key can."""
    for path in (run / "allure-results").glob("*-result.json"):
        raw = json.loads(path.read_text())
        raw["status"] = "passed"
        raw.pop("statusDetails", None)
        path.write_text(json.dumps(raw))
    cli.finish(run, html=False)  # signoff.json, page and manifest, recomputed


def resign(run: Path, monkeypatch: pytest.MonkeyPatch, key: Path | None) -> None:
    """Recompute the manifest (and attestation) with another key, or none."""
    if key is None:
        monkeypatch.delenv(SIGNING_KEY_VAR, raising=False)
    else:
        monkeypatch.setenv(SIGNING_KEY_VAR, str(key))
    write_manifest(run)


# --- without any key: never "intact" ------------------------------------------------


def test_results_and_signoff_forged_to_go_without_a_key_are_not_called_intact(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    forge_go(run)
    code, out, _ = golive("verify", str(run))
    assert code == 0
    assert "integrity cannot be proven" in out
    assert "golive: intact" not in out and "not proven" in out.splitlines()[-1]


def test_a_run_signed_by_a_key_nobody_configured_is_not_proven(
    tmp_path: Path, keys: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path)
    resign(run, monkeypatch, keys[0])
    monkeypatch.delenv(SIGNING_KEY_VAR)
    code, out, _ = golive("verify", str(run))
    assert code == 0 and "no public key is configured to trust" in out
    assert "golive: intact" not in out


# --- with a key configured: a missing or wrong signature is a failure -----------------


def test_a_forged_run_with_the_manifest_recomputed_unsigned_fails(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    monkeypatch.delenv(SIGNING_KEY_VAR)
    forge_go(run)
    code, out, _ = golive("verify", str(run), "--public-key", str(signing[1]))
    assert code == 1
    assert "the manifest is not signed, but a public key is configured" in out


def test_a_forged_run_re_signed_with_another_key_fails(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    other, _ = keypair(tmp_path, "mallory")
    monkeypatch.setenv(SIGNING_KEY_VAR, str(other))
    forge_go(run)  # signed, and signing-key.pub replaced, with Mallory's key
    monkeypatch.delenv(SIGNING_KEY_VAR)
    code, out, _ = golive("verify", str(run), "--public-key", str(signing[1]))
    assert code == 1
    assert "signature does not match the configured public key" in out


def test_the_public_key_from_the_environment_is_trusted_like_the_option(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    monkeypatch.delenv(SIGNING_KEY_VAR)
    monkeypatch.setenv(PUBLIC_KEY_VAR, str(signing[1]))
    forge_go(run)
    assert golive("verify", str(run))[0] == 1


def test_a_manifest_whose_signature_was_removed_fails(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    manifest = json.loads((run / MANIFEST).read_text())
    del manifest["signature"]
    (run / MANIFEST).write_text(json.dumps(manifest))
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "the manifest is not signed" in out


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: {**s, "sig": base64.b64encode(b"\0" * 64).decode()},
        lambda s: {**s, "sig": "not base64!"},
        lambda s: {**s, "keyid": "0" * 64},
        lambda s: {"algorithm": "hmac-sha256", "sig": s["sig"]},
    ],
    ids=["zeroed", "garbage", "other keyid", "no keyid"],
)
def test_a_manifest_with_a_wrong_signature_fails(
    tmp_path: Path,
    signing: tuple[Path, Path],
    golive: Golive,
    tamper: Callable[[dict[str, str]], dict[str, str]],
) -> None:
    run = make_run(tmp_path)
    manifest = json.loads((run / MANIFEST).read_text())
    manifest["signature"] = tamper(manifest["signature"])
    (run / MANIFEST).write_text(json.dumps(manifest))
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "signature does not match" in out


def test_a_replaced_signing_key_pub_is_refused_when_a_key_is_configured(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    _, other_pub = keypair(tmp_path, "other")
    (run / PUBLIC_KEY_FILE).write_bytes(other_pub.read_bytes())
    code, out, _ = golive("verify", str(run))
    assert code == 1 and f"{PUBLIC_KEY_FILE} is not the configured public key" in out


# --- the attestation -----------------------------------------------------------------


def envelope_of(run: Path) -> dict[str, object]:
    raw: dict[str, object] = json.loads((run / ATTESTATION).read_text())
    return raw


def test_the_attestation_is_a_dsse_envelope_any_verifier_can_check(
    tmp_path: Path, signing: tuple[Path, Path]
) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "passed", "MTP-06": "failed"})
    env = envelope_of(run)
    assert env["payloadType"] == PAYLOAD_TYPE
    payload = base64.b64decode(str(env["payload"]))
    public = serialization.load_pem_public_key(signing[1].read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    [sig] = env["signatures"]  # type: ignore[misc]
    # the DSSE spec's PAE, spelled out rather than through golive's own helper
    spelled = b"DSSEv1 %d %s %d %s" % (
        len(PAYLOAD_TYPE),
        PAYLOAD_TYPE.encode(),
        len(payload),
        payload,
    )
    assert spelled == pae(PAYLOAD_TYPE, payload)
    public.verify(base64.b64decode(sig["sig"]), spelled)  # raises when it does not hold
    stmt = json.loads(payload)
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["predicateType"] == PREDICATE_TYPE
    files = json.loads((run / MANIFEST).read_text())["files"]
    assert {s["name"]: s["digest"]["sha256"] for s in stmt["subject"]} == files
    assert stmt["predicate"]["result"] == "FAILED"
    assert stmt["predicate"]["failedTests"] == ["MTP-06"]
    assert stmt["predicate"]["passedTests"] == ["MTP-05"]


def test_an_attestation_whose_payload_was_edited_to_passed_fails(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    env = envelope_of(run)
    stmt = json.loads(base64.b64decode(str(env["payload"])))
    stmt["predicate"]["result"] = "PASSED"
    env["payload"] = base64.b64encode(json.dumps(stmt).encode()).decode()
    (run / ATTESTATION).write_text(json.dumps(env))
    code, out, _ = golive("verify", str(run))
    assert code == 1 and f"{ATTESTATION}: no valid signature" in out


def test_an_attestation_without_its_signature_fails(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    env = envelope_of(run)
    env["signatures"] = []
    (run / ATTESTATION).write_text(json.dumps(env))
    assert golive("verify", str(run))[0] == 1


def test_a_deleted_attestation_fails_a_signed_run(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    (run / ATTESTATION).unlink()
    code, out, _ = golive("verify", str(run))
    assert code == 1 and f"missing: {ATTESTATION}" in out


def test_an_unsigned_attestation_that_disagrees_with_the_signoff_fails(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    env = envelope_of(run)
    stmt = json.loads(base64.b64decode(str(env["payload"])))
    stmt["predicate"]["result"] = "PASSED"
    env["payload"] = base64.b64encode(json.dumps(stmt).encode()).decode()
    (run / ATTESTATION).write_text(json.dumps(env))
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "does not match the run's files and signoff.json" in out


def test_an_attestation_that_is_not_json_fails(tmp_path: Path, golive: Golive) -> None:
    run = make_run(tmp_path)
    (run / ATTESTATION).write_text("{trunc")
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "not a DSSE envelope" in out


# --- approve re-judges -------------------------------------------------------------------


def test_signoff_json_alone_edited_to_go_is_not_approved(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    doc = json.loads((run / "signoff.json").read_text())
    doc.update(verdict="GO", exit_code=0, reasons=[])
    (run / "signoff.json").write_text(json.dumps(doc))
    from golive.signoff import render_page

    render_page(run)
    resign(run, monkeypatch, None)  # the manifest agrees with the edit
    gate = golive("gate", str(run))
    assert gate[0] == 2  # the gate checks the files too: they disagree with each other
    assert "signoff.json says GO, but its results judge NO-GO" in gate[1]
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2
    assert "refused: signoff.json says GO, but its results judge NO-GO" in err
    assert not (run / APPROVALS).exists()


def test_verify_without_a_key_catches_a_signoff_edited_to_go_with_its_manifest(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    doc = json.loads((run / "signoff.json").read_text())
    doc.update(verdict="GO", exit_code=0, reasons=[])
    (run / "signoff.json").write_text(json.dumps(doc))
    from golive.signoff import render_page

    render_page(run)
    resign(run, monkeypatch, None)
    code, out, _ = golive("verify", str(run))
    assert code == 1
    assert "signoff.json says GO, but its results judge NO-GO" in out


def test_results_edited_to_go_but_signoff_left_no_go_is_not_approved(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    for path in (run / "allure-results").glob("*-result.json"):
        path.write_text(path.read_text().replace('"failed"', '"passed"'))
    resign(run, monkeypatch, None)
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and "signoff.json says NO-GO, but its results judge GO" in err


def test_approving_a_signed_run_without_its_key_is_refused(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path)
    monkeypatch.delenv(SIGNING_KEY_VAR)
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and "its approvals must be too" in err


def test_approving_a_signed_run_with_another_key_is_refused(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path)
    other, _ = keypair(tmp_path, "mallory")
    monkeypatch.setenv(SIGNING_KEY_VAR, str(other))
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and "refused" in err
    assert not (run / APPROVALS).exists()


def test_a_signed_approval_verifies(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    assert golive("signoff", "approve", str(run), "--by", "Ann", "--role", "rm")[0] == 0
    code, out, _ = golive("verify", str(run))
    assert code == 0 and "golive: intact (signature valid)" in out
    assert "approved by Ann at" in out and "run unchanged since" in out


# --- forged approvals lines ----------------------------------------------------------------


def approvals(run: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (run / APPROVALS).read_text().splitlines()]


def append(run: Path, record: dict[str, object]) -> None:
    with (run / APPROVALS).open("a") as log:
        log.write(json.dumps(record) + "\n")


def test_an_appended_unsigned_approval_is_shown_as_forged(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    digest = json.loads((run / MANIFEST).read_text())["digest"]
    append(
        run,
        {"action": "approved", "by": "Mallory", "role": "rm", "comment": "", "at": "2027-03-15",
         "verdict": "GO", "manifest_digest": digest},
    )  # fmt: skip
    code, out, _ = golive("verify", str(run))
    assert code == 1
    assert "FORGED: approvals.jsonl line 1 (approved by Mallory" in out
    assert "approved by Mallory at 2027-03-15: run unchanged since" not in out


def test_a_forged_approval_is_rendered_as_forged_on_the_page(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    append(
        run,
        {"action": "approved", "by": "Mallory", "role": "rm", "comment": "", "at": "x"},
    )
    assert golive("signoff", "approve", str(run), "--by", "Ann", "--role", "rm")[0] == 2
    golive("signoff", "reject", str(run), "--by", "Ann", "--role", "rm")
    page = (run / "signoff.html").read_text()
    assert "FORGED, not an approval (no valid signature): approved by Mallory" in page


def test_a_signed_approval_with_its_name_changed_is_forged(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    golive("signoff", "approve", str(run), "--by", "Ann", "--role", "rm")
    [record] = approvals(run)
    record["by"] = "Mallory"
    (run / APPROVALS).write_text(json.dumps(record) + "\n")
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "FORGED: approvals.jsonl line 1 (approved by Mallory" in out


def test_a_signed_approval_copied_from_another_run_does_not_approve_this_one(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    first = make_run(tmp_path, name="20270315-100000-aaaaaa")
    second = make_run(tmp_path, name="20270315-110000-bbbbbb", statuses={"MTP-06": "passed"})
    golive("signoff", "approve", str(first), "--by", "Ann", "--role", "rm")
    (second / APPROVALS).write_text((first / APPROVALS).read_text())
    code, out, _ = golive("verify", str(second))
    assert "run unchanged since" not in out
    assert code == 1  # and the page does not show it either: signoff.html differs


def test_an_appended_line_on_an_unsigned_run_changes_the_run(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path)
    append(run, {"action": "approved", "by": "Mallory", "role": "rm", "comment": "", "at": "x"})
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "changed: signoff.html" in out


# --- unfinished runs and shards -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pytest_exit", "finished"), [(None, True), (0, False), (None, False)], ids=str
)
def test_the_gate_on_a_run_that_did_not_finish_is_exit_2(
    tmp_path: Path, golive: Golive, pytest_exit: int | None, finished: bool
) -> None:
    run = make_run(tmp_path, pytest_exit=pytest_exit, finished=finished, judge=False)
    code, out, _ = golive("gate", str(run))
    assert code == 2
    assert "the run did not finish" in out


def test_approving_a_run_whose_signoff_says_it_has_not_finished_is_refused(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from golive.signoff import RunInfo, write
    from golive.verdict import UNJUDGED, Verdict

    run = make_run(tmp_path)
    info = RunInfo.from_json(json.loads((run / "run.json").read_text()))
    write(run, info, Verdict(UNJUDGED, 2, reasons=["the run has not finished"]), {})
    resign(run, monkeypatch, None)
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and "refused: the run has not finished" in err


def test_approving_an_interrupted_run_with_passing_results_is_refused(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path, pytest_exit=None, finished=False)
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and "refused: the run did not finish" in err


def test_merge_refuses_a_shard_that_does_not_verify(tmp_path: Path, golive: Golive) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "failed"})
    [forged] = (b / "allure-results").glob("*-result.json")
    forged.write_text(forged.read_text().replace('"failed"', '"passed"'))
    out = str(tmp_path / "out")
    code, _, err = golive("merge", str(a), str(b), "--output", out, "--no-html", "--unsigned")
    assert code == 2 and "refused: the shard does not verify" in err
    assert not (tmp_path / "out").exists()


def test_merge_refuses_an_unfinished_shard(tmp_path: Path, golive: Golive) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", pytest_exit=None, finished=False)
    out = str(tmp_path / "out")
    code, _, err = golive("merge", str(a), str(b), "--output", out, "--no-html", "--unsigned")
    assert code == 2 and "refused: the run did not finish" in err


def test_merge_refuses_a_shard_signed_by_another_key(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    other, _ = keypair(tmp_path, "mallory")
    monkeypatch.setenv(SIGNING_KEY_VAR, str(other))
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "passed"})
    monkeypatch.setenv(SIGNING_KEY_VAR, str(signing[0]))
    code, _, err = golive("merge", str(a), str(b), "--output", str(tmp_path / "out"), "--no-html")
    assert code == 2 and "signature does not match the configured public key" in err


def test_a_merge_of_signed_shards_is_signed_and_verifies(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "passed"})
    out = tmp_path / "out"
    assert golive("merge", str(a), str(b), "--output", str(out), "--no-html")[0] == 0
    code, text, _ = golive("verify", str((out / "latest").resolve()))
    assert code == 0 and "golive: intact (signature valid)" in text


# --- keys that cannot be used -------------------------------------------------------------


def test_the_old_hmac_secret_alone_is_refused_not_ignored(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path)
    monkeypatch.setenv(LEGACY_HMAC_VAR, "shared-secret")
    code, _, err = golive("verify", str(run))
    assert code == 2 and f"{LEGACY_HMAC_VAR} (a shared HMAC secret) is no longer used" in err


@pytest.mark.parametrize(
    "content",
    [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_a_signing_key_file_that_is_no_key_is_exit_2(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    run = make_run(tmp_path)
    bad = tmp_path / "bad.pem"
    bad.write_bytes(content)
    monkeypatch.setenv(SIGNING_KEY_VAR, str(bad))
    code, _, err = golive("signoff", "approve", str(run), *APPROVE)
    assert code == 2 and f"{SIGNING_KEY_VAR}={bad}: not an unencrypted PEM private key" in err


def test_a_public_key_that_is_the_private_key_or_missing_is_exit_2(
    tmp_path: Path, keys: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    code, _, err = golive("verify", str(run), "--public-key", str(keys[0]))
    assert code == 2 and "not a PEM public key" in err
    code, _, err = golive("verify", str(run), "--public-key", str(tmp_path / "nope.pub"))
    assert code == 2 and "cannot read" in err


def test_an_appended_line_that_claims_to_be_valid_is_still_forged(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    append(
        run,
        {"action": "approved", "by": "Mallory", "role": "rm", "comment": "", "at": "x",
         "state": "valid", "signature": {"algorithm": "ed25519", "keyid": "0" * 64, "sig": ""}},
    )  # fmt: skip
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "FORGED: approvals.jsonl line 1 (approved by Mallory" in out


def test_on_an_unsigned_run_a_rerendered_forged_approval_is_never_called_proven(
    tmp_path: Path, golive: Golive
) -> None:
    from golive.signoff import render_page

    run = make_run(tmp_path)
    digest = json.loads((run / MANIFEST).read_text())["digest"]
    append(  # as a forger who knows the format writes it: this run, its manifest, chained
        run,
        {"action": "approved", "by": "Mallory", "role": "rm", "comment": "", "at": "x",
         "run_id": run.name, "manifest_digest": digest, "previous": digest},
    )  # fmt: skip
    render_page(run)
    code, out, _ = golive("verify", str(run))
    assert code == 0
    assert "approved by Mallory at x: run unchanged since (unsigned)" in out
    assert out.splitlines()[-1] == "golive: no change found, but not proven: no trusted signature"


def test_an_interrupted_run_marked_finished_by_hand_is_still_not_go(
    tmp_path: Path, golive: Golive
) -> None:
    # killed after MTP-05: MTP-06 never reported; run.json then edited to look finished
    run = make_run(tmp_path, statuses={"MTP-05": "passed", "MTP-06": ""}, judge=False)
    code, out, _ = golive("gate", str(run))
    assert code == 2 and "MTP-06: no result" in out
    assert "the run's files do not verify" in out and "no manifest.json" in out


def test_a_public_key_that_is_a_folder_is_exit_2(tmp_path: Path, golive: Golive) -> None:
    run = make_run(tmp_path)
    code, _, err = golive("verify", str(run), "--public-key", str(tmp_path))
    assert code == 2 and "--public-key" in err and "Traceback" not in err
