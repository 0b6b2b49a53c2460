"""Sandbox domain: the partner platform (trading partners and Move to Production).

The partner platform has no published API, so this one is ours and kept plain: JSON over
HTTP, bearer-token auth, one resource per thing the move-to-production checklist looks
at. ``golive/adapters/partners.py`` is its client.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel

from . import mail
from .common import Fault, Routes, Settings, bearer, sql_fault
from .db import Database
from .partners_data import generate

SCHEMA = """
CREATE TABLE organisation (name TEXT, domain TEXT, customer_service TEXT);
CREATE TABLE staff (
    username TEXT PRIMARY KEY, name TEXT, email TEXT, role TEXT,
    active INTEGER, receives_alert_emails INTEGER);
CREATE TABLE partners (
    id TEXT PRIMARY KEY, name TEXT, kind TEXT, status TEXT,
    business_rep TEXT REFERENCES staff(username), implementer TEXT REFERENCES staff(username),
    inside_sales_rep TEXT REFERENCES staff(username),
    notification_emails TEXT, auto_assign_key TEXT, auto_assign_key_state TEXT,
    buyers TEXT, implementation_contacts TEXT);
CREATE TABLE change_requests (
    id TEXT PRIMARY KEY, partner_id TEXT REFERENCES partners(id), title TEXT,
    has_configuration_instructions INTEGER, state TEXT);
