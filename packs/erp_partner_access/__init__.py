"""The ERP partner access pack: time-limited access for an ERP partner's users (ERP-*)."""

from __future__ import annotations

from pathlib import Path

from golive.packs import Pack

from .monitor import EdiMonitor
from .settings import ErpPartnerAccess

ROOT = Path(__file__).resolve().parents[2]

PACK = Pack(
    name="erp_partner_access",
    features=ROOT / "features" / "erp_partner_access",
    plugins=("fixtures.erp_partner_access.monitor", "steps.erp_partner_access.access"),
    ids=("ERP",),
    settings=ErpPartnerAccess,
    systems={"monitor": EdiMonitor},
    adapters={"edi-monitor": "packs.erp_partner_access.monitor:RestEdiMonitor"},
    subjects={"erp_customer": lambda s: [c.id for c in s.customers]},
)
