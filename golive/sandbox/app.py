"""The sandbox's web application: the partner platform's API and the capture mailbox.

The partner platform has no published API, so this one is ours and kept plain: JSON over
HTTP, bearer-token auth, one resource per thing the move-to-production checklist looks
at. ``golive/adapters/partners.py`` is the client; a team with its own platform writes an
adapter with the same Protocol.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import mail
from .db import Database
from .faults import Fault

VERSION = "sandbox-2026.11"
NOT_READY = ("New", "Configuration Required", "Information Required")


@dataclass
class Settings:
    db: Database
    token: str
    smtp_host: str
    smtp_port: int
    faults: list[Fault] = field(default_factory=list)

    def fault_on(self, name: str, subject: str) -> bool:
        return any(f.name == name and f.subject == subject for f in self.faults)


class MoveRequest(BaseModel):
    recipients: list[str]
    body: str


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="golive sandbox", version=VERSION, docs_url=None, redoc_url=None)
    db = settings.db

    @app.middleware("http")
    async def log_requests(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        db.execute(
            "INSERT INTO request_log (method, path, status, verification, at)"
            " VALUES (?, ?, ?, ?, ?)",
            request.method,
            request.url.path,
            response.status_code,
            request.headers.get("x-golive-run", ""),
            datetime.now(UTC).isoformat(),
        )
        return response

    def authorised(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token, settings.token):
            raise HTTPException(401, "missing or invalid bearer token")

    auth = [Depends(authorised)]

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": VERSION}

    @app.get("/api/organisation", dependencies=auth)
    def organisation() -> dict[str, Any]:
        row = db.one("SELECT * FROM organisation")
        assert row is not None
        return row

    def partner_row(partner_id: str) -> dict[str, Any]:
        row = db.one("SELECT * FROM partners WHERE id = ?", partner_id)
        if row is None:
            raise HTTPException(404, f"no trading partner {partner_id}")
        return row

    def staff(username: str | None) -> dict[str, Any] | None:
        if username is None:
            return None
        row = db.one("SELECT * FROM staff WHERE username = ?", username)
        if row is not None:
            row["active"] = bool(row["active"])
            row["receives_alert_emails"] = bool(row["receives_alert_emails"])
        return row

    @app.get("/api/partners/{partner_id}", dependencies=auth)
    def partner(partner_id: str) -> dict[str, Any]:
        row = partner_row(partner_id)
        for role in ("business_rep", "implementer", "inside_sales_rep"):
            row[role] = staff(row[role])
        row["auto_assign_key"] = (
            {"value": row["auto_assign_key"], "state": row.pop("auto_assign_key_state")}
            if row["auto_assign_key"] is not None
            else None
        )
        return row

    @app.get("/api/partners/{partner_id}/change_requests", dependencies=auth)
    def change_requests(partner_id: str) -> list[dict[str, Any]]:
        partner_row(partner_id)
        rows = db.all("SELECT * FROM change_requests WHERE partner_id = ? ORDER BY id", partner_id)
        for row in rows:
            row["has_configuration_instructions"] = bool(row["has_configuration_instructions"])
        return rows

    def recipient_groups(row: dict[str, Any]) -> dict[str, list[str]]:
        org = db.one("SELECT * FROM organisation")
        assert org is not None

        def email(username: str | None) -> list[str]:
            person = staff(username)
            return [person["email"]] if person else []

        groups = {
            "implementation contacts": row["implementation_contacts"],
            "buyers": [b["email"] for b in row["buyers"]],
            "inside sales rep": email(row["inside_sales_rep"]),
            "business rep": email(row["business_rep"]),
            "implementer": email(row["implementer"]),
            "customer service": org["customer_service"],
        }
        return groups

    @app.get("/api/partners/{partner_id}/move_to_production", dependencies=auth)
    def move_draft(partner_id: str) -> dict[str, Any]:
        """The auto-generated email the Move to Production dialog opens with."""
        row = partner_row(partner_id)
        groups = recipient_groups(row)
        if settings.fault_on("customer-service-not-notified", partner_id):
            groups.pop("customer service")
        recipients = sorted({a for addresses in groups.values() for a in addresses})
        return {
            "partner_id": partner_id,
            "subject": f"{row['name']} ({partner_id}) is moving to production",
            "body": f"Trading partner {row['name']} ({partner_id}) moves into production.",
            "recipients": recipients,
            "groups": groups,
        }

    @app.post("/api/partners/{partner_id}/move_to_production", dependencies=auth)
    def move(partner_id: str, request: MoveRequest) -> dict[str, Any]:
        draft = move_draft(partner_id)
        recipients = request.recipients
        if settings.fault_on("external-recipient-kept", partner_id):
            recipients = draft["recipients"]
        unknown = sorted(set(recipients) - set(draft["recipients"]))
        if unknown:
            raise HTTPException(422, f"not a recipient of this partner: {', '.join(unknown)}")
        if not recipients:
            raise HTTPException(422, "the email needs at least one recipient")
        org = db.one("SELECT * FROM organisation")
        assert org is not None
        message_id = f"<{uuid.uuid4()}@{org['domain']}>"
        mail.send(
            settings.smtp_host,
            settings.smtp_port,
            f"no-reply@{org['domain']}",
            sorted(recipients),
            draft["subject"],
            request.body,
            message_id,
        )
        if not settings.fault_on("move-not-persisted", partner_id):
            db.execute("UPDATE partners SET status = 'Production' WHERE id = ?", partner_id)
        return {"partner_id": partner_id, "status": "Production", "message_id": message_id}

    @app.get("/mailbox/messages", dependencies=auth)
    def mailbox(subject: str | None = None) -> list[dict[str, Any]]:
        rows = db.all("SELECT * FROM mailbox ORDER BY id")
        for row in rows:
            row["recipients"] = json.loads(row["recipients"])
            row["headers"] = json.loads(row["headers"])
        if subject is not None:
            rows = [r for r in rows if subject in r["subject"]]
        return rows

    @app.get("/sandbox/requests", dependencies=auth)
    def request_log() -> list[dict[str, Any]]:
        return db.all("SELECT * FROM request_log ORDER BY id")

    @app.exception_handler(HTTPException)
    def problem(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    return app
