"""The partner go-live pack: moving an EDI trading partner into production (MTP-*)."""

from __future__ import annotations

from pathlib import Path

from golive.mailbox import Mailbox
from golive.packs import Pack

from .adapters import PartnerPlatform
from .settings import PartnerGoLive

ROOT = Path(__file__).resolve().parents[2]

PACK = Pack(
    name="partner_go_live",
    features=ROOT / "features" / "partner_go_live",
    plugins=("fixtures.partner_go_live.partners", "steps.partner_go_live.move_to_production"),
    ids=("MTP",),
    settings=PartnerGoLive,
    systems={"partners": PartnerPlatform, "mailbox": Mailbox},
    adapters={"partner-platform": "packs.partner_go_live.adapters:RestPartnerPlatform"},
    subjects={"partner": lambda s: [p.id for p in s.partners]},
)
