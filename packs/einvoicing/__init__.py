"""The e-invoicing readiness pack: a customer's e-invoicing go-live (EINV-*)."""

from __future__ import annotations

from pathlib import Path

from golive.mailbox import Mailbox
from golive.packs import Pack

from .hub import IntegrationHub
from .settings import EInvoicing
from .storecove import EInvoicingProvider

ROOT = Path(__file__).resolve().parents[2]

PACK = Pack(
    name="einvoicing",
    features=ROOT / "features" / "einvoicing",
    plugins=(
        "fixtures.einvoicing.einvoicing",
        "steps.einvoicing.readiness",
        "steps.einvoicing.provider",
    ),
    ids=("EINV",),
    settings=EInvoicing,
    systems={"hub": IntegrationHub, "storecove": EInvoicingProvider, "mailbox": Mailbox},
    adapters={
        "connect-hub": "packs.einvoicing.hub:ConnectHub",
        "storecove": "packs.einvoicing.storecove:StorecoveApi",
    },
    subjects={"einvoicing_customer": lambda s: [c.id for c in s.customers]},
)
