"""Run folders made in tmp_path as ``golive run`` leaves them (run.json, plan.json, Allure
results, signoff, manifest, attestation), and Ed25519 keys, for in-process tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from golive import cli

SEVERITY = {"MTP-05": "blocker", "MTP-06": "blocker", "ERP-01": "minor"}
STARTED = "2027-03-15T10:00:00Z"


def result(id: str, subject: str, status: str, uuid: str) -> dict[str, Any]:
    message = {"failed": "CheckFailed: seen nothing", "broken": "TargetUnreachable: down"}
    raw: dict[str, Any] = {
        "uuid": uuid,
        "status": status,
        "labels": [
            {"name": "golive_id", "value": id},
            {"name": "golive_subject", "value": subject or "-"},
        ],
        "start": 1,
        "stop": 2,
        "testCaseId": f"tc-{id}-{subject}",
    }
    if status in message:
        raw["statusDetails"] = {"message": message[status]}
    return raw


def make_run(
    root: Path,
    name: str = "20270315-100000-aaaaaa",
    statuses: dict[str, str] | None = None,
    pytest_exit: int | None = 0,
    finished: bool = True,
    policy: dict[str, Any] | None = None,
    waivers: list[dict[str, Any]] | None = None,
    judge: bool = True,
) -> Path:
    """A run folder; ``statuses`` maps "ID" or "ID|SUBJECT" to a status ("" for no result)."""
    statuses = statuses if statuses is not None else {"MTP-05": "passed"}
    run = root / name
    (run / "allure-results").mkdir(parents=True)
    info = {
        "run_id": name,
        "scenario": "scenarios/sandbox.yaml",
        "environment": "sandbox",
        "tier": "test",
        "started": STARTED,
        "finished": "2027-03-15T10:05:00Z" if finished else "",
        "golive_version": "0.1.0",
        "ran_by": "qa",
        "faults": [],
        "tags": "",
        "policy": policy or {},
        "waivers": waivers or [],
        "pytest_exit": pytest_exit,
    }
    (run / "run.json").write_text(json.dumps(info, indent=2))
    items = []
    for n, (key, status) in enumerate(statuses.items()):
        id, _, subject = key.partition("|")
        items.append(
            {
                "id": id,
                "title": f"title of {id}",
                "severity": SEVERITY.get(id, "blocker"),
                "checklist": "Partner go live",
                "feature": "Move",
                "file": "partner_go_live/move_to_production.feature",
                "line": 10 + n,
                "subject": subject,
                "mutating": False,
                "manual": False,
            }
        )
        if status:
            uuid = hashlib.md5(f"{name}|{key}".encode()).hexdigest()  # unique across runs
            raw = result(id, subject, status, uuid)
            (run / "allure-results" / f"{uuid}-result.json").write_text(json.dumps(raw))
    (run / "plan.json").write_text(json.dumps({"items": items}, indent=2))
    if judge:
        cli.finish(run, html=False)
    return run


def keypair(folder: Path, name: str = "golive") -> tuple[Path, Path]:
    """An Ed25519 private key (PEM, PKCS#8) and its public key (PEM), as files."""
    key = Ed25519PrivateKey.generate()
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public
