"""Integrity of a finished run: a signed manifest of digests, an attestation, approvals.

``manifest.json`` lists the SHA-256 of every file of the run folder (results,
attachments, report, signoff) except itself, the attestation and the approvals log. With
an Ed25519 key in ``GOLIVE_SIGNING_KEY_FILE`` (golive/attest.py) the run signs the
manifest, writes its public key as ``signing-key.pub`` and the verdict as an in-toto
attestation in a DSSE envelope (``attestation.dsse.json``), and each approval is signed
too.

``golive verify`` proves a run only against a public key the reader trusts
(``--public-key``, ``GOLIVE_PUBLIC_KEY_FILE``, or the signing key itself): with one, a
missing or wrong signature is a failure. Without one it can say whether the files match
the manifest, but never that the run is intact: whoever rewrites the files can rewrite
an unsigned manifest too.

An approval is refused unless the run finished, its files verify, and its results, judged
again as ``golive gate`` does, give the verdict signoff.json states. Approvals of one run
are serialised by a lock (``.approvals.lock`` in the run folder), so concurrent ones are
each recorded once.

Each approvals line names the run (``run_id``) and the manifest (``manifest_digest``) it
was given for, and carries ``previous``: the SHA-256 of the line before it (of the
manifest's digest, for the first line), all under its signature. A line copied from
another run, given for another manifest, or moved (a line before it removed, reordered or
inserted) is not an approval: verify fails on it. The chain cannot show that the log's
last lines were cut off; only a copy of the log kept elsewhere can.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import attest, clock
from .errors import InputError
from .files import read_json_object, write_atomic
from .signoff import APPROVALS, page, read_approvals, read_signoff, render_page

if TYPE_CHECKING:
    from .verdict import Verdict

MANIFEST = "manifest.json"
KEY_VAR = attest.SIGNING_KEY_VAR
LOCK = ".approvals.lock"
MANIFEST_CONTEXT = "golive.manifest/1"
APPROVAL_CONTEXT = "golive.approval/1"
# signoff.html shows the approvals, so it is re-rendered after each; verify checks it
# against what signoff.json (listed) and the approvals render instead. The attestation
# names the listed files, so it comes after them.
UNLISTED = {MANIFEST, APPROVALS, "signoff.html", attest.ATTESTATION}


@dataclass
class Verification:
    intact: bool  # nothing changed, and every signature a configured key can check holds
    proven: bool  # the manifest's signature was checked against a trusted public key
    lines: list[str] = field(default_factory=list)  # every finding, in order
    problems: list[str] = field(default_factory=list)  # the findings that make it not intact
    verdict: Verdict | None = None  # the results judged again (None: no manifest to judge)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _files(run_dir: Path) -> dict[str, str]:
    out = {}
    for path in sorted(run_dir.rglob("*")):
        rel = path.relative_to(run_dir).as_posix()
        if path.is_file() and rel not in UNLISTED and not rel.startswith("."):
            out[rel] = _digest(path)
    return out


def _canonical(files: dict[str, str]) -> bytes:
    return json.dumps(files, sort_keys=True, separators=(",", ":")).encode()


@contextlib.contextmanager
def locked(run_dir: Path, exclusive: bool = True) -> Iterator[None]:
    """Hold the run folder's approvals lock; a folder that cannot be written (a read-only
    artifact) is read without one, nothing can append to it either."""
    try:
        fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_manifest(run_dir: Path) -> dict[str, Any]:
    """Write the manifest (signed when a signing key is configured) and the attestation."""
    private = attest.signing_key()
    if private is not None:
        write_atomic(run_dir / attest.PUBLIC_KEY_FILE, attest.public_pem(private.public_key()))
    else:
        (run_dir / attest.PUBLIC_KEY_FILE).unlink(missing_ok=True)
    files = _files(run_dir)
    manifest: dict[str, Any] = {
        "algorithm": "sha256",
        "files": files,
        "digest": hashlib.sha256(_canonical(files)).hexdigest(),
    }
    if private is not None:
        manifest["signature"] = attest.sign(private, MANIFEST_CONTEXT, files)
    write_atomic(run_dir / MANIFEST, json.dumps(manifest, indent=2))
    doc = read_signoff(run_dir)
    envelope = attest.envelope(attest.statement(files, doc), private)
    write_atomic(run_dir / attest.ATTESTATION, json.dumps(envelope, indent=2))
    return manifest


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The manifest as golive writes it, or ``InputError`` saying what is wrong."""
    path = run_dir / MANIFEST
    manifest = read_json_object(
        path, f"{run_dir}: no {MANIFEST}: not a finished golive run", "a golive manifest"
    )
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise InputError(f"{path}: not a golive manifest (files: expected names to digests)")
    if not isinstance(manifest.get("digest"), str):
        raise InputError(f"{path}: not a golive manifest (digest: expected a string)")
    if "signature" in manifest and not isinstance(manifest["signature"], dict):
        raise InputError(f"{path}: not a golive manifest (signature: expected an object)")
    return manifest


