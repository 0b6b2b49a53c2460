"""The systems of a scenario: one ``HttpClient`` and one adapter per configured system.

Credentials map to the wire by name: ``token`` is sent as a bearer token, ``username``
with ``password`` as basic auth, any other key as a header of that name (for example
``X-Killbill-ApiKey``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from .config import SANDBOX
from .context import RunContext
from .errors import InputError
from .evidence import record_exchange
from .http import HttpClient
from .packs import Active, adapters, conformance


def plain_client(http: HttpClient) -> HttpClient:
    """The adapter of a system driven in the browser (``web-portal``): its client."""
    return http


def resolve(name: str, active: list[Active]) -> Callable[[HttpClient], Any]:
    """An adapter by its built-in name (of a running pack, or the core's) or as
    ``module:Class``. ``InputError`` names what is missing."""
    named = adapters(active)
    target = named.get(name, name)
    module_name, _, attr = target.partition(":")
    if not attr:
        known = ", ".join(sorted(named))
        raise InputError(f"unknown adapter {name!r}: expected one of {known} or 'module:Class'")
    try:
        factory: Callable[[HttpClient], Any] = getattr(importlib.import_module(module_name), attr)
        return factory
    except (ImportError, AttributeError) as exc:
        raise InputError(f"adapter {name!r} cannot be loaded: {exc}") from None


def check_adapters(ctx: RunContext) -> list[str]:
    """Each configured system a running pack needs has an adapter that loads and has every
    method of the pack's Protocol for it; the problems, with file and key."""
    problems = []
    scenario = ctx.scenario
    for active in ctx.packs:
        if not active.applicable:
            continue
        for system, protocol in active.pack.needed_systems(active.settings).items():
            configured = scenario.systems[system]
            key = f"{scenario.source}: systems.{system}.adapter"
            try:
                factory = resolve(configured.adapter, ctx.packs)
            except InputError as exc:
                problems.append(f"{key}: {exc}")
                continue
            missing = conformance(factory, protocol)
            if missing:
                problems.append(
                    f"{key}: {configured.adapter} does not follow {protocol.__module__}."
                    f"{protocol.__qualname__} (pack {active.pack.name}): it has no"
                    f" {', '.join(m + '()' for m in missing)}"
                )
    return problems


class Systems:
    def __init__(self, ctx: RunContext, sandbox_url: str | None) -> None:
        self.ctx = ctx
        self.sandbox_url = sandbox_url
        self._clients: dict[str, HttpClient] = {}
        self._adapters: dict[str, Any] = {}

    def client(self, name: str) -> HttpClient:
        if name in self._clients:
            return self._clients[name]
        scenario = self.ctx.scenario
        if name not in scenario.systems:
            raise InputError(
                f"{scenario.source}: systems.{name}: not configured (a check needs it)"
            )
        system = scenario.systems[name]
        base_url = system.base_url
        if base_url == SANDBOX or base_url.startswith(SANDBOX + "/"):
            if self.sandbox_url is None:
                raise InputError(
                    f"{scenario.source}: systems.{name}.base_url: 'sandbox' needs sandbox.enabled"
                )
            base_url = self.sandbox_url + base_url[len(SANDBOX) :]
        creds = {k: v.get_secret_value() for k, v in system.credentials.items()}
        headers: dict[str, str] = {}
        auth = None
        if "token" in creds:
            headers["Authorization"] = f"Bearer {creds.pop('token')}"
        if "username" in creds and "password" in creds:
            auth = (creds.pop("username"), creds.pop("password"))
        headers.update(creds)
        client = HttpClient(
            name,
            base_url,
            redactor=self.ctx.redactor,
            guard=self.ctx.guard,
            run_id=self.ctx.run_id,
            recorder=record_exchange,
            headers=headers,
            auth=auth,
            timeout=system.timeout,
            retries=system.retries,
            verify_tls=system.verify_tls,
            deadline=system.deadline,
            item_deadline=system.item_deadline,
            breaker_after=system.breaker_after,
            items=self.ctx.items,
        )
        self._clients[name] = client
        return client

    def adapter(self, name: str) -> Any:
        if name not in self._adapters:
            client = self.client(name)
            factory = resolve(self.ctx.scenario.systems[name].adapter, self.ctx.packs)
            self._adapters[name] = factory(client)
        return self._adapters[name]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
