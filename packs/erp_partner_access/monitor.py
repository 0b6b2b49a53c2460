"""The EDI monitor: customers, their ERP partner relations and partner users, per instance.

``EdiMonitor`` is what the ERP partner access steps need; ``RestEdiMonitor`` speaks the
sandbox's API (``golive/sandbox/monitor.py``): the customer admin's API with the system's
bearer token, and the partner user's own API with that user's password (basic auth). A
team with another monitor implements the same Protocol. Adapters never assert: a refused
partner-user call comes back as a ``PartnerCall`` with its status.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from golive.http import HttpClient

Instance = Literal["TEST", "PROD"]
INSTANCES: tuple[Instance, ...] = ("TEST", "PROD")


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    onboarding_state: str | None
    sub_companies: list[str]

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})"


@dataclass(frozen=True)
class Relation:
    partner_company: str
    established_at: date


@dataclass(frozen=True)
class PartnerUser:
    instance: Instance
    username: str
    partner_company: str
    permissions: frozenset[str]
    created_at: date
    access_start: date | None
    expires_at: date | None
    enabled: bool
    revoked_at: date | None
    sub_companies: list[str]

    @property
    def label(self) -> str:
        return f"{self.username} on {self.instance}"


@dataclass(frozen=True)
class PartnerCall:
    """What the partner user's own API answered: its status, and the sub-companies seen."""

    status: int
    sub_companies: list[str]


@dataclass(frozen=True)
class Message:
    id: str
    company_id: str
    state: str


class CustomerNotFound(LookupError):
    pass


class EdiMonitor(Protocol):
    def customer(self, instance: Instance, customer_id: str) -> Customer: ...

    def relations(self, instance: Instance, customer_id: str) -> list[Relation]: ...

    def partner_users(self, instance: Instance, customer_id: str) -> list[PartnerUser]: ...

    def messages(self, instance: Instance, customer_id: str) -> list[Message]: ...

    def visible_sub_companies(
        self, instance: Instance, customer_id: str, username: str, password: str
    ) -> PartnerCall: ...

    def web_url(self, instance: Instance) -> str: ...


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


class RestEdiMonitor:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, instance: Instance, customer_id: str, tail: str = "") -> Any:
        path = f"/monitor/api/{instance}/customers/{customer_id}{tail}"
        status, body = self.http.get_json(path, ok=(404,))
        if status == 404:
            raise CustomerNotFound(f"no customer {customer_id} on {self.http.system} {instance}")
        return body

    def customer(self, instance: Instance, customer_id: str) -> Customer:
        raw = self._get(instance, customer_id)
        return Customer(
            raw["id"], raw["name"], raw.get("onboarding_state"), list(raw["sub_companies"])
        )

    def relations(self, instance: Instance, customer_id: str) -> list[Relation]:
        rows = self._get(instance, customer_id, "/partner-relations")
        return [
            Relation(r["partner_company"], date.fromisoformat(r["established_at"])) for r in rows
        ]

    def partner_users(self, instance: Instance, customer_id: str) -> list[PartnerUser]:
        rows = self._get(instance, customer_id, "/partner-users")
        return [
            PartnerUser(
                instance=instance,
                username=r["username"],
                partner_company=r["partner_company"],
                permissions=frozenset(r["permissions"]),
                created_at=date.fromisoformat(r["created_at"][:10]),
                access_start=_date(r.get("access_start")),
                expires_at=_date(r.get("expires_at")),
                enabled=bool(r["enabled"]),
                revoked_at=_date(r.get("revoked_at")),
                sub_companies=list(r.get("sub_companies") or []),
            )
            for r in rows
        ]

    def messages(self, instance: Instance, customer_id: str) -> list[Message]:
        rows = self._get(instance, customer_id, "/messages")
        return [Message(r["id"], r["company_id"], r["state"]) for r in rows]

    def visible_sub_companies(
        self, instance: Instance, customer_id: str, username: str, password: str
    ) -> PartnerCall:
        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        response = self.http.request(
            "GET",
            f"/monitor/api/{instance}/me/customers/{customer_id}/companies",
            headers={"Authorization": f"Basic {basic}"},
            ok=(401, 403),
        )
        if response.status_code != 200:
            return PartnerCall(response.status_code, [])
        return PartnerCall(200, list(response.json().get("sub_companies") or []))

    def web_url(self, instance: Instance) -> str:
        return f"{self.http.base_url}/monitor/{instance}"