def _folder_key(run_dir: Path) -> Ed25519PublicKey | None:
    path = run_dir / attest.PUBLIC_KEY_FILE
    if not path.exists():
        return None
    return attest.load_public(path, str(path))


def _body(record: dict[str, Any]) -> dict[str, Any]:
    """An approvals line as signed: all of it but its signature."""
    return {k: v for k, v in record.items() if k != "signature"}


def chain_hash(record: dict[str, Any]) -> str:
    """What the next approvals line carries as ``previous``: the SHA-256 of this line's
    canonical JSON, signature included."""
    return hashlib.sha256(attest.canonical(record)).hexdigest()


def checked_approvals(run_dir: Path) -> list[dict[str, Any]]:
    """The approvals, each with ``state``: "valid" (signed by the run's key), "unsigned"
    (an unsigned run) or "forged" (with ``why``): not signed by the run's key, given for
    another run or another manifest, or out of its place in the chain."""
    key = _folder_key(run_dir)
    digest = read_manifest(run_dir)["digest"]
    run_id = str(read_signoff(run_dir)["run"].get("run_id", ""))
    previous = digest
    out = []
    for record in read_approvals(run_dir):
        why = None
        if key is not None and not attest.valid(
            key, APPROVAL_CONTEXT, _body(record), record.get("signature")
        ):
            why = "no valid signature"
        elif record.get("run_id") != run_id:
            why = f"given for run {record.get('run_id')!r}, not for this run ({run_id})"
        elif record.get("manifest_digest") != digest:
            why = "given for another manifest: the run changed since, or the line was copied"
        elif record.get("previous") != previous:
            why = "out of place: a line before it was removed, reordered or inserted"
        state = "forged" if why else ("unsigned" if key is None else "valid")
        out.append({**record, "state": state, **({"why": why} if why else {})})
        previous = chain_hash(record)
    return out


def check(
    run_dir: Path, public_key: Path | None = None, verdict: Verdict | None = None
) -> Verification:
    """Whether the run is as it was written, proven by a signature where a key allows.
    ``verdict``: the run's results already judged (the gate's), not judged once more."""
    with locked(run_dir, exclusive=False):
        return _check(run_dir, attest.trusted_key(public_key), verdict)


def _check(
    run_dir: Path, trusted: Ed25519PublicKey | None, verdict: Verdict | None = None
) -> Verification:
    manifest = read_manifest(run_dir)
    recorded: dict[str, str] = manifest["files"]
    current = _files(run_dir)
    lines: list[str] = []
    problems: list[str] = []

    def problem(line: str) -> None:
        lines.append(line)
        problems.append(line)

    for rel in sorted(set(recorded) | set(current)):
        if rel not in current:
            problem(f"missing: {rel}")
        elif rel not in recorded:
            problem(f"added: {rel}")
        elif recorded[rel] != current[rel]:
            problem(f"changed: {rel}")
    doc = read_signoff(run_dir)
    approvals = checked_approvals(run_dir)
    if "signoff.json" not in [ln.split(": ", 1)[-1] for ln in lines]:
        expected = page(doc, approvals)
        html_path = run_dir / "signoff.html"
        if not html_path.exists() or html_path.read_text("utf-8") != expected:
            problem("changed: signoff.html (differs from signoff.json and the approvals)")
    if verdict is None:
        from .verdict import judge_dir

        try:
            verdict = judge_dir(run_dir)
        except InputError as exc:
            problem(f"the results cannot be judged again: {exc}")
    mismatch = _rejudged(verdict, doc) if verdict is not None else None
    if mismatch:
        problem(mismatch)
    if hashlib.sha256(_canonical(recorded)).hexdigest() != manifest["digest"]:
        problem("the manifest's digest does not match its file list")

    folder = _folder_key(run_dir)
    signature = manifest.get("signature")
    proven = False
    if trusted is not None:
        kid = attest.key_id(trusted)[:16]
        if signature is None:
            problem(f"the manifest is not signed, but a public key is configured ({kid})")
        elif not attest.valid(trusted, MANIFEST_CONTEXT, recorded, signature):
            problem(
                f"signature does not match the configured public key {kid}: the manifest was"
                " rewritten or signed by another key"
            )
        else:
            proven = True
            lines.append(f"signature valid (Ed25519, key {kid})")
        if folder is not None and attest.key_id(folder) != attest.key_id(trusted):
            problem(f"{attest.PUBLIC_KEY_FILE} is not the configured public key")
    elif signature is None:
        lines.append(
            "not signed: integrity cannot be proven (whoever rewrites the files can rewrite"
            f" the manifest; sign runs with {attest.SIGNING_KEY_VAR})"
        )
    elif folder is None or not attest.valid(folder, MANIFEST_CONTEXT, recorded, signature):
        problem(f"signature does not match {attest.PUBLIC_KEY_FILE}")
    else:
        lines.append(
            f"signed by key {attest.key_id(folder)[:16]} ({attest.PUBLIC_KEY_FILE}), but no"
            " public key is configured to trust: integrity cannot be proven (--public-key or"
            f" {attest.PUBLIC_KEY_VAR})"
        )
    if "hmac_sha256" in manifest:
        lines.append("carries an HMAC-SHA256, which golive no longer checks")

    key = trusted or folder
    att_path = run_dir / attest.ATTESTATION
    if att_path.exists():
        try:
            envelope = json.loads(att_path.read_text("utf-8"))
        except ValueError:
            envelope = None
        found = attest.check_envelope(envelope, key if signature else None, recorded, doc)
        for line in found:
            problem(line)
        if not found and signature is not None and trusted is not None:
            lines.append(f"attestation valid ({attest.PREDICATE_TYPE})")
        elif not found and signature is not None:
            lines.append(f"attestation signed by {attest.PUBLIC_KEY_FILE} (not proven)")
    elif signature is not None or trusted is not None:
        problem(f"missing: {attest.ATTESTATION}")

    for n, a in enumerate(approvals, 1):
        head = f"{a['action']} by {a['by']} at {a['at']}"
        if a["state"] == "forged":
            problem(f"FORGED: {APPROVALS} line {n} ({head}): {a['why']}")
            continue
        note = " (unsigned)" if a["state"] == "unsigned" else ""
        lines.append(
            f"{head}: " + ("the run changed since" if problems else "run unchanged since") + note
        )
    intact = not problems
    return Verification(intact, proven and intact, lines, problems, verdict)


