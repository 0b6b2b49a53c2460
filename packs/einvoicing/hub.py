"""The integration hub ("Momentus Connect"): what the e-invoicing checklist reads there.

The hub has no published API; ``ConnectHub`` speaks the sandbox's (documented in
``golive/sandbox/hub.py``). A team with another hub implements ``IntegrationHub``. Every
call is a read: the connection test is the hub's own "Test connection", in which the hub
authenticates at the provider with the API key it holds (golive never sees that key).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Protocol

from golive.answers import Answer
from golive.http import HttpClient

APP = "e-invoicing"


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class HubCustomer:
    id: str
    name: str
    edition: str
    feature_flags: dict[str, bool]

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name}, {self.edition})"


@dataclass(frozen=True)
class IntegrationRequest:
    id: str
    app: str
    requester: str
    state: str
    initiated_at: str | None
    approved_at: str | None


@dataclass(frozen=True)
class SetupForm:
    submitted_by: str
    submitted_at: str
    fields: dict[str, str]


@dataclass(frozen=True)
class ApiUser:
    username: str
    active: bool


@dataclass(frozen=True)
class HubWebhook:
    id: str
    url: str
    events: list[str]


@dataclass(frozen=True)
class Integration:
    id: str
    provider: str
    provider_url: str
    legal_entity_id: int | None
    api_key_name: str
    api_key_last4: str
    configured_at: str
    webhooks: list[HubWebhook] = field(default_factory=list)


@dataclass(frozen=True)
class ConnectionTest:
    authenticated: bool
    status: int | None
    detail: str
    api_key_name: str


class IntegrationHub(Protocol):
    def customer(self, customer_id: str) -> HubCustomer: ...

    def integration_requests(self, customer_id: str) -> list[IntegrationRequest]: ...

    def setup_form(self, customer_id: str) -> SetupForm | None: ...

    def api_users(self, customer_id: str) -> list[ApiUser]: ...

    def api_user_authenticates(self, username: str, password: str) -> bool: ...

    def integration(self, customer_id: str) -> Integration | None: ...

    def connection_test(self, customer_id: str) -> ConnectionTest: ...


class ConnectHub:
    def __init__(self, http: HttpClient, app: str = APP) -> None:
        self.http = http
        self.app = app

    def _get(self, path: str) -> Answer | None:
        response = self.http.request("GET", f"/connect/api{path}", ok=(404,))
        return None if response.status_code == 404 else Answer.of(self.http, response)

    def _rows(self, path: str) -> list[Answer]:
        raw = self._get(path)
        return [] if raw is None else raw.items()

    def customer(self, customer_id: str) -> HubCustomer:
        raw = self._get(f"/customers/{customer_id}")
        if raw is None:
            raise NotFound(f"no customer {customer_id} in the hub ({self.http.system})")
        flags = raw.opt_obj("feature_flags")
        return HubCustomer(
            raw.text("id"),
            raw.text("name"),
            raw.text("edition"),
            {str(k): flags.flag(k) for k in flags.value} if flags else {},
        )

    def integration_requests(self, customer_id: str) -> list[IntegrationRequest]:
        return [
            IntegrationRequest(
                r.text("id"),
                r.text("app"),
                r.text("requester"),
                r.text("state"),
                r.opt_text("initiated_at"),
                r.opt_text("approved_at"),
            )
            for r in self._rows(f"/customers/{customer_id}/integration_requests")
        ]

    def setup_form(self, customer_id: str) -> SetupForm | None:
        raw = self._get(f"/customers/{customer_id}/setup_forms/{self.app}")
        if raw is None:
            return None
        given = raw.obj("fields").value
        fields = {str(k): "" if v is None else str(v) for k, v in given.items()}
        return SetupForm(raw.text("submitted_by"), raw.text("submitted_at"), fields)

    def api_users(self, customer_id: str) -> list[ApiUser]:
        rows = self._rows(f"/customers/{customer_id}/api_users")
        return [ApiUser(r.text("username"), r.flag("active")) for r in rows]

    def api_user_authenticates(self, username: str, password: str) -> bool:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        response = self.http.request(
            "GET", "/connect/api/me", headers={"Authorization": f"Basic {token}"}, ok=(401, 403)
        )
        return response.status_code == 200

    def integration(self, customer_id: str) -> Integration | None:
        raw = self._get(f"/customers/{customer_id}/integrations/{self.app}")
        if raw is None:
            return None
        key = raw.opt_obj("api_key")
        return Integration(
            id=raw.text("id"),
            provider=raw.text("provider"),
            provider_url=raw.opt_text("provider_url") or "",
            legal_entity_id=raw.opt_integer("legal_entity_id"),
            api_key_name=(key.opt_text("name") if key else None) or "",
            api_key_last4=(key.opt_text("last4") if key else None) or "",
            configured_at=raw.opt_text("configured_at") or "",
            webhooks=[
                HubWebhook(h.text("id"), h.text("url"), h.texts("events"))
                for h in raw.opt_array("webhooks")
            ],
        )

    def connection_test(self, customer_id: str) -> ConnectionTest:
        raw = self._get(f"/customers/{customer_id}/integrations/{self.app}/connection")
        if raw is None:
            return ConnectionTest(False, None, "no integration configured", "")
        return ConnectionTest(
            raw.flag("authenticated"),
            raw.opt_integer("status"),
            raw.opt_text("detail") or "",
            raw.opt_text("api_key") or "",
        )
