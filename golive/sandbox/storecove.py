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
from typing import Any, NoReturn

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from . import api, clock
from . import storecove_schemas as schemas
from .api import ApiError, Call, Operation, Param
from .common import Fault, Routes, Settings, later, sql_fault
from .db import Database
from .einvoicing_data import generate
from .storecove_provider import (
    ENTITY_FIELDS,
    PROCESSING_SECONDS,
    VALIDATION_SECONDS,
    WEBHOOK_NOT_DELIVERED,
    Provider,
    errors,
    now_iso,
    render,
)

SUPERSCHEME = "iso6523-actorid-upis"
PREFIX = "/api/v2"

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

SUBMISSION_REJECTED = Fault(
    "submission-rejected",
    "EINV-12",
    "C-3001",
    "the provider rejects the customer's test invoice (a Peppol business rule fails)",
    shows="[BR-CO-09]",
)

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
    SUBMISSION_REJECTED,
    WEBHOOK_NOT_DELIVERED,
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


def router(settings: Settings) -> Routes:
    provider = Provider(settings)
    emulation = api.Emulation(operations(provider), DIALECT, provider.authorised)
    outer = Routes()
    outer.include_router(emulation.router(), prefix=PREFIX)
    outer.include_router(ui_router(provider))
    return outer


class StorecoveDialect:
    """Storecove's error model: 422 answers are an array of ``{"source", "details"}``
    (ErrorModel); 401/403/404 carry no schema in the spec and answer ``{"error": ...}``
    as the rest of the sandbox does."""

    def claims(self, path: str) -> bool:
        return path.startswith(PREFIX + "/")

    def error(self, error: ApiError) -> Response:
        if error.status == 422:
            return errors(*error.problems)
        return JSONResponse({"error": error.message}, status_code=error.status)


DIALECT = StorecoveDialect()
DIALECTS = (DIALECT,)  # app.py: the framework's own 404/405 under /api/v2 in this shape
ENTITY_ID = Param("id", "path", "int64", required=True)
LEGAL_ENTITY_ID = Param("legal_entity_id", "path", "int64", required=True)


def operations(provider: Provider) -> tuple[Operation, ...]:
    """The Storecove operations the sandbox emulates: one line each, one handler each."""
    h = Handlers(provider)
    return (
        Operation("POST", "/legal_entities", "create_legal_entity", (200, 401, 403, 422),
                  h.create_legal_entity, body=schemas.LegalEntityCreate),
        Operation("GET", "/legal_entities/{id}", "get_legal_entity", (200, 401, 403, 404),
                  h.get_legal_entity, (ENTITY_ID,)),
        Operation("PATCH", "/legal_entities/{id}", "update_legal_entity",
                  (200, 401, 403, 404, 422), h.update_legal_entity, (ENTITY_ID,),
                  schemas.LegalEntityUpdate),
        Operation("DELETE", "/legal_entities/{id}", "delete_legal_entity", (204, 401, 403, 404),
                  h.delete_legal_entity, (ENTITY_ID,), status=204),
        Operation("POST", "/legal_entities/{legal_entity_id}/peppol_identifiers",
                  "create_peppol_identifier", (200, 401, 403, 404, 422),
                  h.create_peppol_identifier, (LEGAL_ENTITY_ID,), schemas.PeppolIdentifierCreate),
        Operation("POST", "/discovery/receives", "discovery_receives", (200, 401, 403, 422),
                  h.discover, body=schemas.DiscoverableParticipant),
        Operation("POST", "/discovery/exists", "discovery_exists", (200, 401, 403, 422),
                  h.discover, body=schemas.DiscoverableParticipant),
        Operation("POST", "/document_submissions", "create_document_submission",
                  (200, 401, 403, 422), h.create_document_submission,
                  body=schemas.DocumentSubmission),
        Operation("GET", "/document_submissions/{guid}/evidence/{evidence_type}",
                  "show_document_submission_evidence", (200, 401, 403, 404), h.evidence,
                  (Param("guid", "path", "uuid", required=True),
                   Param("evidence_type", "path", required=True,
                         choices=("sending", "clearing")))),
        Operation("GET", "/webhook_instances/", "get_webhook_instances",
                  (200, 204, 401, 403, 404), h.get_webhook_instances),
        Operation("DELETE", "/webhook_instances/{guid}", "delete_webhook_instance",
                  (204, 401, 403, 404), h.delete_webhook_instance,
                  (Param("guid", "path", "uuid", required=True),), status=204),
    )  # fmt: skip


