"""The __PACK__ checklist pack (__PREFIX__-*): what it holds and needs, declared once."""

from __future__ import annotations

from pathlib import Path

from golive.packs import Pack

from .adapters import Service
from .settings import Settings

ROOT = Path(__file__).resolve().parents[2]

PACK = Pack(
    name="__PACK__",
    features=ROOT / "features" / "__PACK__",
    plugins=("fixtures.__PACK__.service", "steps.__PACK__.service"),
    ids=("__PREFIX__",),
    settings=Settings,
    # the scenario's systems this pack talks to, and the Protocol each adapter follows
    systems={"__PACK__": Service},
    # built-in adapters, by the name a scenario gives as `adapter:`
    adapters={"__PACK__-api": "packs.__PACK__.adapters:RestService"},
)
