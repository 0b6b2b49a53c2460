"""Sandbox domain: the integration hub ("Momentus Connect" in the seed).

The hub has no published API, so this one is ours, JSON over HTTP under ``/connect/api``
with the sandbox's bearer token (``golive/adapters/hub.py`` is its client):

- a customer, its edition (Enterprise or Elite) and feature flags (Elite's
  ``e_invoicing`` flag is switched on when the app is activated);
- the e-invoicing integration request (``initiated``, then ``approved`` after the sale);
- the setup form with the legal-entity information the provider needs;
- the Connect API users (Enterprise needs one; they authenticate with basic auth at
  ``GET /connect/api/me``);
- the integration configuration: the provider's legal entity, the provider API key (the
  hub keeps the secret and shows its name and last four characters), the webhooks it
  created, and a connection test in which the hub authenticates at the provider with that
  key over real HTTP;
- the webhook receiver the provider pushes to (``POST /connect/hooks/storecove/{id}``).

The emails of the seed's history (approval mail to the requester, form-completed mail to
Support Ops) sit in an outbox written by ``load`` and go out over real SMTP when the hub
starts, as a mail queue would after a restart.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request

from . import clock, mail
from .common import Fault, Routes, Settings, bearer, sql_fault
from .db import Database
from .einvoicing_data import ARTICLE_URLS, ARTICLES, BASE, HUB_DOMAIN, SUPPORT_OPS, generate

APP = "e-invoicing"

SCHEMA = """
CREATE TABLE hub_customers (id TEXT PRIMARY KEY, name TEXT, edition TEXT, feature_flags TEXT);
CREATE TABLE hub_requests (
    id TEXT PRIMARY KEY, customer_id TEXT, app TEXT, requester TEXT, state TEXT,
    initiated_at TEXT, approved_at TEXT);
CREATE TABLE hub_forms (customer_id TEXT, app TEXT, submitted_by TEXT, submitted_at TEXT,
    fields TEXT);
CREATE TABLE hub_api_users (customer_id TEXT, username TEXT, active INTEGER, created_at TEXT);
CREATE TABLE hub_integrations (
    id TEXT PRIMARY KEY, customer_id TEXT, app TEXT, provider TEXT, provider_url TEXT,
    legal_entity_id INTEGER, api_key_name TEXT, api_key TEXT, configured_at TEXT);
CREATE TABLE hub_webhooks (id TEXT, integration_id TEXT, url TEXT, events TEXT);
CREATE TABLE hub_received (
    id INTEGER PRIMARY KEY AUTOINCREMENT, integration_id TEXT, body TEXT, received_at TEXT);
CREATE TABLE hub_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, customer_id TEXT, recipients TEXT,
    subject TEXT, body TEXT, message_id TEXT, sent INTEGER DEFAULT 0);
