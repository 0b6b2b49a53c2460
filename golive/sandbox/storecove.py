"""Sandbox domain: the e-invoicing provider, emulating Storecove API v2 as published.

Paths, payloads and the error model follow ``shared/specs/storecove-openapi-2.0.1.json``
under the same base path ``/api/v2``: ``Authorization: Bearer <API key>``; 422 answers are
a JSON array of ``{"source", "details"}`` (the spec's ErrorModel); 401/403/404 carry no
schema in the spec, so they answer ``{"error": ...}`` as the rest of the sandbox does.

What the spec leaves open, decided here (and kept tolerant in the adapter):

- Validation. Storecove validates a new legal entity (the seed: up to 48 hours); the API
  has no status field for it. Here a legal entity is validated ``validation_seconds``
  after it was created (``GOLIVE_STORECOVE_VALIDATION_SECONDS``, default 1 s for new
  ones); until then ``/discovery/receives`` and ``/discovery/exists`` answer ``NOK``.
- Webhooks. Every event lands in the account's pull queue (``/webhook_instances/``) and is
  also pushed to the URL configured for the legal entity's tenant, as Storecove's UI lets
  one configure. Storecove publishes no API for that configuration, so the sandbox shows
  its UI table at ``/sandbox/storecove/push_webhooks`` (outside ``/api/v2``; the adapter
  treats a 404 there as "not readable", which is what a real account answers). The body
  format is not published either; ours is JSON naming the submission's GUID.
- Processing. A submission is accepted at once and sent ``GOLIVE_STORECOVE_PROCESSING_SECONDS``
  later (default 0.3 s): then its evidence exists and its webhook is queued and pushed.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response

from . import clock
from .common import Fault, Settings, later, sql_fault
from .db import Database
from .einvoicing_data import generate
from .storecove_provider import (
    ENTITY_FIELDS,
    PROCESSING_SECONDS,
    VALIDATION_SECONDS,
    Provider,
    errors,
    now_iso,
    render,
    validate_entity,
)

SUPERSCHEME = "iso6523-actorid-upis"
# Bodies are read raw and checked here, so a bad one gets Storecove's error model.
JsonBody = Annotated[Any, Body()]

SCHEMA = """
CREATE TABLE sc_legal_entities (
    id INTEGER PRIMARY KEY AUTOINCREMENT, party_name TEXT, line1 TEXT, line2 TEXT,
    city TEXT, zip TEXT, county TEXT, country TEXT, tenant_id TEXT, public INTEGER,
    advertisements TEXT, created_at REAL, validation_seconds REAL);
CREATE TABLE sc_peppol_identifiers (
    legal_entity_id INTEGER REFERENCES sc_legal_entities(id), superscheme TEXT,
    scheme TEXT, identifier TEXT);
CREATE TABLE sc_api_keys (secret TEXT PRIMARY KEY, name TEXT, revoked INTEGER);
CREATE TABLE sc_push_webhooks (tenant_id TEXT PRIMARY KEY, url TEXT);
CREATE TABLE sc_submissions (
    guid TEXT PRIMARY KEY, legal_entity_id INTEGER, sender TEXT, receiver TEXT,
    created_at REAL, sent_at REAL);
