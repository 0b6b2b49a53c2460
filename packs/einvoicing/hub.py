"""The integration hub ("Momentus Connect"): what the e-invoicing checklist reads there.

The hub has no published API; ``ConnectHub`` speaks the sandbox's (documented in
``golive/sandbox/hub.py``). A team with another hub implements ``IntegrationHub``. Every
call is a read: the connection test is the hub's own "Test connection", in which the hub
authenticates at the provider with the API key it holds (golive never sees that key).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Protocol

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

    def _get(self, path: str) -> Any:
        status, body = self.http.get_json(f"/connect/api{path}", ok=(404,))
        return None if status == 404 else body

    def customer(self, customer_id: str) -> HubCustomer:
        raw = self._get(f"/customers/{customer_id}")
        if raw is None:
            raise NotFound(f"no customer {customer_id} in the hub ({self.http.system})")
        flags = {str(k): bool(v) for k, v in (raw.get("feature_flags") or {}).items()}
        return HubCustomer(raw["id"], raw["name"], raw["edition"], flags)

    def integration_requests(self, customer_id: str) -> list[IntegrationRequest]:
        rows = self._get(f"/customers/{customer_id}/integration_requests") or []
        return [
            IntegrationRequest(
                r["id"],
                r["app"],
                r["requester"],
                r["state"],
                r.get("initiated_at"),
                r.get("approved_at"),
            )
            for r in rows
        ]

    def setup_form(self, customer_id: str) -> SetupForm | None:
        raw = self._get(f"/customers/{customer_id}/setup_forms/{self.app}")
        if raw is None:
            return None
        fields = {str(k): "" if v is None else str(v) for k, v in raw["fields"].items()}
        return SetupForm(raw["submitted_by"], raw["submitted_at"], fields)

    def api_users(self, customer_id: str) -> list[ApiUser]:
        rows = self._get(f"/customers/{customer_id}/api_users") or []
        return [ApiUser(r["username"], bool(r["active"])) for r in rows]

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
        key = raw.get("api_key") or {}
        return Integration(
            id=raw["id"],
            provider=raw["provider"],
            provider_url=raw.get("provider_url") or "",
            legal_entity_id=raw.get("legal_entity_id"),
            api_key_name=key.get("name") or "",
            api_key_last4=key.get("last4") or "",
            configured_at=raw.get("configured_at") or "",
            webhooks=[
                HubWebhook(h["id"], h["url"], list(h.get("events") or []))
                for h in raw.get("webhooks") or []
            ],
        )

    def connection_test(self, customer_id: str) -> ConnectionTest:
        raw = self._get(f"/customers/{customer_id}/integrations/{self.app}/connection")
        if raw is None:
            return ConnectionTest(False, None, "no integration configured", "")
        return ConnectionTest(
            bool(raw["authenticated"]),
            raw.get("status"),
            raw.get("detail") or "",
            raw.get("api_key") or "",
        )
