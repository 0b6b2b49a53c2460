"""The partner platform: trading partners and the Move to Production action.

``PartnerPlatform`` is what the move-to-production steps need. ``RestPartnerPlatform``
speaks the sandbox's API (see ``golive/sandbox/app.py`` for its routes); a team whose
platform has a different API implements the same Protocol. Answers are read through
``golive.answers.Answer``: one without a field the checks need is a broken item naming the
field and the URL, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from golive.answers import Answer
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


def _staff(raw: Answer | None) -> StaffMember | None:
    if raw is None:
        return None
    return StaffMember(
        raw.text("username"),
        raw.text("name"),
        raw.text("email"),
        raw.flag("active"),
        raw.flag("receives_alert_emails"),
    )


class RestPartnerPlatform:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, path: str, partner_id: str | None = None) -> Answer:
        answer = Answer.of(self.http, self.http.request("GET", path, ok=(404,)))
        if answer.status == 404 and partner_id is not None:
            raise PartnerNotFound(f"no trading partner {partner_id} on {self.http.system}")
        return answer

    def organisation(self) -> Organisation:
        raw = self._get("/api/organisation")
        return Organisation(raw.text("name"), raw.texts("customer_service"))

    def partner(self, partner_id: str) -> PartnerRecord:
        raw = self._get(f"/api/partners/{partner_id}", partner_id)
        key = raw.opt_obj("auto_assign_key")
        return PartnerRecord(
            id=raw.text("id"),
            name=raw.text("name"),
            kind=raw.text("kind"),
            status=raw.text("status"),
            business_rep=_staff(raw.opt_obj("business_rep")),
            implementer=_staff(raw.opt_obj("implementer")),
            inside_sales_rep=_staff(raw.opt_obj("inside_sales_rep")),
            notification_emails=raw.texts("notification_emails"),
            auto_assign_key=key.opt_text("value") if key else None,
            auto_assign_key_state=key.opt_text("state") if key else None,
            buyers=[b.text("email") for b in raw.opt_array("buyers")],
            implementation_contacts=raw.texts("implementation_contacts"),
        )

    def change_requests(self, partner_id: str) -> list[ChangeRequest]:
        rows = self._get(f"/api/partners/{partner_id}/change_requests", partner_id)
        return [
            ChangeRequest(
                r.text("id"), r.text("title"), r.flag("has_configuration_instructions"),
                r.text("state"),
            )
            for r in rows.items()
        ]  # fmt: skip

    def move_draft(self, partner_id: str) -> MoveDraft:
        raw = self._get(f"/api/partners/{partner_id}/move_to_production", partner_id)
        groups = raw.opt_obj("groups")
        return MoveDraft(
            raw.text("subject"),
            raw.text("body"),
            raw.texts("recipients", required=True),
            {k: groups.texts(k, required=True) for k in groups.value} if groups else {},
        )

    def move_to_production(self, partner_id: str, recipients: list[str], body: str) -> MoveReceipt:
        response = self.http.request(
            "POST",
            f"/api/partners/{partner_id}/move_to_production",
            json_body={"recipients": recipients, "body": body},
        )
        raw = Answer.of(self.http, response)
        return MoveReceipt(raw.text("status"), raw.text("message_id"))
