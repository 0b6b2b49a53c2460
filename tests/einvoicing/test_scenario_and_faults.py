"""The e-invoicing part of the scenario model and of the sandbox's fault table."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from golive.errors import ScenarioError
from golive.packs import load

REPO = Path(__file__).resolve().parents[2]
FEATURE = REPO / "features" / "einvoicing" / "readiness.feature"
MANUAL = {"EINV-13"}  # attested by a person: no fault can fail it (see the feature text)
# every variable the sandbox scenario refers to (the upgrade's systems added the user)
ENV = {
    "GOLIVE_SANDBOX_TOKEN": "token-0123456",
    "GOLIVE_SANDBOX_USER": "golive",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}


def scenario_with(tmp_path: Path, customer: dict[str, object]) -> Path:
    raw = yaml.safe_load((REPO / "scenarios" / "sandbox.yaml").read_text())
    raw["packs"]["einvoicing"]["customers"] = [customer]
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(raw))
    return file


def test_an_enterprise_customer_needs_its_api_user(tmp_path: Path) -> None:
    file = scenario_with(tmp_path, {"id": "C-1", "edition": "Enterprise", "legal_entity_id": 1})
    with pytest.raises(ScenarioError, match="Enterprise customer needs api_user"):
        load(file, env=ENV)


def test_an_unknown_edition_is_refused_with_its_key(tmp_path: Path) -> None:
    file = scenario_with(tmp_path, {"id": "C-1", "edition": "Premium", "legal_entity_id": 1})
    with pytest.raises(ScenarioError, match=r"packs\.einvoicing\.customers\.0\.edition"):
        load(file, env=ENV)


def test_every_item_has_a_fault_for_a_customer_of_the_sandbox_scenario() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "golive.sandbox", "--list-faults", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    faults = [f for f in json.loads(listed.stdout) if f["breaks"].startswith("EINV-")]
    items = set(re.findall(r"@(EINV-\d+)", FEATURE.read_text()))
    _, packs = load(REPO / "scenarios" / "sandbox.yaml", env=ENV)
    customers = set(
        next(a for a in packs if a.pack.name == "einvoicing").subjects("einvoicing_customer") or []
    )
    assert items - MANUAL == {f["breaks"] for f in faults}
    assert {f["subject"] for f in faults} <= customers
    assert len({f["name"] for f in faults}) == len(faults)
