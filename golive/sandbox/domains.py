"""The sandbox's domains, and the fault table gathered from them."""

from __future__ import annotations

from . import billing, hub, monitor, partners, storecove
from .common import Fault

DOMAINS = (partners, monitor, storecove, hub, billing)

FAULTS: tuple[Fault, ...] = tuple(f for d in DOMAINS for f in d.FAULTS)
BY_NAME = {f.name: f for f in FAULTS}


def resolve(names: list[str]) -> list[Fault]:
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        known = ", ".join(sorted(BY_NAME))
        raise SystemExit(f"golive sandbox: unknown fault {', '.join(unknown)} (known: {known})")
    return [BY_NAME[n] for n in names]
