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
from typing import Literal, Protocol

from golive.answers import Answer
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


class RestEdiMonitor:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, instance: Instance, customer_id: str, tail: str = "") -> Answer:
        path = f"/monitor/api/{instance}/customers/{customer_id}{tail}"
        answer = Answer.of(self.http, self.http.request("GET", path, ok=(404,)))
        if answer.status == 404:
            raise CustomerNotFound(f"no customer {customer_id} on {self.http.system} {instance}")
        return answer

    def customer(self, instance: Instance, customer_id: str) -> Customer:
        raw = self._get(instance, customer_id)
        return Customer(
            raw.text("id"),
            raw.text("name"),
            raw.opt_text("onboarding_state"),
            raw.texts("sub_companies", required=True),
        )

    def relations(self, instance: Instance, customer_id: str) -> list[Relation]:
        rows = self._get(instance, customer_id, "/partner-relations")
        return [Relation(r.text("partner_company"), r.iso_date("established_at")) for r in rows]

    def partner_users(self, instance: Instance, customer_id: str) -> list[PartnerUser]:
        rows = self._get(instance, customer_id, "/partner-users")
        return [
            PartnerUser(
                instance=instance,
                username=r.text("username"),
                partner_company=r.text("partner_company"),
                permissions=frozenset(r.texts("permissions", required=True)),
                created_at=r.iso_date("created_at"),
                access_start=r.opt_iso_date("access_start"),
                expires_at=r.opt_iso_date("expires_at"),
                enabled=r.flag("enabled"),
                revoked_at=r.opt_iso_date("revoked_at"),
                sub_companies=r.texts("sub_companies"),
            )
            for r in rows
        ]

    def messages(self, instance: Instance, customer_id: str) -> list[Message]:
        rows = self._get(instance, customer_id, "/messages")
        return [Message(r.text("id"), r.text("company_id"), r.text("state")) for r in rows]

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
        return PartnerCall(
            200, Answer.of(self.http, response).texts("sub_companies", required=True)
        )

    def web_url(self, instance: Instance) -> str:
        return f"{self.http.base_url}/monitor/{instance}"
