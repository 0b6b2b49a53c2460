"""Ed25519 keys and signatures, and the verdict as an in-toto attestation in a DSSE envelope.

Keys (docs/signoff.md, "Signatures"):

- ``GOLIVE_SIGNING_KEY_FILE``: the runner's Ed25519 private key (PEM, PKCS#8, unencrypted).
  With it a run signs its manifest and its attestation, and ``golive signoff`` signs each
  approval. Its public half is written into the run folder as ``signing-key.pub``.
- ``GOLIVE_PUBLIC_KEY_FILE`` (or ``golive verify --public-key FILE``): the public key a
  reader trusts. The copy in the run folder says which key signed; it proves nothing by
  itself, since whoever rewrites a folder can replace it.

The attestation (``attestation.dsse.json``) is an in-toto Statement v1 whose subjects are
the run's files by SHA-256 and whose predicate is the test-result predicate v0.1
(https://in-toto.io/attestation/test-result/v0.1), in a DSSE envelope
(https://github.com/secure-systems-lab/dsse/blob/master/protocol.md): the signature is
over ``PAE(payloadType, payload)``, so standard verifiers (``cosign verify-blob-attestation``,
in-toto's) can check it with the same public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import InputError

SIGNING_KEY_VAR = "GOLIVE_SIGNING_KEY_FILE"
PUBLIC_KEY_VAR = "GOLIVE_PUBLIC_KEY_FILE"
LEGACY_HMAC_VAR = "GOLIVE_SIGNING_KEY"
PUBLIC_KEY_FILE = "signing-key.pub"
ATTESTATION = "attestation.dsse.json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://in-toto.io/attestation/test-result/v0.1"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise InputError(f"{SIGNING_KEY_VAR}={path}: cannot read: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{SIGNING_KEY_VAR}={path}: not an unencrypted PEM private key ({exc})"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{SIGNING_KEY_VAR}={path}: expected an Ed25519 key")
    return key


def load_public(path: Path, what: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{what}: cannot read: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{what}: expected an Ed25519 public key")
    return key


def write_keypair(private_path: Path, public_path: Path) -> str:
    """A new Ed25519 key pair: the private key (PEM, PKCS#8) readable by its owner only
    (0600, made so, never widened after), the public key beside it; neither file may exist
    yet. Returns the key id."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise InputError(f"{path}: already exists; golive keygen never overwrites a key")
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InputError(f"{private_path}: cannot be written ({exc.strerror})") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    try:
        fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        private_path.unlink()
        raise InputError(f"{public_path}: cannot be written ({exc.strerror})") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(public_pem(key.public_key()))
    return key_id(key.public_key())


def signing_key() -> Ed25519PrivateKey | None:
    """The runner's key, from ``GOLIVE_SIGNING_KEY_FILE``; bad input is ``InputError``."""
    path = os.environ.get(SIGNING_KEY_VAR)
    if not path:
        if os.environ.get(LEGACY_HMAC_VAR):
            raise InputError(
                f"{LEGACY_HMAC_VAR} (a shared HMAC secret) is no longer used: set"
                f" {SIGNING_KEY_VAR} to an Ed25519 private key file (docs/signoff.md)"
            )
        return None
    return load_private(Path(path))


def trusted_key(explicit: Path | None = None) -> Ed25519PublicKey | None:
    """The public key a reader trusts: ``--public-key``, else ``GOLIVE_PUBLIC_KEY_FILE``,
    else the public half of ``GOLIVE_SIGNING_KEY_FILE``; None when none is configured."""
    if explicit is not None:
        return load_public(explicit, f"--public-key {explicit}")
    path = os.environ.get(PUBLIC_KEY_VAR)
    if path:
        return load_public(Path(path), f"{PUBLIC_KEY_VAR}={path}")
    private = signing_key()
    return private.public_key() if private is not None else None


def sign(private: Ed25519PrivateKey, context: str, body: Any) -> dict[str, str]:
    sig = private.sign(context.encode() + b"\n" + canonical(body))
    return {
        "algorithm": "ed25519",
        "keyid": key_id(private.public_key()),
        "sig": base64.b64encode(sig).decode(),
    }


def valid(public: Ed25519PublicKey, context: str, body: Any, signature: Any) -> bool:
    if not isinstance(signature, dict) or signature.get("keyid") != key_id(public):
        return False
    try:
        public.verify(
            base64.b64decode(str(signature.get("sig", "")), validate=True),
            context.encode() + b"\n" + canonical(body),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 Pre-Authentication Encoding."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def predicate(doc: dict[str, Any], run_sha256: str | None) -> dict[str, Any]:
    """The test-result predicate for a signoff document."""

    def label(item: dict[str, Any]) -> str:
        return f"{item['id']} [{item['subject']}]" if item.get("subject") else str(item["id"])

    items = doc.get("items", [])
    passed = [label(i) for i in items if i["status"] == "passed"]
    failed = [label(i) for i in items if i["status"] != "passed" and i["blocking"]]
    warned = [label(i) for i in items if i["status"] != "passed" and not i["blocking"]]
    if doc.get("exit_code") != 0:
        result = "FAILED"
        failed = failed or [str(r) for r in doc.get("reasons", [])]
    else:
        result = "WARNED" if warned else "PASSED"
    config = [{"name": "run.json", "digest": {"sha256": run_sha256}}] if run_sha256 else []
    return {
        "result": result,
        "configuration": config,
        "passedTests": passed,
        "warnedTests": warned,
        "failedTests": failed,
    }


def statement(files: dict[str, str], doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": name, "digest": {"sha256": sha}} for name, sha in sorted(files.items())
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate(doc, files.get("run.json")),
    }


def envelope(stmt: dict[str, Any], private: Ed25519PrivateKey | None) -> dict[str, Any]:
    payload = canonical(stmt)
    signatures = []
    if private is not None:
        sig = private.sign(pae(PAYLOAD_TYPE, payload))
        signatures.append(
            {"keyid": key_id(private.public_key()), "sig": base64.b64encode(sig).decode()}
        )
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode(),
        "signatures": signatures,
    }


def check_envelope(
    raw: Any, public: Ed25519PublicKey | None, files: dict[str, str], doc: dict[str, Any]
) -> list[str]:
    """What is wrong with an attestation envelope (empty: it holds); ``public`` None means
    its signature cannot be checked (reported by the caller, not here)."""
    if not isinstance(raw, dict) or raw.get("payloadType") != PAYLOAD_TYPE:
        return [f"{ATTESTATION}: not a DSSE envelope of {PAYLOAD_TYPE}"]
    try:
        payload = base64.b64decode(str(raw.get("payload", "")), validate=True)
        stmt = json.loads(payload)
    except ValueError:
        return [f"{ATTESTATION}: its payload is not base64 JSON"]
    problems = []
    if public is not None:
        listed = raw.get("signatures")
        sigs: list[Any] = listed if isinstance(listed, list) else []
        good = False
        for s in sigs:
            if isinstance(s, dict) and s.get("keyid") == key_id(public):
                try:
                    public.verify(
                        base64.b64decode(str(s.get("sig", "")), validate=True),
                        pae(PAYLOAD_TYPE, payload),
                    )
                    good = True
                except (InvalidSignature, ValueError):
                    pass
        if not good:
            problems.append(f"{ATTESTATION}: no valid signature by key {key_id(public)[:16]}")
    if stmt != statement(files, doc):
        problems.append(
            f"{ATTESTATION}: the statement does not match the run's files and signoff.json"
        )
    return problems
