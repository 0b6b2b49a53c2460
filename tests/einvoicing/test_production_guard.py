"""The end-to-end send (EINV-12) changes the target: on a production-tier environment it
is refused unless the scenario allows it, by the plugin (the item is skipped) and by the
HTTP layer (the request never leaves)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from fixtures.einvoicing.einvoicing import build_test_invoice
from golive.errors import MutationRefused
from golive.http import MutationGuard
from golive.launcher import TOKEN_VAR
from packs.einvoicing.settings import PeppolParticipant
from packs.einvoicing.storecove import StorecoveApi

ISSUED = date(2027, 1, 1)  # a test invoice's issue date: fixed, not the clock's

REPO = Path(__file__).resolve().parents[2]
E2E = "test_a_test_invoice_is_submitted"


def submissions_seen(sandbox: str) -> int:
    token = os.environ[TOKEN_VAR]
    log = requests.get(
        f"{sandbox}/sandbox/requests", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    return sum(1 for r in log if r["path"].endswith("/document_submissions"))


def invoice_for(api: StorecoveApi) -> dict[str, Any]:
    entity = api.legal_entity(101)
    assert entity is not None
    own = entity.peppol_identifiers[0]
    receiver = PeppolParticipant(scheme=own.scheme, identifier=own.identifier)
    return build_test_invoice(entity, receiver, "C-3001", "guard", ISSUED)


def test_the_http_layer_refuses_the_submission_on_production(
    sandbox: str, storecove_client: Any
) -> None:
    token = os.environ[TOKEN_VAR]
    guard = MutationGuard("production", allowed=[])
    api = StorecoveApi(storecove_client(sandbox, token, guard))
    before = submissions_seen(sandbox)
    guard.current_check = "EINV-12"
    with pytest.raises(MutationRefused, match=r"EINV-12 is not in policy\.allow_mutating"):
        api.submit(invoice_for(api))
    assert submissions_seen(sandbox) == before, "the refused submission reached the provider"

    allowed = MutationGuard("production", allowed=["EINV-12"])
    allowed.current_check = "EINV-12"
    api = StorecoveApi(storecove_client(sandbox, token, allowed))
    assert api.submit(invoice_for(api))
    assert submissions_seen(sandbox) == before + 1


def run_e2e(tmp_path: Path, allow: list[str]) -> subprocess.CompletedProcess[str]:
    scenario = yaml.safe_load((REPO / "scenarios" / "sandbox.yaml").read_text())
    scenario["environment"] = {"name": "sandbox-as-production", "tier": "production"}
    scenario["policy"]["allow_mutating"] = allow
    file = tmp_path / "production.yaml"
    file.write_text(yaml.safe_dump(scenario))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:randomly",
            "features",
            "--scenario",
            str(file),
            "-k",
            E2E,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GOLIVE_SANDBOX_URL": ""},
    )


def test_a_production_scenario_skips_the_send_unless_allowed(tmp_path: Path) -> None:
    refused = run_e2e(tmp_path, allow=[])
    assert "3 skipped" in refused.stdout, refused.stdout + refused.stderr
    assert "EINV-12 changes the target and the environment is production" in refused.stdout

    allowed = run_e2e(tmp_path, allow=["EINV-12"])
    assert "3 passed" in allowed.stdout, allowed.stdout + allowed.stderr