CREATE INDEX change_requests_partner ON change_requests(partner_id);
CREATE INDEX partners_status ON partners(status);
"""
PARTNERS_VAR = "GOLIVE_SANDBOX_PARTNERS"  # ``golive sandbox --partners N``: N ready partners

MOVE_NOT_PERSISTED = Fault(
    "move-not-persisted",
    "MTP-08",
    "TP-1002",
    "Move to Production answers success but the status is not saved",
    shows="Ready for Production",
)

CUSTOMER_SERVICE_NOT_NOTIFIED = Fault(
    "customer-service-not-notified",
    "MTP-09",
    "TP-1001",
    "the move-to-production email leaves out Customer Service",
    shows="customer.service@wagner.example",
)

EXTERNAL_RECIPIENT_KEPT = Fault(
    "external-recipient-kept",
    "MTP-10",
    "TP-1003",
    "the move-to-production email ignores the deleted external addresses",
    shows="edi@",
)

FAULTS: tuple[Fault, ...] = (
    Fault(
        "change-request-open",
        "MTP-01",
        "TP-1002",
        "a change request with configuration instructions is still in progress",
        sql_fault("UPDATE change_requests SET state = 'in_progress' WHERE id = 'CR-1002-2'"),
        shows="CR-1002-2",
    ),
    Fault(
        "business-rep-alerts-off",
        "MTP-02",
        "TP-1002",
        "the business rep assigned to the partner no longer receives alert emails",
        sql_fault(
            "UPDATE staff SET receives_alert_emails = 0"
            " WHERE username = (SELECT business_rep FROM partners WHERE id = 'TP-1002')"
        ),
        shows="ljackson",
    ),
    Fault(
        "implementer-unassigned",
        "MTP-03",
        "TP-1003",
        "no implementer is assigned to the partner",
        sql_fault("UPDATE partners SET implementer = NULL WHERE id = 'TP-1003'"),
        shows="no implementer",
    ),
    Fault(
        "notification-email-wrong",
        "MTP-04",
        "TP-1001",
        "a processed-document notification address has a typo in its domain",
        sql_fault(
            "UPDATE partners SET notification_emails = json_set(notification_emails, '$[1]',"
            " replace(json_extract(notification_emails, '$[1]'), '.example', '.exmaple'))"
            " WHERE id = 'TP-1001'"
        ),
        shows=".exmaple",
    ),
    Fault(
        "auto-assign-key-under-review",
        "MTP-05",
        "TP-1002",
        "the partner's auto-assign key is under review",
        sql_fault(
            "UPDATE partners SET auto_assign_key_state = 'under_review' WHERE id = 'TP-1002'"
        ),
        shows="under_review",
    ),
    Fault(
        "buyers-empty",
        "MTP-06",
        "TP-1003",
        "the partner's buyer list was emptied",
        sql_fault("UPDATE partners SET buyers = '[]' WHERE id = 'TP-1003'"),
        shows="no buyers",
    ),
    Fault(
        "status-information-required",
        "MTP-07",
        "TP-1001",
        "the partner was put back to Information Required",
        sql_fault("UPDATE partners SET status = 'Information Required' WHERE id = 'TP-1001'"),
        shows="Information Required",
    ),
    MOVE_NOT_PERSISTED,
    CUSTOMER_SERVICE_NOT_NOTIFIED,
    EXTERNAL_RECIPIENT_KEPT,
)


def load(db: Database, seed: int) -> None:
    ready = os.environ.get(PARTNERS_VAR)
    data = generate(seed, int(ready)) if ready else generate(seed)
    db.create(SCHEMA)
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO organisation VALUES (?, ?, ?)",
            (data.organisation, data.domain, json.dumps(data.customer_service)),
        )
        tx.executemany(
            "INSERT INTO staff VALUES (:username, :name, :email, :role, :active,"
            " :receives_alert_emails)",
            [asdict(s) for s in data.staff.values()],
        )
        for p in data.partners.values():
            row = asdict(p)
            crs = row.pop("change_requests")
            for key in ("notification_emails", "buyers", "implementation_contacts"):
                row[key] = json.dumps(row[key])
            tx.execute(
                "INSERT INTO partners VALUES (:id, :name, :kind, :status, :business_rep,"
                " :implementer, :inside_sales_rep, :notification_emails, :auto_assign_key,"
                " :auto_assign_key_state, :buyers, :implementation_contacts)",
                row,
            )
            tx.executemany(
                "INSERT INTO change_requests VALUES (:id, :partner_id, :title,"
                " :has_configuration_instructions, :state)",
                crs,
            )


class MoveRequest(BaseModel):
    recipients: list[str]
    body: str


def router(settings: Settings) -> Routes:
    db = settings.db
    api = Routes(prefix="/api", dependencies=[bearer(settings)])

    def organisation_row() -> dict[str, Any]:
        row = db.one("SELECT * FROM organisation")
        assert row is not None
        return row

    def partner_row(partner_id: str) -> dict[str, Any]:
        row = db.one("SELECT * FROM partners WHERE id = ?", partner_id)
        if row is None:
            raise HTTPException(404, f"no trading partner {partner_id}")
        return row

    def staff(username: str | None) -> dict[str, Any] | None:
        row = db.one("SELECT * FROM staff WHERE username = ?", username) if username else None
        if row is not None:
            row["active"] = bool(row["active"])
            row["receives_alert_emails"] = bool(row["receives_alert_emails"])
        return row

    @api.get("/organisation")
    def organisation() -> dict[str, Any]:
        return organisation_row()

    @api.get("/partners")
    def partners(status: str | None = None) -> list[dict[str, Any]]:
        """The partners (``?status=``), with the facts a scenario names for each: lets the
        scale benchmark write a scenario of N partners from the sandbox's own data."""
        columns = "SELECT id, name, status, business_rep, notification_emails FROM partners"
        if status is None:
            return db.all(f"{columns} ORDER BY id")
        return db.all(f"{columns} WHERE status = ? ORDER BY id", status)  # partners_status

    @api.get("/partners/{partner_id}")
    def partner(partner_id: str) -> dict[str, Any]:
        row = partner_row(partner_id)
        for role in ("business_rep", "implementer", "inside_sales_rep"):
            row[role] = staff(row[role])
        key_state = row.pop("auto_assign_key_state")
        row["auto_assign_key"] = (
            {"value": row["auto_assign_key"], "state": key_state}
            if row["auto_assign_key"] is not None
            else None
        )
        return row

    @api.get("/partners/{partner_id}/change_requests")
    def change_requests(partner_id: str) -> list[dict[str, Any]]:
        partner_row(partner_id)
        rows = db.all("SELECT * FROM change_requests WHERE partner_id = ? ORDER BY id", partner_id)
        for row in rows:
            row["has_configuration_instructions"] = bool(row["has_configuration_instructions"])
        return rows

    def recipient_groups(row: dict[str, Any]) -> dict[str, list[str]]:
        def email(username: str | None) -> list[str]:
            person = staff(username)
            return [person["email"]] if person else []

        return {
            "implementation contacts": row["implementation_contacts"],
            "buyers": [b["email"] for b in row["buyers"]],
            "inside sales rep": email(row["inside_sales_rep"]),
            "business rep": email(row["business_rep"]),
            "implementer": email(row["implementer"]),
            "customer service": organisation_row()["customer_service"],
        }

    @api.get("/partners/{partner_id}/move_to_production")
    def move_draft(partner_id: str) -> dict[str, Any]:
        """The auto-generated email the Move to Production dialog opens with."""
        row = partner_row(partner_id)
        groups = recipient_groups(row)
        if settings.fault_on(CUSTOMER_SERVICE_NOT_NOTIFIED, partner_id):
            groups.pop("customer service")
        recipients = sorted({a for addresses in groups.values() for a in addresses})
        return {
            "partner_id": partner_id,
            "subject": f"{row['name']} ({partner_id}) is moving to production",
            "body": f"Trading partner {row['name']} ({partner_id}) moves into production.",
            "recipients": recipients,
            "groups": groups,
        }

    @api.post("/partners/{partner_id}/move_to_production")
    def move(partner_id: str, request: MoveRequest) -> dict[str, Any]:
        draft = move_draft(partner_id)
        recipients = request.recipients
        if settings.fault_on(EXTERNAL_RECIPIENT_KEPT, partner_id):
            recipients = draft["recipients"]
        unknown = sorted(set(recipients) - set(draft["recipients"]))
        if unknown:
            raise HTTPException(422, f"not a recipient of this partner: {', '.join(unknown)}")
        if not recipients:
            raise HTTPException(422, "the email needs at least one recipient")
        domain = organisation_row()["domain"]
        message_id = f"<{uuid.uuid4()}@{domain}>"
        mail.send(
            settings.smtp_host,
            settings.smtp_port,
            f"no-reply@{domain}",
            sorted(recipients),
            draft["subject"],
            request.body,
            message_id,
        )
        if not settings.fault_on(MOVE_NOT_PERSISTED, partner_id):
            db.execute("UPDATE partners SET status = 'Production' WHERE id = ?", partner_id)
        return {"partner_id": partner_id, "status": "Production", "message_id": message_id}

    return api
