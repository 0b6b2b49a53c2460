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

from golive.answers import Answer
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


def _entity(raw: Answer) -> LegalEntity:
    return LegalEntity(
        id=raw.integer("id"),
        party_name=raw.opt_text("party_name") or "",
        line1=(raw.opt_text("line1") or ""),
        city=raw.opt_text("city") or "",
        zip=raw.opt_text("zip") or "",
        country=raw.opt_text("country") or "",
        tenant_id=raw.opt_text("tenant_id"),
        peppol_identifiers=[
            PeppolIdentifier(
                p.text("scheme"), p.text("identifier"), p.opt_text("superscheme") or SUPERSCHEME
            )
            for p in raw.opt_array("peppol_identifiers")
        ],
        raw=raw.expect("object"),
    )


class StorecoveApi:
    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.api = "" if http.base_url.endswith(API) else API

    @property
    def api_url(self) -> str:
        """Where the API lives, as a hub's integration should name it."""
        return f"{self.http.base_url}{self.api}"

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        ok: tuple[int, ...] = (),
        *,
        read_only: bool = False,
    ) -> Answer:
        response = self.http.request(
            method, f"{self.api}{path}", json_body=body, ok=ok, read_only=read_only
        )
        return Answer.of(self.http, response)

    def legal_entity(self, entity_id: int) -> LegalEntity | None:
        raw = self._call("GET", f"/legal_entities/{entity_id}", ok=(404,))
        return None if raw.status == 404 else _entity(raw)

    def create_legal_entity(self, fields: dict[str, Any]) -> LegalEntity:
        raw = self._call("POST", "/legal_entities", fields, ok=(422,))
        if raw.status == 422:
            raise ProviderRejected("legal entity", _errors(raw.value))
        return _entity(raw)

    def update_legal_entity(self, entity_id: int, fields: dict[str, Any]) -> LegalEntity:
        raw = self._call("PATCH", f"/legal_entities/{entity_id}", fields, ok=(422,))
        if raw.status == 422:
            raise ProviderRejected(f"legal entity {entity_id}", _errors(raw.value))
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
        raw = self._call("POST", f"/legal_entities/{entity_id}/peppol_identifiers", body, ok=(422,))
        if raw.status == 422:
            raise ProviderRejected(f"Peppol identifier {identifier.label}", _errors(raw.value))
        return PeppolIdentifier(
            raw.text("scheme"), raw.text("identifier"), raw.opt_text("superscheme") or ""
        )

    def _discover(self, path: str, body: dict[str, Any]) -> bool:
        # Discovery only reads, but the API spells it POST: declared read-only, so the
        # production guard lets it through (and, being a POST, it is never retried).
        raw = self._call("POST", path, body, ok=(422,), read_only=True)
        if raw.status == 422:
            what = f"discovery of {body['scheme']}:{body['identifier']}"
            raise ProviderRejected(what, _errors(raw.value))
        return raw.text("code") == "OK"

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
        raw = self._call("POST", "/document_submissions", submission, ok=(422,))
        if raw.status == 422:
            raise ProviderRejected("document submission", _errors(raw.value))
        return raw.text("guid")

    def evidence(self, guid: str, evidence_type: str = "sending") -> dict[str, Any] | None:
        raw = self._call("GET", f"/document_submissions/{guid}/evidence/{evidence_type}", ok=(404,))
        if raw.status == 404:
            return None
        raw.text("network")  # every evidence names its network (the spec's enum)
        return dict(raw.expect("object"))

    def next_webhook(self) -> WebhookInstance | None:
        raw = self._call("GET", "/webhook_instances/", ok=(404,))
        if raw.status in (204, 404):
            return None
        return WebhookInstance(raw.text("guid"), raw.opt_text("body") or "")

    def delete_webhook(self, guid: str) -> bool:
        status, _ = self.http.send_json("DELETE", f"{self.api}/webhook_instances/{guid}", ok=(404,))
        return status == 204

    def push_webhooks(self, tenant_id: str) -> list[PushWebhook] | None:
        response = self.http.request(
            "GET", "/sandbox/storecove/push_webhooks", params={"tenant_id": tenant_id}, ok=(404,)
        )
        if response.status_code == 404:  # what a real account answers: not readable
            return None
        raw = Answer.of(self.http, response)
        return [PushWebhook(r.text("tenant_id"), r.text("url")) for r in raw.items()]
