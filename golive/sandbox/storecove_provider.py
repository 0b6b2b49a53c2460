"""The e-invoicing provider's state and rules, for the sandbox's Storecove emulation.

``storecove.py`` holds the domain (schema, data, faults) and the routes; this module the
logic they share: authentication by API key, legal entities and their validation,
discovery, and processing a submission into evidence and webhooks (pull queue and push).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse

from .api import ApiError
from .common import Fault, Settings
from .einvoicing_data import BASE

VALIDATION_SECONDS = float(os.environ.get("GOLIVE_STORECOVE_VALIDATION_SECONDS", "1"))
PROCESSING_SECONDS = float(os.environ.get("GOLIVE_STORECOVE_PROCESSING_SECONDS", "0.3"))
ENTITY_FIELDS = ("party_name", "line1", "line2", "city", "zip", "county", "country", "tenant_id")

WEBHOOK_NOT_DELIVERED = Fault(
    "webhook-not-delivered",
    "EINV-12",
    "C-3003",
    "the provider sends the customer's invoice but delivers no webhook for it",
    shows="no webhook for submission",
)


def errors(*pairs: tuple[str, str], status: int = 422) -> JSONResponse:
    """Storecove's error model: an array of ``{"source", "details"}``."""
    return JSONResponse([{"source": s, "details": d} for s, d in pairs], status_code=status)


def now_iso(at: float | None = None) -> str:
    return datetime.fromtimestamp(at if at is not None else time.time(), UTC).isoformat()


def render(url: str, request: Request) -> str:
    return url.replace(BASE, str(request.base_url).rstrip("/"), 1)


class Provider:
    """The provider's state over the sandbox database; the router's handlers stay thin."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = settings.db

    def authorised(self, request: Request) -> None:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise ApiError(401, "missing bearer API key")
        if secrets.compare_digest(key, self.settings.token):
            return
        row = self.db.one("SELECT revoked FROM sc_api_keys WHERE secret = ?", key)
        if row is None or row["revoked"]:
            raise ApiError(401, "API key unknown or revoked")

    def authorised_ui(self, request: Request) -> None:
        try:
            self.authorised(request)
        except ApiError as error:
            raise HTTPException(error.status, error.message) from None

    def entity_row(self, entity_id: int, status: int = 404) -> dict[str, Any]:
        """The legal entity's row; ``status`` when there is none (404, or 422 where the
        operation documents no 404, as a submission naming an unknown sender)."""
        row = None
        if -(2**63) <= entity_id < 2**63:  # SQLite's integers
            row = self.db.one("SELECT * FROM sc_legal_entities WHERE id = ?", entity_id)
        if row is None:
            raise ApiError(status, f"no legal entity {entity_id}", [("id", "unknown")])
        return row

    def entity(self, entity_id: int) -> dict[str, Any]:
        row = self.entity_row(entity_id)
        out: dict[str, Any] = {k: row[k] for k in ("id", *ENTITY_FIELDS) if row[k] is not None}
        out["public"] = bool(row["public"])
        out["advertisements"] = json.loads(row["advertisements"])
        out["peppol_identifiers"] = [
            {"superscheme": p["superscheme"], "scheme": p["scheme"], "identifier": p["identifier"]}
            for p in self.db.all(
                "SELECT * FROM sc_peppol_identifiers WHERE legal_entity_id = ? ORDER BY rowid",
                entity_id,
            )
        ]
        out["additional_tax_identifiers"] = []
        out["api_keys"] = []
        return out

    def validated(self, row: dict[str, Any]) -> bool:
        return time.time() >= row["created_at"] + row["validation_seconds"]

    def receiving_entity(self, scheme: str, identifier: str) -> dict[str, Any] | None:
        row = self.db.one(
            "SELECT e.* FROM sc_legal_entities e JOIN sc_peppol_identifiers p"
            " ON p.legal_entity_id = e.id WHERE p.scheme = ? AND p.identifier = ?",
            scheme,
            identifier,
        )
        return row if row is not None and self.validated(row) else None

    def process(self, guid: str, entity: dict[str, Any], base: str) -> None:
        """Send the submission, then queue and push its webhook (runs on a timer thread)."""
        self.db.execute("UPDATE sc_submissions SET sent_at = ? WHERE guid = ?", time.time(), guid)
        if self.settings.fault_on(WEBHOOK_NOT_DELIVERED, entity["tenant_id"]):
            return
        body = json.dumps(
            {
                "event_type": "document_submission",
                "event": "succeeded",
                "document_submission_guid": guid,
                "legal_entity_id": entity["id"],
                "tenant_id": entity["tenant_id"],
                "timestamp": now_iso(),
            }
        )
        self.db.execute(
            "INSERT INTO sc_webhook_instances (guid, body) VALUES (?, ?)", str(uuid.uuid4()), body
        )
        hook = self.db.one(
            "SELECT url FROM sc_push_webhooks WHERE tenant_id = ?", entity["tenant_id"]
        )
        if hook is not None:
            self.push(hook["url"].replace(BASE, base, 1), body)

    def push(self, url: str, body: str) -> None:
        import requests  # here, not at the top: 0.1 s of every sandbox's start

        host = urlsplit(url).hostname or ""
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            outcome = "not delivered: host not reachable from the sandbox"
        else:
            try:
                r = requests.post(
                    url, data=body, headers={"Content-Type": "application/json"}, timeout=5
                )
                outcome = f"HTTP {r.status_code}"
            except requests.RequestException as exc:
                outcome = f"not delivered: {type(exc).__name__}"
        self.db.execute("INSERT INTO sc_push_log (url, outcome) VALUES (?, ?)", url, outcome)
