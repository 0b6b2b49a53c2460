"""The manual items stay pending without a complete attestation (steps/upgrade_roles.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from golive.errors import CheckFailed
from packs.billing_upgrade.settings import Attestation, UpgradePlan
from steps.billing_upgrade.roles import _attested

FEATURES = ["Invoice item adjustments", "Bulk ticket assignment"]


def test_a_missing_attestation_leaves_the_item_pending() -> None:
    # pending = not run, like every unattested manual item; the verdict cannot be GO
    with pytest.raises(pytest.skip.Exception, match=r"^UPG-20: pending: no attestation recorded"):
        _attested(UpgradePlan(), "UPG-20", FEATURES, "familiarized with")


def test_an_attestation_missing_a_feature_is_pending_and_names_it() -> None:
    plan = UpgradePlan(
        attestations={
            "UPG-20": Attestation(
                by="Dana", at=datetime(2026, 11, 21, tzinfo=UTC), covers=FEATURES[:1]
            )
        }
    )
    with pytest.raises(CheckFailed, match=r"pending: Dana's attestation .* Bulk ticket assignment"):
        _attested(plan, "UPG-20", FEATURES, "familiarized with")


def test_a_complete_attestation_passes() -> None:
    plan = UpgradePlan(
        attestations={
            "UPG-20": Attestation(by="Dana", at=datetime(2026, 11, 21, tzinfo=UTC), covers=FEATURES)
        }
    )
    _attested(plan, "UPG-20", FEATURES, "familiarized with")