"""

FAULTS: tuple[Fault, ...] = (
    Fault(
        "request-reopened",
        "EINV-01",
        "C-3002",
        "the e-invoicing integration request was re-opened and reads Initiated again",
        sql_fault("UPDATE hub_requests SET state = 'initiated' WHERE customer_id = 'C-3002'"),
        shows="integration request REQ-3002 (initiated)",
    ),
    Fault(
        "approval-mail-wrong-article",
        "EINV-02",
        "C-3002",
        "the Elite customer's approval email links the Enterprise article",
        sql_fault(
            "UPDATE hub_outbox SET body = replace(replace(body, 'Elite', 'Enterprise'),"
            " 'elite', 'enterprise') WHERE kind = 'approval' AND customer_id = 'C-3002'"
        ),
        shows="does not link https://support.momentus.example/hc/articles/about-e-invoicing-in-elite",
    ),
    Fault(
        "form-field-missing",
        "EINV-03",
        "C-3001",
        "the setup form was submitted with the postcode left empty",
        sql_fault(
            "UPDATE hub_forms SET fields = json_set(fields, '$.zip', '')"
            " WHERE customer_id = 'C-3001'"
        ),
        shows="setup form fields empty: zip",
    ),
    Fault(
        "form-mail-not-sent",
        "EINV-04",
        "C-3003",
        "Support Ops got no form-completed email for the customer",
        sql_fault(
            "DELETE FROM hub_outbox WHERE kind = 'form_completed' AND customer_id = 'C-3003'"
        ),
        shows="no form-completed email reached support-ops@momentus.example",
    ),
    Fault(
        "api-user-missing",
        "EINV-05",
        "C-3001",
        "the Enterprise customer's Connect API user was never set up",
        sql_fault("DELETE FROM hub_api_users WHERE customer_id = 'C-3001'"),
        shows="no Connect API user svc-connect-3001",
    ),
    Fault(
        "feature-flag-off",
        "EINV-05",
        "C-3002",
        "the Elite customer's e-invoicing feature flag is off although the app is active",
        sql_fault(
            "UPDATE hub_customers SET feature_flags = json_set(feature_flags, '$.e_invoicing',"
            " json('false')) WHERE id = 'C-3002'"
        ),
        shows="feature flag e_invoicing is False",
    ),
    Fault(
        "integration-wrong-legal-entity",
        "EINV-10",
        "C-3001",
        "the hub's integration names another customer's legal entity",
        sql_fault("UPDATE hub_integrations SET legal_entity_id = 103 WHERE customer_id = 'C-3001'"),
        shows="names legal entity 103",
    ),
    Fault(
        "hub-webhook-missing",
        "EINV-11",
        "C-3002",
        "the hub's integration has no webhook for the provider's events",
        sql_fault("DELETE FROM hub_webhooks WHERE integration_id = 'INT-3002'"),
        shows="INT-3002 has no webhooks",
    ),
)

# the hub's own calls to the provider (its "Test connection"), told apart in the request log
HUB_AGENT = "connect-hub/sandbox"


def _at(days_ago: float) -> str:
    return clock.ago(days_ago).isoformat()


def load(db: Database, seed: int) -> None:
    db.create(SCHEMA)
    with db.transaction() as tx:
        for c in generate(seed):
            flags = {"e_invoicing": c.edition == "Elite"}
            tx.execute(
                "INSERT INTO hub_customers VALUES (?, ?, ?, ?)",
                (c.id, c.name, c.edition, json.dumps(flags)),
            )
            tx.execute(
                "INSERT INTO hub_requests VALUES (?, ?, ?, ?, 'approved', ?, ?)",
                (f"REQ-{c.id[2:]}", c.id, APP, c.requester, _at(21), _at(9)),
            )
            fields = {
                "party_name": c.party_name,
                "line1": c.line1,
                "city": c.city,
                "zip": c.zip,
                "country": c.country,
                "peppol_scheme": c.peppol_scheme,
                "peppol_identifier": c.peppol_identifier,
            }
            tx.execute(
                "INSERT INTO hub_forms VALUES (?, ?, ?, ?, ?)",
                (c.id, APP, c.requester, _at(7), json.dumps(fields)),
            )
            if c.api_username:
                tx.execute(
                    "INSERT INTO hub_api_users VALUES (?, ?, 1, ?)", (c.id, c.api_username, _at(6))
                )
            tx.execute(
                "INSERT INTO hub_integrations VALUES (?, ?, ?, 'storecove', ?, ?, ?, ?, ?)",
                (
                    c.integration_id,
                    c.id,
                    APP,
                    f"{BASE}/api/v2",
                    c.legal_entity_id,
                    f"connect {c.integration_id}",
                    c.api_key,
                    _at(5),
                ),
            )
            tx.execute(
                "INSERT INTO hub_webhooks VALUES (?, ?, ?, ?)",
                (
                    f"WH-{c.id[2:]}",
                    c.integration_id,
                    c.hook_url,
                    json.dumps(["document_submission", "received_document"]),
                ),
            )
            article = f"{ARTICLES[c.edition]}: {ARTICLE_URLS[c.edition]}"
            tx.execute(
                "INSERT INTO hub_outbox (kind, customer_id, recipients, subject, body, message_id)"
                " VALUES ('approval', ?, ?, ?, ?, ?)",
                (
                    c.id,
                    json.dumps([c.requester]),
                    f"Your E-Invoicing integration is approved: {c.name} ({c.id})",
                    "Your E-Invoicing integration is ready to configure.\n\n"
                    f"Follow the instructions in {article}",
                    f"<approval-{c.id}@{HUB_DOMAIN}>",
                ),
            )
            tx.execute(
                "INSERT INTO hub_outbox (kind, customer_id, recipients, subject, body, message_id)"
                " VALUES ('form_completed', ?, ?, ?, ?, ?)",
                (
                    c.id,
                    json.dumps([SUPPORT_OPS]),
                    f"E-Invoicing setup form completed: {c.name} ({c.id})",
                    f"{c.requester} completed the E-Invoicing setup form for {c.name} ({c.id}).",
                    f"<form-{c.id}@{HUB_DOMAIN}>",
                ),
            )


def flush_outbox(settings: Settings) -> None:
    for row in settings.db.all("SELECT * FROM hub_outbox WHERE sent = 0 ORDER BY id"):
        mail.send(
            settings.smtp_host,
            settings.smtp_port,
            f"no-reply@{HUB_DOMAIN}",
            json.loads(row["recipients"]),
            row["subject"],
            row["body"],
            row["message_id"],
        )
        settings.db.execute("UPDATE hub_outbox SET sent = 1 WHERE id = ?", row["id"])


def router(settings: Settings) -> Routes:
    db = settings.db
    flush_outbox(settings)
    api = Routes(prefix="/connect/api")
    auth = [bearer(settings)]

    def customer_row(cid: str) -> dict[str, Any]:
        row = db.one("SELECT * FROM hub_customers WHERE id = ?", cid)
        if row is None:
            raise HTTPException(404, f"no customer {cid}")
        return row

    def integration_row(cid: str, app: str) -> dict[str, Any]:
        customer_row(cid)
        row = db.one("SELECT * FROM hub_integrations WHERE customer_id = ? AND app = ?", cid, app)
        if row is None:
            raise HTTPException(404, f"customer {cid} has no {app} integration configured")
        return row

    @api.get("/customers/{cid}", dependencies=auth)
    def customer(cid: str) -> dict[str, Any]:
        row = customer_row(cid)
        row["feature_flags"] = json.loads(row["feature_flags"])
        return row

    @api.get("/customers/{cid}/integration_requests", dependencies=auth)
    def integration_requests(cid: str) -> list[dict[str, Any]]:
        customer_row(cid)
        return db.all("SELECT * FROM hub_requests WHERE customer_id = ? ORDER BY id", cid)

    @api.get("/customers/{cid}/setup_forms/{app}", dependencies=auth)
    def setup_form(cid: str, app: str) -> dict[str, Any]:
        customer_row(cid)
        row = db.one("SELECT * FROM hub_forms WHERE customer_id = ? AND app = ?", cid, app)
        if row is None:
            raise HTTPException(404, f"customer {cid} has not submitted the {app} setup form")
        row["fields"] = json.loads(row["fields"])
        return row

    @api.get("/customers/{cid}/api_users", dependencies=auth)
    def api_users(cid: str) -> list[dict[str, Any]]:
        customer_row(cid)
        rows = db.all("SELECT * FROM hub_api_users WHERE customer_id = ? ORDER BY username", cid)
        return [{**r, "active": bool(r["active"])} for r in rows]

    @api.get("/me")
    def whoami(request: Request) -> dict[str, Any]:
        header = request.headers.get("authorization", "")
        user = None
        if header.lower().startswith("basic "):
            try:
                name, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                name, password = "", ""
            row = db.one("SELECT * FROM hub_api_users WHERE username = ? AND active = 1", name)
            if row is not None and secrets.compare_digest(password, settings.token):
                user = row
        if user is None:
            raise HTTPException(401, "invalid API user credentials")
        return {"username": user["username"], "customer_id": user["customer_id"]}

    @api.get("/customers/{cid}/integrations/{app}", dependencies=auth)
    def integration(cid: str, app: str, request: Request) -> dict[str, Any]:
        row = integration_row(cid, app)
        hooks = db.all("SELECT * FROM hub_webhooks WHERE integration_id = ? ORDER BY id", row["id"])
        return {
            "id": row["id"],
            "customer_id": cid,
            "app": app,
            "provider": row["provider"],
            "provider_url": row["provider_url"].replace(BASE, str(request.base_url).rstrip("/")),
            "legal_entity_id": row["legal_entity_id"],
            "api_key": {"name": row["api_key_name"], "last4": (row["api_key"] or "")[-4:]},
            "webhooks": [
                {
                    "id": h["id"],
                    "url": h["url"].replace(BASE, str(request.base_url).rstrip("/")),
                    "events": json.loads(h["events"]),
                }
                for h in hooks
            ],
            "configured_at": row["configured_at"],
        }

    @api.get("/customers/{cid}/integrations/{app}/connection", dependencies=auth)
    def connection(cid: str, app: str, request: Request) -> dict[str, Any]:
        """The hub's "Test connection": it calls the provider with the key it holds."""
        import requests  # here, not at the top: 0.1 s of every sandbox's start

        row = integration_row(cid, app)
        base = row["provider_url"].replace(BASE, str(request.base_url).rstrip("/"))
        url = f"{base}/legal_entities/{row['legal_entity_id']}"
        try:
            r = requests.get(
                url,
                headers={"Authorization": f"Bearer {row['api_key']}", "User-Agent": HUB_AGENT},
                timeout=5,
            )
            status: int | None = r.status_code
            detail = r.reason
        except requests.RequestException as exc:
            status, detail = None, type(exc).__name__
        return {
            "authenticated": status is not None and status not in (401, 403),
            "status": status,
            "detail": detail,
            "api_key": row["api_key_name"],
            "checked_at": datetime.now(UTC).isoformat(),
        }

    hooks = Routes(prefix="/connect/hooks")

    @hooks.post("/storecove/{integration_id}", status_code=202)
    async def receive(integration_id: str, request: Request) -> dict[str, str]:
        if (
            db.one("SELECT 1 AS x FROM hub_webhooks WHERE integration_id = ?", integration_id)
            is None
        ):
            raise HTTPException(404, f"no webhook registered for {integration_id}")
        body = (await request.body()).decode("utf-8", "replace")
        db.execute(
            "INSERT INTO hub_received (integration_id, body, received_at) VALUES (?, ?, ?)",
            integration_id,
            body,
            datetime.now(UTC).isoformat(),
        )
        return {"status": "accepted"}

    @api.get("/customers/{cid}/integrations/{app}/received_webhooks", dependencies=auth)
    def received(cid: str, app: str) -> list[dict[str, Any]]:
        row = integration_row(cid, app)
        return db.all("SELECT * FROM hub_received WHERE integration_id = ? ORDER BY id", row["id"])

    outer = Routes()
    outer.include_router(api)
    outer.include_router(hooks)
    return outer
