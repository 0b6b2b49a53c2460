"""The billing upgrade pack: verifying a billing platform's upgrade against the production
bill run (UPG-*): payments, provisioning, portals, staff roles, balances and charges."""

from __future__ import annotations

from pathlib import Path

from golive.packs import Pack

from .billing_ops import BillingOps
from .killbill import Billing
from .settings import UpgradePlan

ROOT = Path(__file__).resolve().parents[2]

PACK = Pack(
    name="billing_upgrade",
    features=ROOT / "features" / "billing_upgrade",
    plugins=(
        "fixtures.billing_upgrade.billing",
        "steps.billing_upgrade.platform",
        "steps.billing_upgrade.accounts",
        "steps.billing_upgrade.bill_run",
        "steps.billing_upgrade.portal",
        "steps.billing_upgrade.roles",
    ),
    ids=("UPG",),
    settings=UpgradePlan,
    # the portals are driven in the browser: any adapter will do (web-portal)
    systems={
        "production": Billing,
        "candidate": Billing,
        "operations": BillingOps,
        "customer_portal": object,
        "admin_portal": object,
    },
    system_names=lambda plan: plan.system_roles(),
    adapters={
        "killbill": "packs.billing_upgrade.killbill:RestKillBill",
        "billing-ops": "packs.billing_upgrade.billing_ops:RestBillingOps",
        "web-portal": "golive.systems:plain_client",
    },
    subjects={
        "processor": lambda plan: [p.id for p in plan.processors],
        "role": lambda plan: [r.id for r in plan.roles],
    },
)
