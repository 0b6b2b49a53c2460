"""The billing sandbox's own endpoints, for what the upgrade checklist needs and Kill Bill
has no API for (``/sandbox-ext/...``, basic auth). Plain JSON; ``golive/adapters/
billing_ops.py`` is the client a team replaces with one for its own platform.

- ``GET /release``: version, when the upgrade happened, the release's new features
- ``GET /events?since=``: the event log
- ``POST /tickets``, ``PATCH /tickets/{id}``, ``GET /tickets/{id}``
- ``GET /reports/usage?account=``: the usage report of an account
- ``GET /extensions``, ``POST /extensions/{name}/invoke``: custom code must answer
- ``POST /imports``: the regular data import (CSV text in JSON)
- ``GET /provisioning/workflows``, ``POST /provisioning/workflows/{name}/runs``,
  ``GET /provisioning/jobs/{id}``: provisioning to external systems, asynchronous
- ``GET /provisioning/systems/{system}/records``: what an external system holds
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import Depends, HTTPException, Request

from . import billing_core as core
from .billing_data import provisioned_value
from .billing_faults import (
    CUSTOM_ACTION_ERROR,
    IMPORT_REJECTS_ROWS,
    TICKET_EDIT_LOST,
    VOIP_PROVISIONING_FAILS,
)
from .common import Routes, Settings, later

JOB_DELAY = 0.05  # provisioning runs asynchronously, as in a real platform


def router(settings: Settings, instance_of: core.InstanceOf) -> Routes:
    def authorised(request: Request) -> None:
        if not core.basic_ok(settings, request):
            raise HTTPException(401, "missing or invalid basic credentials")

    api = Routes(dependencies=[Depends(authorised)])

    @api.get("/release")
    def release(instance: core.InstanceName) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM release")
        assert row is not None
        return {
            "version": row["version"],
            "upgraded_at": row["upgraded_at"],
            "features": json.loads(row["features"]),
        }

    @api.get("/events")
    def events(instance: core.InstanceName, since: str = "") -> list[dict[str, Any]]:
        return instance_of(instance).db.all(
            "SELECT * FROM events WHERE at >= ? ORDER BY at, id", since
        )

    @api.post("/tickets", status_code=201)
    async def create_ticket(instance: core.InstanceName, request: Request) -> dict[str, Any]:
        inst, body = instance_of(instance), await request.json()
        with inst.db.transaction() as tx:
            cur = tx.execute(
                "INSERT INTO tickets (account, subject, status, body, updated)"
                " VALUES (?, ?, 'open', ?, ?)",
                (body["account"], body["subject"], body.get("body", ""), core.now()),
            )
            ticket_id = cur.lastrowid
        return ticket(instance, int(ticket_id or 0))

    @api.patch("/tickets/{ticket_id}")
    async def edit_ticket(
        instance: core.InstanceName, ticket_id: int, request: Request
    ) -> dict[str, Any]:
        inst, body = instance_of(instance), await request.json()
        current = ticket(instance, ticket_id)
        merged = {k: body.get(k, current[k]) for k in ("subject", "status", "body")}
        if not inst.fault(TICKET_EDIT_LOST):
            inst.db.execute(
                "UPDATE tickets SET subject = ?, status = ?, body = ?, updated = ? WHERE id = ?",
                merged["subject"],
                merged["status"],
                merged["body"],
                core.now(),
                ticket_id,
            )
        return {**current, **merged}

    @api.get("/tickets/{ticket_id}")
    def ticket(instance: core.InstanceName, ticket_id: int) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM tickets WHERE id = ?", ticket_id)
        if row is None:
            raise HTTPException(404, f"no ticket {ticket_id}")
        return row

    @api.get("/reports/usage")
    def usage(instance: core.InstanceName, account: str) -> dict[str, Any]:
        rows = instance_of(instance).db.all(
            "SELECT day, unit, quantity FROM usage WHERE account = ? ORDER BY day", account
        )
        return {
            "account": account,
            "rows": rows,
            "total": round(sum(r["quantity"] for r in rows), 3),
        }

    @api.get("/extensions")
    def extensions(instance: core.InstanceName) -> list[dict[str, Any]]:
        return instance_of(instance).db.all("SELECT * FROM extensions ORDER BY name")

    @api.post("/extensions/{name}/invoke")
    async def invoke(instance: core.InstanceName, name: str, request: Request) -> dict[str, Any]:
        inst, body = instance_of(instance), await request.json()
        if inst.db.one("SELECT * FROM extensions WHERE name = ?", name) is None:
            raise HTTPException(404, f"no extension {name}")
        if name == "late-fee-waiver" and inst.fault(CUSTOM_ACTION_ERROR):
            raise HTTPException(
                500,
                "late-fee-waiver: NoSuchMethodError:"
                " InvoiceUserApi.insertCredit (built against 2026.08)",
            )
        return {
            "extension": name,
            "ok": True,
            "account": body.get("account"),
            "dry_run": bool(body.get("dry_run", True)),
        }

    @api.post("/imports")
    async def import_rows(instance: core.InstanceName, request: Request) -> dict[str, Any]:
        inst, body = instance_of(instance), await request.json()
        if body.get("kind") != "usage":
            raise HTTPException(400, f"unknown import kind {body.get('kind')!r}")
        accepted, errors = [], []
        reader = csv.DictReader(io.StringIO(body["csv"]))
        for n, row in enumerate(reader, start=2):
            try:
                raw = row["quantity"]
                quantity = int(raw) if inst.fault(IMPORT_REJECTS_ROWS) else float(raw)
                accepted.append((row["account"], row["day"], row["unit"], quantity))
            except (KeyError, ValueError) as exc:
                errors.append({"line": n, "reason": f"invalid quantity: {exc}"})
        with inst.db.transaction() as tx:
            tx.executemany("INSERT INTO usage VALUES (?, ?, ?, ?)", accepted)
        return {
            "file": body.get("filename", ""),
            "accepted": len(accepted),
            "rejected": len(errors),
            "errors": errors,
        }

    @api.get("/provisioning/workflows")
    def workflows(instance: core.InstanceName) -> list[dict[str, Any]]:
        return instance_of(instance).db.all("SELECT * FROM workflows ORDER BY name")

    @api.post("/provisioning/workflows/{name}/runs", status_code=202)
    async def run(instance: core.InstanceName, name: str, request: Request) -> dict[str, Any]:
        inst, body = instance_of(instance), await request.json()
        flow = inst.db.one("SELECT * FROM workflows WHERE name = ?", name)
        if flow is None:
            raise HTTPException(404, f"no workflow {name}")
        account = body["account"]
        with inst.db.transaction() as tx:
            job_id = tx.execute(
                "INSERT INTO jobs (workflow, system, account, state, error, created)"
                " VALUES (?, ?, ?, 'queued', '', ?)",
                (name, flow["system"], account, core.now()),
            ).lastrowid

        def finish() -> None:
            if name == "voip-line" and inst.fault(VOIP_PROVISIONING_FAILS):
                inst.db.execute(
                    "UPDATE jobs SET state = 'failed', error = ? WHERE id = ?",
                    "voip-switch rejected the line: trunk group TG-7 unknown",
                    job_id,
                )
                return
            with inst.db.transaction() as tx:
                tx.execute(
                    "DELETE FROM provisioned WHERE system = ? AND account = ? AND kind = ?",
                    (flow["system"], account, flow["kind"]),
                )
                tx.execute(
                    "INSERT INTO provisioned VALUES (?, ?, ?, ?)",
                    (
                        flow["system"],
                        account,
                        flow["kind"],
                        provisioned_value(flow["kind"], account),
                    ),
                )
                tx.execute("UPDATE jobs SET state = 'done' WHERE id = ?", (job_id,))

        later(JOB_DELAY, finish)
        return job(instance, int(job_id or 0))

    @api.get("/provisioning/jobs/{job_id}")
    def job(instance: core.InstanceName, job_id: int) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM jobs WHERE id = ?", job_id)
        if row is None:
            raise HTTPException(404, f"no provisioning job {job_id}")
        return row

    @api.get("/provisioning/systems/{system}/records")
    def records(
        instance: core.InstanceName, system: str, account: str = ""
    ) -> list[dict[str, Any]]:
        return instance_of(instance).db.all(
            "SELECT * FROM provisioned WHERE system = ? AND (? = '' OR account = ?)"
            " ORDER BY account, kind",
            system,
            account,
            account,
        )

    return api