CREATE TABLE sc_webhook_instances (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE, body TEXT);
CREATE TABLE sc_push_log (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT, outcome TEXT);
"""

FAULTS: tuple[Fault, ...] = (
    Fault(
        "legal-entity-name-mismatch",
        "EINV-06",
        "C-3003",
        "the provider's legal entity carries another company name than the setup form",
        sql_fault(
            "UPDATE sc_legal_entities SET party_name = party_name || ' Holding' WHERE id = 103"
        ),
        shows="name 'Adriaense & Brouwer Holding' vs form",
    ),
    Fault(
        "peppol-identifier-mismatch",
        "EINV-07",
        "C-3001",
        "the legal entity's Peppol identifier was typed with two digits swapped",
        sql_fault(
            "UPDATE sc_peppol_identifiers SET identifier = substr(identifier, 1, 2)"
            " || substr(identifier, 4, 1) || substr(identifier, 3, 1) || substr(identifier, 5)"
            " WHERE legal_entity_id = 101"
        ),
        shows="NL:KVK:26589693",
    ),
    Fault(
        "legal-entity-pending",
        "EINV-08",
        "C-3002",
        "the provider has not validated the legal entity yet (the end-to-end send waits)",
        sql_fault("UPDATE sc_legal_entities SET validation_seconds = 30 * 86400 WHERE id = 102"),
        shows="validation pending for",
    ),
    Fault(
        "api-key-revoked",
        "EINV-09",
        "C-3003",
        "the provider API key the hub holds for the integration was revoked",
        sql_fault("UPDATE sc_api_keys SET revoked = 1 WHERE name = 'connect INT-3003'"),
        shows="refused API key 'connect INT-3003'",
    ),
    Fault(
        "provider-webhook-wrong-url",
        "EINV-11",
        "C-3003",
        "the provider pushes the customer's events to the staging hub's URL",
        sql_fault(
            "UPDATE sc_push_webhooks SET url = 'https://connect-staging.momentus.example"
            "/connect/hooks/storecove/INT-3003' WHERE tenant_id = 'C-3003'"
        ),
        shows="https://connect-staging.momentus.example/connect/hooks/storecove/INT-3003",
    ),
    Fault(
        "submission-rejected",
        "EINV-12",
        "C-3001",
        "the provider rejects the customer's test invoice (a Peppol business rule fails)",
        shows="[BR-CO-09]",
    ),
    Fault(
        "webhook-not-delivered",
        "EINV-12",
        "C-3003",
        "the provider sends the customer's invoice but delivers no webhook for it",
        shows="no webhook for submission",
    ),
)


def load(db: Database, seed: int) -> None:
    db.create(SCHEMA)
    created = clock.ago(5).timestamp()  # onboarded five days ago, validated since
    with db.transaction() as tx:
        for c in generate(seed):
            tx.execute(
                "INSERT INTO sc_legal_entities"
                " VALUES (?, ?, ?, NULL, ?, ?, NULL, ?, ?, 1, ?, ?, 0)",
                (
                    c.legal_entity_id,
                    c.party_name,
                    c.line1,
                    c.city,
                    c.zip,
                    c.country,
                    c.id,
                    json.dumps(["invoice"]),
                    created,
                ),
            )
            tx.execute(
                "INSERT INTO sc_peppol_identifiers VALUES (?, ?, ?, ?)",
                (c.legal_entity_id, SUPERSCHEME, c.peppol_scheme, c.peppol_identifier),
            )
            tx.execute(
                "INSERT INTO sc_api_keys VALUES (?, ?, 0)",
                (c.api_key, f"connect {c.integration_id}"),
            )
            tx.execute("INSERT INTO sc_push_webhooks VALUES (?, ?)", (c.id, c.hook_url))


def router(settings: Settings) -> APIRouter:
    provider = Provider(settings)
    db = settings.db
    api = APIRouter(prefix="/api/v2", dependencies=[Depends(provider.authorised)])

    @api.post("/legal_entities", response_model=None)
    def create_legal_entity(payload: JsonBody) -> Any:
        problems = validate_entity(payload, partial=False)
        if problems:
            return errors(*problems)
        with db.transaction() as tx:
            cursor = tx.execute(
                "INSERT INTO sc_legal_entities (party_name, line1, line2, city, zip, county,"
                " country, tenant_id, public, advertisements, created_at, validation_seconds)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(payload.get(k) for k in ENTITY_FIELDS),
                    int(payload.get("public", True)),
                    json.dumps(payload.get("advertisements") or ["invoice"]),
                    time.time(),
                    VALIDATION_SECONDS,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
        return provider.entity(new_id)

    @api.get("/legal_entities/{entity_id}")
    def get_legal_entity(entity_id: int) -> dict[str, Any]:
        return provider.entity(entity_id)

    @api.patch("/legal_entities/{entity_id}", response_model=None)
    def update_legal_entity(entity_id: int, payload: JsonBody) -> Any:
        provider.entity_row(entity_id)
        problems = validate_entity(payload, partial=True)
        if problems:
            return errors(*problems)
        for key in ENTITY_FIELDS:
            if key in payload:
                db.execute(
                    f"UPDATE sc_legal_entities SET {key} = ? WHERE id = ?", payload[key], entity_id
                )
        return provider.entity(entity_id)

    @api.delete("/legal_entities/{entity_id}", status_code=204)
    def delete_legal_entity(entity_id: int) -> Response:
        provider.entity_row(entity_id)
        with db.transaction() as tx:
            tx.execute("DELETE FROM sc_peppol_identifiers WHERE legal_entity_id = ?", (entity_id,))
            tx.execute("DELETE FROM sc_legal_entities WHERE id = ?", (entity_id,))
        return Response(status_code=204)

    @api.post("/legal_entities/{entity_id}/peppol_identifiers", response_model=None)
    def create_peppol_identifier(entity_id: int, payload: JsonBody) -> Any:
        provider.entity_row(entity_id)
        if not isinstance(payload, dict):
            return errors(("body", "expected a JSON object"))
        missing = [
            (k, f"{k} is required")
            for k in ("superscheme", "scheme", "identifier")
            if not payload.get(k)
        ]
        if missing:
            return errors(*missing)
        if provider.db.one(
            "SELECT 1 AS x FROM sc_peppol_identifiers WHERE scheme = ? AND identifier = ?",
            payload["scheme"],
            payload["identifier"],
        ):
            return errors(
                ("identifier", f"{payload['scheme']}:{payload['identifier']} is already registered")
            )
        db.execute(
            "INSERT INTO sc_peppol_identifiers VALUES (?, ?, ?, ?)",
            entity_id,
            payload["superscheme"],
            payload["scheme"],
            payload["identifier"],
        )
        return {k: payload[k] for k in ("superscheme", "scheme", "identifier")}

    def discover(payload: Any) -> Any:
        if (
            not isinstance(payload, dict)
            or not payload.get("scheme")
            or not payload.get("identifier")
        ):
            return errors(("body", "scheme and identifier are required"))
        found = provider.receiving_entity(payload["scheme"], payload["identifier"])
        return {"code": "OK" if found else "NOK", "email": False}

    @api.post("/discovery/receives", response_model=None)
    def discovery_receives(payload: JsonBody) -> Any:
        return discover(payload)

    @api.post("/discovery/exists", response_model=None)
    def discovery_exists(payload: JsonBody) -> Any:
        return discover(payload)

    @api.post("/document_submissions", response_model=None)
    def create_document_submission(payload: JsonBody, request: Request) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("legalEntityId"), int):
            return errors(("legalEntityId", "legalEntityId (an integer) is required"))
        entity = provider.entity_row(payload["legalEntityId"])
        document = payload.get("document") or {}
        invoice = document.get("invoice") if isinstance(document, dict) else None
        if document.get("documentType") != "invoice" or not isinstance(invoice, dict):
            return errors(
                ("document", "document.documentType 'invoice' with document.invoice is required")
            )
        missing = [
            k
            for k in (
                "invoiceNumber",
                "issueDate",
                "accountingCustomerParty",
                "invoiceLines",
                "amountIncludingVat",
            )
            if k not in invoice
        ]
        if missing:
            return errors(*((f"document.invoice.{k}", f"{k} is required") for k in missing))
        ids = ((payload.get("routing") or {}).get("eIdentifiers")) or []
        if not ids:
            return errors(("routing.eIdentifiers", "at least one receiver identifier is required"))
        receiver = ids[0]
        if provider.receiving_entity(receiver.get("scheme", ""), receiver.get("id", "")) is None:
            return errors(
                (
                    "routing.eIdentifiers",
                    f"{receiver.get('scheme')}:{receiver.get('id')} is not receivable on Peppol",
                )
            )
        if not provider.validated(entity):
            return errors(
                (
                    "legalEntityId",
                    f"legal entity {entity['id']} is not validated yet; no documents are sent",
                )
            )
        if settings.fault_on("submission-rejected", entity["tenant_id"]):
            return errors(
                (
                    "document.invoice.accountingSupplierParty",
                    "[BR-CO-09] the seller VAT identifier must start with a country code prefix",
                )
            )
        guid = str(uuid.uuid4())
        sender = db.one(
            "SELECT scheme || ':' || identifier AS id FROM sc_peppol_identifiers"
            " WHERE legal_entity_id = ?",
            entity["id"],
        )
        db.execute(
            "INSERT INTO sc_submissions VALUES (?, ?, ?, ?, ?, NULL)",
            guid,
            entity["id"],
            sender["id"] if sender else "",
            f"{receiver['scheme']}:{receiver['id']}",
            time.time(),
        )
        later(PROCESSING_SECONDS, provider.process, guid, entity, str(request.base_url).rstrip("/"))
        return {"guid": guid}

    @api.get("/document_submissions/{guid}/evidence/{evidence_type}")
    def show_document_submission_evidence(guid: str, evidence_type: str) -> dict[str, Any]:
        row = db.one("SELECT * FROM sc_submissions WHERE guid = ?", guid)
        if row is None or evidence_type not in ("sending", "clearing"):
            raise HTTPException(404, f"no document submission {guid}")
        if row["sent_at"] is None or evidence_type == "clearing":
            raise HTTPException(404, f"no {evidence_type} evidence for {guid} yet")
        return {
            "network": "peppol",
            "sender": row["sender"],
            "receiver": row["receiver"],
            "evidence": {
                "transmission_id": str(uuid.uuid5(uuid.NAMESPACE_URL, guid)),
                "message_id": f"{guid}@sandbox.storecove",
                "receiving_accesspoint": "CN=PNL000000,O=golive sandbox AP,C=NL",
                "timestamp": now_iso(row["sent_at"]),
            },
            "documents": [],
        }

    @api.get("/webhook_instances/", response_model=None)
    def get_webhook_instances() -> Any:
        row = db.one("SELECT guid, body FROM sc_webhook_instances ORDER BY seq LIMIT 1")
        return row if row is not None else Response(status_code=204)

    @api.delete("/webhook_instances/{guid}", status_code=204)
    def delete_webhook_instance(guid: str) -> Response:
        if db.one("SELECT 1 AS x FROM sc_webhook_instances WHERE guid = ?", guid) is None:
            raise HTTPException(404, f"no webhook instance {guid}")
        db.execute("DELETE FROM sc_webhook_instances WHERE guid = ?", guid)
        return Response(status_code=204)

    ui = APIRouter(prefix="/sandbox/storecove", dependencies=[Depends(provider.authorised)])

    @ui.get("/push_webhooks")
    def push_webhooks(request: Request, tenant_id: str | None = None) -> list[dict[str, str]]:
        """What Storecove's UI shows as push webhooks (not part of the published API)."""
        rows = db.all(
            "SELECT * FROM sc_push_webhooks WHERE ? IS NULL OR tenant_id = ?", tenant_id, tenant_id
        )
        return [{"tenant_id": r["tenant_id"], "url": render(r["url"], request)} for r in rows]

    @ui.get("/push_log")
    def push_log() -> list[dict[str, Any]]:
        return db.all("SELECT * FROM sc_push_log ORDER BY id")

    outer = APIRouter()
    outer.include_router(api)
    outer.include_router(ui)
    return outer
