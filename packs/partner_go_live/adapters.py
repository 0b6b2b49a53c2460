"""The partner platform: trading partners and the Move to Production action.

``PartnerPlatform`` is what the move-to-production steps need. ``RestPartnerPlatform``
speaks the sandbox's API (see ``golive/sandbox/app.py`` for its routes); a team whose
platform has a different API implements the same Protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from golive.http import HttpClient


@dataclass(frozen=True)
class StaffMember:
    username: str
    name: str
    email: str
    active: bool
    receives_alert_emails: bool


@dataclass(frozen=True)
class ChangeRequest:
    id: str
    title: str
    has_configuration_instructions: bool
    state: str


@dataclass(frozen=True)
class PartnerRecord:
    id: str
    name: str
    kind: str
    status: str
    business_rep: StaffMember | None
    implementer: StaffMember | None
    inside_sales_rep: StaffMember | None
    notification_emails: list[str]
    auto_assign_key: str | None
    auto_assign_key_state: str | None
    buyers: list[str]
    implementation_contacts: list[str]

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})"


@dataclass(frozen=True)
class MoveDraft:
    subject: str
    body: str
    recipients: list[str]
    groups: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class MoveReceipt:
    status: str
    message_id: str


@dataclass(frozen=True)
class Organisation:
    name: str
    customer_service: list[str]


class PartnerNotFound(LookupError):
    pass


class PartnerPlatform(Protocol):
    def organisation(self) -> Organisation: ...

    def partner(self, partner_id: str) -> PartnerRecord: ...

    def change_requests(self, partner_id: str) -> list[ChangeRequest]: ...

    def move_draft(self, partner_id: str) -> MoveDraft: ...

    def move_to_production(
        self, partner_id: str, recipients: list[str], body: str
    ) -> MoveReceipt: ...


def _staff(raw: dict[str, Any] | None) -> StaffMember | None:
    if raw is None:
        return None
    return StaffMember(
        raw["username"],
        raw["name"],
        raw["email"],
        bool(raw["active"]),
        bool(raw["receives_alert_emails"]),
    )


class RestPartnerPlatform:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, path: str, partner_id: str) -> Any:
        status, body = self.http.get_json(path, ok=(404,))
        if status == 404:
            raise PartnerNotFound(f"no trading partner {partner_id} on {self.http.system}")
        return body

    def organisation(self) -> Organisation:
        _, raw = self.http.get_json("/api/organisation")
        return Organisation(raw["name"], list(raw.get("customer_service") or []))

    def partner(self, partner_id: str) -> PartnerRecord:
        raw = self._get(f"/api/partners/{partner_id}", partner_id)
        key = raw.get("auto_assign_key") or {}
        return PartnerRecord(
            id=raw["id"],
            name=raw["name"],
            kind=raw["kind"],
            status=raw["status"],
            business_rep=_staff(raw.get("business_rep")),
            implementer=_staff(raw.get("implementer")),
            inside_sales_rep=_staff(raw.get("inside_sales_rep")),
            notification_emails=list(raw.get("notification_emails") or []),
            auto_assign_key=key.get("value"),
            auto_assign_key_state=key.get("state"),
            buyers=[b["email"] for b in raw.get("buyers") or []],
            implementation_contacts=list(raw.get("implementation_contacts") or []),
        )

    def change_requests(self, partner_id: str) -> list[ChangeRequest]:
        rows = self._get(f"/api/partners/{partner_id}/change_requests", partner_id)
        return [
            ChangeRequest(
                r["id"], r["title"], bool(r["has_configuration_instructions"]), r["state"]
            )
            for r in rows
        ]

    def move_draft(self, partner_id: str) -> MoveDraft:
        raw = self._get(f"/api/partners/{partner_id}/move_to_production", partner_id)
        return MoveDraft(
            raw["subject"], raw["body"], list(raw["recipients"]), dict(raw.get("groups") or {})
        )

    def move_to_production(self, partner_id: str, recipients: list[str], body: str) -> MoveReceipt:
        _, raw = self.http.send_json(
            "POST",
            f"/api/partners/{partner_id}/move_to_production",
            {"recipients": recipients, "body": body},
        )
        return MoveReceipt(raw["status"], raw["message_id"])