class Handlers:
    """One method per operation; ``Provider`` holds the state and rules they share."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.db = provider.db
        self.settings = provider.settings

    def create_legal_entity(self, call: Call) -> Any:
        body: schemas.LegalEntityCreate = call.body
        given = body.model_dump(exclude_unset=True)
        with self.db.transaction() as tx:
            cursor = tx.execute(
                "INSERT INTO sc_legal_entities (party_name, line1, line2, city, zip, county,"
                " country, tenant_id, public, advertisements, created_at, validation_seconds)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(given.get(k) for k in ENTITY_FIELDS),
                    int(given.get("public", True)),
                    json.dumps(given.get("advertisements") or ["invoice"]),
                    time.time(),
                    VALIDATION_SECONDS,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
        return self.provider.entity(new_id)

    def get_legal_entity(self, call: Call) -> Any:
        return self.provider.entity(call["id"])

    def update_legal_entity(self, call: Call) -> Any:
        entity_id = call["id"]
        self.provider.entity_row(entity_id)
        given = call.body.model_dump(exclude_unset=True)
        with self.db.transaction() as tx:
            for key in ENTITY_FIELDS:
                if key in given:
                    tx.execute(
                        f"UPDATE sc_legal_entities SET {key} = ? WHERE id = ?",
                        (given[key], entity_id),
                    )
            if "public" in given:
                tx.execute(
                    "UPDATE sc_legal_entities SET public = ? WHERE id = ?",
                    (int(given["public"]), entity_id),
                )
            if "advertisements" in given:
                tx.execute(
                    "UPDATE sc_legal_entities SET advertisements = ? WHERE id = ?",
                    (json.dumps(given["advertisements"]), entity_id),
                )
        return self.provider.entity(entity_id)

    def delete_legal_entity(self, call: Call) -> Response:
        entity_id = call["id"]
        self.provider.entity_row(entity_id)
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sc_peppol_identifiers WHERE legal_entity_id = ?", (entity_id,))
            tx.execute("DELETE FROM sc_legal_entities WHERE id = ?", (entity_id,))
        return Response(status_code=204)

    def create_peppol_identifier(self, call: Call) -> Any:
        entity_id = call["legal_entity_id"]
        self.provider.entity_row(entity_id)
        body: schemas.PeppolIdentifierCreate = call.body
        if self.db.one(
            "SELECT 1 AS x FROM sc_peppol_identifiers WHERE scheme = ? AND identifier = ?",
            body.scheme,
            body.identifier,
        ):
            raise ApiError(
                422,
                f"{body.scheme}:{body.identifier} is already registered",
                [("identifier", f"{body.scheme}:{body.identifier} is already registered")],
            )
        self.db.execute(
            "INSERT INTO sc_peppol_identifiers VALUES (?, ?, ?, ?)",
            entity_id,
            body.superscheme,
            body.scheme,
            body.identifier,
        )
        return {
            "superscheme": body.superscheme,
            "scheme": body.scheme,
            "identifier": body.identifier,
        }

    def discover(self, call: Call) -> Any:
        body: schemas.DiscoverableParticipant = call.body
        found = self.provider.receiving_entity(body.scheme, body.identifier)
        return {"code": "OK" if found else "NOK", "email": False}

    def create_document_submission(self, call: Call) -> Any:
        body: schemas.DocumentSubmission = call.body
        if body.legalEntityId is None:
            refuse("legalEntityId", "legalEntityId (an integer) is required")
        entity = self.provider.entity_row(body.legalEntityId, status=422)
        document = body.document
        if document is None or document.documentType != "invoice" or document.invoice is None:
            refuse("document", "document.documentType 'invoice' with document.invoice is required")
        ids = (body.routing.eIdentifiers if body.routing else None) or []
        if not ids or ids[0].scheme is None or ids[0].id is None:
            refuse("routing.eIdentifiers", "at least one receiver identifier is required")
        receiver = ids[0]
        label = f"{receiver.scheme}:{receiver.id}"
        if self.provider.receiving_entity(str(receiver.scheme), str(receiver.id)) is None:
            refuse("routing.eIdentifiers", f"{label} is not receivable on Peppol")
        if not self.provider.validated(entity):
            refuse(
                "legalEntityId",
                f"legal entity {entity['id']} is not validated yet; no documents are sent",
            )
        if self.settings.fault_on(SUBMISSION_REJECTED, entity["tenant_id"]):
            refuse(
                "document.invoice.accountingSupplierParty",
                "[BR-CO-09] the seller VAT identifier must start with a country code prefix",
            )
        guid = str(uuid.uuid4())
        sender = self.db.one(
            "SELECT scheme || ':' || identifier AS id FROM sc_peppol_identifiers"
            " WHERE legal_entity_id = ?",
            entity["id"],
        )
        self.db.execute(
            "INSERT INTO sc_submissions VALUES (?, ?, ?, ?, ?, NULL)",
            guid,
            entity["id"],
            sender["id"] if sender else "",
            label,
            time.time(),
        )
        base = str(call.request.base_url).rstrip("/")
        later(PROCESSING_SECONDS, self.provider.process, guid, entity, base)
        return {"guid": guid}

    def evidence(self, call: Call) -> Any:
        guid, evidence_type = call["guid"], call["evidence_type"]
        row = self.db.one("SELECT * FROM sc_submissions WHERE guid = ?", guid)
        if row is None:
            raise ApiError(404, f"no document submission {guid}")
        if row["sent_at"] is None or evidence_type == "clearing":
            raise ApiError(404, f"no {evidence_type} evidence for {guid} yet")
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

    def get_webhook_instances(self, call: Call) -> Any:
        row = self.db.one("SELECT guid, body FROM sc_webhook_instances ORDER BY seq LIMIT 1")
        return row if row is not None else Response(status_code=204)

    def delete_webhook_instance(self, call: Call) -> Response:
        guid = call["guid"]
        if self.db.one("SELECT 1 AS x FROM sc_webhook_instances WHERE guid = ?", guid) is None:
            raise ApiError(404, f"no webhook instance {guid}")
        self.db.execute("DELETE FROM sc_webhook_instances WHERE guid = ?", guid)
        return Response(status_code=204)


def refuse(source: str, details: str) -> NoReturn:
    raise ApiError(422, details, [(source, details)])


def ui_router(provider: Provider) -> Routes:
    """What Storecove's UI shows (not part of the published API)."""
    db = provider.db
    ui = Routes(prefix="/sandbox/storecove", dependencies=[Depends(provider.authorised_ui)])

    @ui.get("/push_webhooks")
    def push_webhooks(request: Request, tenant_id: str | None = None) -> list[dict[str, str]]:
        rows = db.all(
            "SELECT * FROM sc_push_webhooks WHERE ? IS NULL OR tenant_id = ?", tenant_id, tenant_id
        )
        return [{"tenant_id": r["tenant_id"], "url": render(r["url"], request)} for r in rows]

    @ui.get("/push_log")
    def push_log() -> list[dict[str, Any]]:
        return db.all("SELECT * FROM sc_push_log ORDER BY id")

    return ui