def _rejudged(verdict: Verdict, doc: dict[str, Any]) -> str | None:
    """Whether the results, judged again as ``golive gate`` does, give signoff.json's
    verdict: a signoff edited to GO, its manifest recomputed, does not pass for intact."""
    if (verdict.decision, verdict.exit_code) != (doc["verdict"], doc["exit_code"]):
        why = "; ".join(verdict.reasons[:3]) or "no reason"
        return (
            f"signoff.json says {doc['verdict']}, but its results judge {verdict.decision} ({why})"
        )
    return None


def verify(run_dir: Path, public_key: Path | None = None) -> tuple[bool, list[str]]:
    """Whether the run is as it was written, and a line for each finding."""
    result = check(run_dir, public_key)
    return result.intact, result.lines


def approve(
    run_dir: Path,
    action: str,
    by: str,
    role: str,
    comment: str,
    public_key: Path | None = None,
) -> dict[str, Any]:
    """Append an approval (or rejection) and re-render the signoff. Approving is refused
    unless the run finished, is intact, and its results judge as signoff.json says GO."""
    from .verdict import judge_dir, run_finished

    private = attest.signing_key()
    with locked(run_dir):
        raw = read_json_object(
            run_dir / "run.json",
            f"{run_dir}: not a golive run folder (no run.json)",
            "a golive run record",
        )
        verdict = judge_dir(run_dir, raw)  # judged once: the check below reuses it
        result = _check(run_dir, attest.trusted_key(public_key), verdict)
        doc = read_signoff(run_dir)
        folder = _folder_key(run_dir)
        if folder is not None and (
            private is None or attest.key_id(private.public_key()) != attest.key_id(folder)
        ):
            raise InputError(
                f"{run_dir}: refused: the run is signed by key {attest.key_id(folder)[:16]};"
                f" its approvals must be too ({attest.SIGNING_KEY_VAR} with that key)"
            )
        if action == "approved":
            unfinished = run_finished(raw) or (
                "the run has not finished" if "the run has not finished" in doc["reasons"] else None
            )
            if unfinished:
                raise InputError(f"{run_dir}: refused: {unfinished}")
            mismatch = _rejudged(verdict, doc)
            if mismatch:
                raise InputError(f"{run_dir}: refused: {mismatch}")
            if not result.intact:
                raise InputError(
                    f"{run_dir}: refused: the run changed since it was written"
                    f" ({'; '.join(result.problems)})"
                )
            if verdict.exit_code != 0:
                raise InputError(
                    f"{run_dir}: refused: the verdict is {verdict.decision}"
                    f" ({'; '.join(verdict.reasons[:3])})"
                )
        approvals = read_approvals(run_dir)
        digest = read_manifest(run_dir)["digest"]
        record: dict[str, Any] = {
            "action": action,
            "by": by,
            "role": role,
            "comment": comment,
            "at": clock.stamp(clock.now()),
            "verdict": verdict.decision if action == "approved" else doc["verdict"],
            "run_id": str(doc["run"].get("run_id", "")),
            "manifest_digest": digest,
            "previous": chain_hash(approvals[-1]) if approvals else digest,
        }
        if private is not None:
            record["signature"] = attest.sign(private, APPROVAL_CONTEXT, record)
        line = (json.dumps(record) + "\n").encode()
        fd = os.open(run_dir / APPROVALS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        render_page(run_dir, checked_approvals(run_dir))
    return record
