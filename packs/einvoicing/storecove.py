"""The e-invoicing provider, over Storecove's published API v2.

``StorecoveApi`` speaks the API of ``shared/specs/storecove-openapi-2.0.1.json`` (checked
by ``tests/einvoicing/test_conformance.py``): base path ``/api/v2`` under the system's
``base_url`` (``https://api.storecove.com``; a base URL that already ends in ``/api/v2`` is
taken as is), ``Authorization: Bearer <API key>`` from the scenario's ``credentials.token``,
the spec's payloads, and its error model (422: an array of ``{"source", "details"}``,
raised as ``ProviderRejected``). So a scenario can point it at a real Storecove account.

Tolerances, because the spec leaves these open: a legal entity has no validation status
(validation is asked through discovery); the webhook body format is unpublished (a
webhook is matched by the submission GUID appearing anywhere in its body); push-webhook
URLs are configured in Storecove's UI, not the API, so ``push_webhooks`` reads the
sandbox's copy of that screen and answers ``None`` where there is none (a real account).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from golive.http import HttpClient

API = "/api/v2"
SUPERSCHEME = "iso6523-actorid-upis"


@dataclass(frozen=True)
class PeppolIdentifier:
    scheme: str
    identifier: str
    superscheme: str = SUPERSCHEME

    @property
    def label(self) -> str:
        return f"{self.scheme}:{self.identifier}"


@dataclass(frozen=True)
class LegalEntity:
    id: int
    party_name: str
    line1: str
    city: str
    zip: str
    country: str
    tenant_id: str | None = None
    peppol_identifiers: list[PeppolIdentifier] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return f"legal entity {self.id} ({self.party_name})"


@dataclass(frozen=True)
class ProviderError:
    source: str
    details: str

    def __str__(self) -> str:
        return f"{self.source}: {self.details}" if self.source else self.details


class ProviderRejected(Exception):
    """A 422 from the provider, with its error model."""

    def __init__(self, what: str, errors: list[ProviderError]) -> None:
        super().__init__(f"{what} rejected: {'; '.join(map(str, errors)) or 'no reason given'}")
        self.errors = errors


@dataclass(frozen=True)
class WebhookInstance:
    guid: str
    body: str


@dataclass(frozen=True)
class PushWebhook:
    tenant_id: str
    url: str


class EInvoicingProvider(Protocol):
    @property
    def api_url(self) -> str: ...

    def legal_entity(self, entity_id: int) -> LegalEntity | None: ...

    def create_legal_entity(self, fields: dict[str, Any]) -> LegalEntity: ...

    def update_legal_entity(self, entity_id: int, fields: dict[str, Any]) -> LegalEntity: ...

    def delete_legal_entity(self, entity_id: int) -> bool: ...

    def add_peppol_identifier(
        self, entity_id: int, identifier: PeppolIdentifier
    ) -> PeppolIdentifier: ...

    def receives(self, identifier: PeppolIdentifier, document_types: list[str]) -> bool: ...

    def exists(self, identifier: PeppolIdentifier) -> bool: ...

    def submit(self, submission: dict[str, Any]) -> str: ...

    def evidence(self, guid: str, evidence_type: str = "sending") -> dict[str, Any] | None: ...

    def next_webhook(self) -> WebhookInstance | None: ...

    def delete_webhook(self, guid: str) -> bool: ...

    def push_webhooks(self, tenant_id: str) -> list[PushWebhook] | None: ...


def _errors(body: Any) -> list[ProviderError]:
    items = body if isinstance(body, list) else [body] if body else []
    return [
        ProviderError(str(i.get("source") or ""), str(i.get("details") or i))
        if isinstance(i, dict)
        else ProviderError("", str(i))
        for i in items
    ]


def _entity(raw: dict[str, Any]) -> LegalEntity:
    return LegalEntity(
        id=int(raw["id"]),
        party_name=raw.get("party_name") or "",
        line1=raw.get("line1") or "",
        city=raw.get("city") or "",
        zip=raw.get("zip") or "",
        country=raw.get("country") or "",
        tenant_id=raw.get("tenant_id"),
        peppol_identifiers=[
            PeppolIdentifier(p["scheme"], p["identifier"], p.get("superscheme") or SUPERSCHEME)
            for p in raw.get("peppol_identifiers") or []
        ],
        raw=raw,
    )


class StorecoveApi:
    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.api = "" if http.base_url.endswith(API) else API

    @property
    def api_url(self) -> str:
        """Where the API lives, as a hub's integration should name it."""
        return f"{self.http.base_url}{self.api}"

    def legal_entity(self, entity_id: int) -> LegalEntity | None:
        status, raw = self.http.get_json(f"{self.api}/legal_entities/{entity_id}", ok=(404,))
        return None if status == 404 else _entity(raw)

    def create_legal_entity(self, fields: dict[str, Any]) -> LegalEntity:
        status, raw = self.http.send_json("POST", f"{self.api}/legal_entities", fields, ok=(422,))
        if status == 422:
            raise ProviderRejected("legal entity", _errors(raw))
        return _entity(raw)

    def update_legal_entity(self, entity_id: int, fields: dict[str, Any]) -> LegalEntity:
        status, raw = self.http.send_json(
            "PATCH", f"{self.api}/legal_entities/{entity_id}", fields, ok=(422,)
        )
        if status == 422:
            raise ProviderRejected(f"legal entity {entity_id}", _errors(raw))
        return _entity(raw)

    def delete_legal_entity(self, entity_id: int) -> bool:
        status, _ = self.http.send_json(
            "DELETE", f"{self.api}/legal_entities/{entity_id}", ok=(404,)
        )
        return status == 204

    def add_peppol_identifier(
        self, entity_id: int, identifier: PeppolIdentifier
    ) -> PeppolIdentifier:
        body = {
            "superscheme": identifier.superscheme,
            "scheme": identifier.scheme,
            "identifier": identifier.identifier,
        }
        status, raw = self.http.send_json(
            "POST", f"{self.api}/legal_entities/{entity_id}/peppol_identifiers", body, ok=(422,)
        )
        if status == 422:
            raise ProviderRejected(f"Peppol identifier {identifier.label}", _errors(raw))
        return PeppolIdentifier(raw["scheme"], raw["identifier"], raw.get("superscheme", ""))

    def _discover(self, path: str, body: dict[str, Any]) -> bool:
        # Discovery only reads, but the API spells it POST: declared read-only, so the
        # production guard lets it through (and, being a POST, it is never retried).
        status, raw = self.http.send_json(
            "POST", f"{self.api}{path}", body, ok=(422,), read_only=True
        )
        if status == 422:
            what = f"discovery of {body['scheme']}:{body['identifier']}"
            raise ProviderRejected(what, _errors(raw))
        return bool(isinstance(raw, dict) and raw.get("code") == "OK")

    def receives(self, identifier: PeppolIdentifier, document_types: list[str]) -> bool:
        return self._discover(
            "/discovery/receives",
            {
                "network": "peppol",
                "metaScheme": identifier.superscheme,
                "scheme": identifier.scheme,
                "identifier": identifier.identifier,
                "documentTypes": document_types,
            },
        )

    def exists(self, identifier: PeppolIdentifier) -> bool:
        return self._discover(
            "/discovery/exists",
            {
                "network": "peppol",
                "metaScheme": identifier.superscheme,
                "scheme": identifier.scheme,
                "identifier": identifier.identifier,
            },
        )

    def submit(self, submission: dict[str, Any]) -> str:
        status, raw = self.http.send_json(
            "POST", f"{self.api}/document_submissions", submission, ok=(422,)
        )
        if status == 422:
            raise ProviderRejected("document submission", _errors(raw))
        return str(raw["guid"])

    def evidence(self, guid: str, evidence_type: str = "sending") -> dict[str, Any] | None:
        status, raw = self.http.get_json(
            f"{self.api}/document_submissions/{guid}/evidence/{evidence_type}", ok=(404,)
        )
        return None if status == 404 else dict(raw)

    def next_webhook(self) -> WebhookInstance | None:
        status, raw = self.http.get_json(f"{self.api}/webhook_instances/", ok=(404,))
        if status in (204, 404) or not raw:
            return None
        return WebhookInstance(str(raw["guid"]), str(raw.get("body") or ""))

    def delete_webhook(self, guid: str) -> bool:
        status, _ = self.http.send_json("DELETE", f"{self.api}/webhook_instances/{guid}", ok=(404,))
        return status == 204

    def push_webhooks(self, tenant_id: str) -> list[PushWebhook] | None:
        status, raw = self.http.get_json(
            "/sandbox/storecove/push_webhooks", params={"tenant_id": tenant_id}, ok=(404,)
        )
        if status == 404 or not isinstance(raw, list):
            return None
        return [PushWebhook(r["tenant_id"], r["url"]) for r in raw]
