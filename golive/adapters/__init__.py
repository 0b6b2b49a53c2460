"""Adapters: how golive talks to each kind of system.

Steps depend on the Protocols here, never on HTTP. Each adapter takes an ``HttpClient``
(which already knows the base URL, credentials, timeouts, redaction and the production
guard) and returns plain records; it never asserts. A team with its own system writes a
class with the same methods and names it in the scenario as ``adapter: package.module:Class``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import InputError
from ..http import HttpClient
from .billing_ops import RestBillingOps
from .hub import ConnectHub
from .killbill import RestKillBill
from .mailbox import CaptureMailbox
from .monitor import RestEdiMonitor
from .partners import RestPartnerPlatform
from .storecove import StorecoveApi

BUILT_IN: dict[str, Callable[[HttpClient], Any]] = {
    "partner-platform": RestPartnerPlatform,
    "capture-mailbox": CaptureMailbox,
    "edi-monitor": RestEdiMonitor,
    "connect-hub": ConnectHub,
    "storecove": StorecoveApi,
    "killbill": RestKillBill,
    "billing-ops": RestBillingOps,
    "web-portal": lambda http: http,  # a portal is driven in the browser (adapters/portal.py)
}


def resolve(name: str) -> Callable[[HttpClient], Any]:
    if name in BUILT_IN:
        return BUILT_IN[name]
    module_name, _, attr = name.partition(":")
    if not attr:
        known = ", ".join(sorted(BUILT_IN))
        raise InputError(f"unknown adapter {name!r}: expected one of {known} or 'module:Class'")
    try:
        factory: Callable[[HttpClient], Any] = getattr(importlib.import_module(module_name), attr)
        return factory
    except (ImportError, AttributeError) as exc:
        raise InputError(f"adapter {name!r} cannot be loaded: {exc}") from None
