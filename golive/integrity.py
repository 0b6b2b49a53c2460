"""Integrity of a finished run: a manifest of digests, an optional signature, approvals.

``manifest.json`` lists the SHA-256 of every file of the run folder (results,
attachments, report, signoff) except itself and the approvals log. With a key in
``GOLIVE_SIGNING_KEY`` the manifest also carries an HMAC-SHA256 over its file list, so
``golive verify`` can tell that the manifest itself was not rewritten. Each approval
records the manifest's digest at the time it was given: verify says, per approval,
whether the run changed since.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import write_atomic
from .signoff import APPROVALS, page, read_approvals, render_page

MANIFEST = "manifest.json"
KEY_VAR = "GOLIVE_SIGNING_KEY"
# signoff.html shows the approvals, so it is re-rendered after each; verify checks it
# against what signoff.json (listed) and the approvals render instead.
UNLISTED = {MANIFEST, APPROVALS, "signoff.html"}


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


def write_manifest(run_dir: Path) -> dict[str, Any]:
    files = _files(run_dir)
    manifest: dict[str, Any] = {
        "algorithm": "sha256",
        "files": files,
        "digest": hashlib.sha256(_canonical(files)).hexdigest(),
    }
    key = os.environ.get(KEY_VAR)
    if key:
        manifest["hmac_sha256"] = hmac.new(key.encode(), _canonical(files), "sha256").hexdigest()
    write_atomic(run_dir / MANIFEST, json.dumps(manifest, indent=2))
    return manifest


def read_manifest(run_dir: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((run_dir / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{run_dir}: no {MANIFEST}: not a finished golive run") from None
    except ValueError as exc:
        raise InputError(f"{run_dir / MANIFEST}: corrupt ({exc})") from None
    return manifest


def verify(run_dir: Path) -> tuple[bool, list[str]]:
    """Whether the run is as it was written, and a line for each finding."""
    manifest = read_manifest(run_dir)
    recorded: dict[str, str] = manifest.get("files", {})
    current = _files(run_dir)
    lines = []
    for rel in sorted(set(recorded) | set(current)):
        if rel not in current:
            lines.append(f"missing: {rel}")
        elif rel not in recorded:
            lines.append(f"added: {rel}")
        elif recorded[rel] != current[rel]:
            lines.append(f"changed: {rel}")
    signoff = run_dir / "signoff.json"
    if signoff.exists() and "signoff.json" not in [ln.split(": ", 1)[-1] for ln in lines]:
        expected = page(json.loads(signoff.read_text("utf-8")), read_approvals(run_dir))
        html_path = run_dir / "signoff.html"
        if not html_path.exists() or html_path.read_text("utf-8") != expected:
            lines.append("changed: signoff.html (differs from signoff.json and the approvals)")
    intact = not lines
    if hashlib.sha256(_canonical(recorded)).hexdigest() != manifest.get("digest"):
        intact = False
        lines.append("the manifest's digest does not match its file list")
    key = os.environ.get(KEY_VAR)
    if "hmac_sha256" in manifest:
        if not key:
            lines.append(f"signed, but {KEY_VAR} is not set: signature not checked")
        elif not hmac.compare_digest(
            hmac.new(key.encode(), _canonical(recorded), "sha256").hexdigest(),
            manifest["hmac_sha256"],
        ):
            intact = False
            lines.append("signature does not match: the manifest was rewritten or the key differs")
        else:
            lines.append("signature valid")
    elif key:
        lines.append("the manifest is not signed")
    for a in read_approvals(run_dir):
        same = a.get("manifest_digest") == manifest.get("digest") and intact
        lines.append(
            f"{a['action']} by {a['by']} at {a['at']}: "
            + ("run unchanged since" if same else "the run changed since")
        )
    return intact, lines


def approve(run_dir: Path, action: str, by: str, role: str, comment: str) -> dict[str, Any]:
    """Append an approval (or rejection) and re-render the signoff. Approving anything but
    GO or GO WITH WAIVERS, or a run that changed since it was written, is refused."""
    intact, findings = verify(run_dir)
    signoff = json.loads((run_dir / "signoff.json").read_text("utf-8"))
    if action == "approved":
        if not intact:
            raise InputError(
                f"{run_dir}: refused: the run changed since it was written ({'; '.join(findings)})"
            )
        if signoff["exit_code"] != 0:
            raise InputError(
                f"{run_dir}: refused: the verdict is {signoff['verdict']}"
                f" ({'; '.join(signoff['reasons'][:3])})"
            )
    record = {
        "action": action,
        "by": by,
        "role": role,
        "comment": comment,
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verdict": signoff["verdict"],
        "manifest_digest": read_manifest(run_dir)["digest"],
    }
    with (run_dir / APPROVALS).open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    render_page(run_dir)
    return record
