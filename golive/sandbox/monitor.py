"""Sandbox domain: the EDI monitor a customer shares with its ERP partner (customiser).

Two instances, TEST and PROD, each with its own partner users, relations, messages and
tickets. Three doors, as in the real product:

- the customer admin's JSON API (``/monitor/api/{instance}/customers/...``, bearer token):
  what the company settings' Partner tab shows;
- the partner user's own JSON API (``/monitor/api/{instance}/me/...``, basic auth with the
  partner user's password);
- the server-rendered web UI (``/monitor/{instance}/...``, see ``monitor_web.py``).

Partner users log in with the sandbox token as their password (the sandbox's one secret);
the session cookie is a random value, never the password.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import asdict
from typing import Any

from fastapi import HTTPException, Request

from . import monitor_web
from .common import Fault, Routes, Settings, bearer, sql_fault
from .db import Database
from .monitor_data import INSTANCES, day, generate
from .monitor_faults import (
    DASHBOARD_LEAKS_OTHER_CUSTOMER,
    PARTNER_USERS_PAGE_OPEN,
    REVOKED_USER_API_ALLOWED,
    REVOKED_USER_CAN_LOG_IN,
)

SCHEMA = """
CREATE TABLE monitor_companies (id TEXT PRIMARY KEY, name TEXT, parent_id TEXT);
CREATE TABLE monitor_onboarding (customer_id TEXT PRIMARY KEY, state TEXT);
CREATE TABLE monitor_relations (
    instance TEXT, customer_id TEXT, partner_company TEXT, established_at TEXT);
CREATE TABLE monitor_partner_users (
    instance TEXT, username TEXT, customer_id TEXT, partner_company TEXT, name TEXT,
    permissions TEXT, created_at TEXT, access_start TEXT, expires_at TEXT, enabled INTEGER,
    revoked_at TEXT, PRIMARY KEY (instance, username, customer_id));
CREATE TABLE monitor_assignments (
    instance TEXT, username TEXT, customer_id TEXT, company_id TEXT);
CREATE TABLE monitor_messages (
    instance TEXT, id TEXT PRIMARY KEY, company_id TEXT, document TEXT, trading_partner TEXT,
    state TEXT, received_at TEXT, content TEXT);
CREATE TABLE monitor_tickets (
    instance TEXT, id TEXT PRIMARY KEY, company_id TEXT, subject TEXT, state TEXT);
CREATE TABLE monitor_sessions (
    id TEXT PRIMARY KEY, instance TEXT, username TEXT, admin INTEGER, customer_id TEXT);
"""


def _user(instance: str, username: str, customer: str) -> str:
    return (
        f" WHERE instance = '{instance}' AND username = '{username}' AND customer_id = '{customer}'"
    )


FAULTS: tuple[Fault, ...] = (
    Fault(
        "partner-relation-missing-on-prod",
        "ERP-01",
        "C-200",
        "the ERP partner relation was never set up on PROD, yet partner users exist there",
        sql_fault(
            "DELETE FROM monitor_relations WHERE instance = 'PROD' AND customer_id = 'C-200'"
        ),
        shows="no partner relation with P-910",
    ),
    Fault(
        "partner-relation-after-user",
        "ERP-01",
        "C-100",
        "partner users were created on TEST before the partner relation was set up",
        sql_fault(
            "UPDATE monitor_relations SET established_at = ?"
            " WHERE instance = 'TEST' AND customer_id = 'C-100'",
            day(-1),
        ),
        shows="the relation with P-900 only on",
    ),
    Fault(
        "partner-user-extra-permission",
        "ERP-02",
        "C-100",
        "a partner user was also given the permission to manage API credentials",
        sql_fault(
            "UPDATE monitor_partner_users SET permissions ="
            " json_insert(permissions, '$[#]', 'manage_api_credentials')"
            + _user("TEST", "anna.erp", "C-100")
        ),
        shows="extra manage_api_credentials",
    ),
    Fault(
        "partner-user-missing-permission",
        "ERP-02",
        "C-200",
        "a partner user on PROD lost the permission to respond to tickets",
        sql_fault(
            "UPDATE monitor_partner_users SET permissions = (SELECT json_group_array(value)"
            " FROM json_each(permissions) WHERE value != 'respond_to_tickets')"
            + _user("PROD", "carl.erp", "C-200")
        ),
        shows="missing respond_to_tickets",
    ),
    Fault(
        "prod-access-during-onboarding",
        "ERP-03",
        "C-100",
        "a partner user was given PROD access while the onboarding is still in progress",
        sql_fault(
            "INSERT INTO monitor_partner_users SELECT 'PROD', username, customer_id,"
            " partner_company, name, permissions, created_at, access_start, expires_at,"
            " enabled, revoked_at FROM monitor_partner_users" + _user("TEST", "anna.erp", "C-100")
        ),
        shows="anna.erp on PROD is enabled during phase onboarding",
    ),
    Fault(
        "partner-user-without-expiry",
        "ERP-04",
        "C-100",
        "a partner user's access has no expiry date",
        sql_fault(
            "UPDATE monitor_partner_users SET expires_at = NULL"
            + _user("TEST", "anna.erp", "C-100")
        ),
        shows="anna.erp on TEST has no expiry date",
    ),
    Fault(
        "expired-partner-user-enabled",
        "ERP-04",
        "C-100",
        "a partner user's access expired three days ago but the user is still enabled",
        sql_fault(
            "UPDATE monitor_partner_users SET expires_at = ?" + _user("TEST", "bob.erp", "C-100"),
            day(-3),
        ),
        shows="bob.erp on TEST expired on",
    ),
    Fault(
        "revocation-forgotten",
        "ERP-04",
        "C-200",
        "onboarding is complete, the plan revokes the partner user, but it is still enabled",
        sql_fault(
            "UPDATE monitor_partner_users SET enabled = 1, revoked_at = NULL"
            + _user("TEST", "dora.erp", "C-200")
        ),
        shows="dora.erp on TEST is still enabled after onboarding",
    ),
    Fault(
        "unassigned-sub-company-visible",
        "ERP-05",
        "C-100",
        "a partner user sees a sub-company it was never assigned",
        sql_fault("INSERT INTO monitor_assignments VALUES ('TEST', 'anna.erp', 'C-100', 'C-103')"),
        shows="not assigned C-103",
    ),
    PARTNER_USERS_PAGE_OPEN,
    DASHBOARD_LEAKS_OTHER_CUSTOMER,
    REVOKED_USER_CAN_LOG_IN,
    REVOKED_USER_API_ALLOWED,
)


def load(db: Database, seed: int) -> None:
    data = generate(seed)
    db.create(SCHEMA)
    with db.transaction() as tx:
        tx.executemany(
            "INSERT INTO monitor_companies VALUES (?, ?, ?)",
            [(c.id, c.name, c.parent_id) for c in data.companies],
        )
        tx.executemany("INSERT INTO monitor_onboarding VALUES (?, ?)", data.onboarding.items())
        tx.executemany("INSERT INTO monitor_relations VALUES (?, ?, ?, ?)", data.relations)
        for u in data.users:
            row = asdict(u)
            subs = row.pop("sub_companies")
            row["permissions"] = json.dumps(row["permissions"])
            tx.execute(
                "INSERT INTO monitor_partner_users VALUES (:instance, :username, :customer_id,"
                " :partner_company, :name, :permissions, :created_at, :access_start,"
                " :expires_at, :enabled, :revoked_at)",
                row,
            )
            tx.executemany(
                "INSERT INTO monitor_assignments VALUES (?, ?, ?, ?)",
                [(u.instance, u.username, u.customer_id, s) for s in subs],
            )
        tx.executemany(
            "INSERT INTO monitor_messages VALUES (:instance, :id, :company_id, :document,"
            " :trading_partner, :state, :received_at, :content)",
            data.messages,
        )
        tx.executemany(
            "INSERT INTO monitor_tickets VALUES (:instance, :id, :company_id, :subject, :state)",
            data.tickets,
        )


class Monitor:
    """Queries and rules shared by the APIs and the web UI (one place decides access)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = settings.db

    def instance(self, name: str) -> str:
        if name not in INSTANCES:
            raise HTTPException(404, f"no monitor instance {name} (TEST or PROD)")
        return name

    def company(self, company_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM monitor_companies WHERE id = ?", company_id)
        if row is None:
            raise HTTPException(404, f"no company {company_id}")
        return row

    def users(self, instance: str, customer_id: str, username: str | None = None) -> list[Any]:
        rows = self.db.all(
            "SELECT * FROM monitor_partner_users WHERE instance = ? AND customer_id = ?"
            " AND (? IS NULL OR username = ?) ORDER BY username",
            instance,
            customer_id,
            username,
            username,
        )
        for row in rows:
            row["permissions"] = json.loads(row["permissions"])
            row["enabled"] = bool(row["enabled"])
            row["sub_companies"] = self.assigned(instance, row["username"], customer_id)
        return rows

    def assigned(self, instance: str, username: str, customer_id: str) -> list[str]:
        rows = self.db.all(
            "SELECT company_id FROM monitor_assignments WHERE instance = ? AND username = ?"
            " AND customer_id = ? ORDER BY company_id",
            instance,
            username,
            customer_id,
        )
        return [r["company_id"] for r in rows]

    def password_ok(self, password: str) -> bool:
        return secrets.compare_digest(password.encode(), self.settings.token.encode())

    def grants(self, instance: str, username: str, *, fault: Fault | None) -> list[dict[str, Any]]:
        """The customers a partner user may act for now: enabled rows only (a revoked or
        disabled user has none), unless ``fault`` is injected for that customer."""
        rows = self.db.all(
            "SELECT * FROM monitor_partner_users WHERE instance = ? AND username = ?"
            " ORDER BY customer_id",
            instance,
            username,
        )
        return [
            {**r, "permissions": json.loads(r["permissions"])}
            for r in rows
            if r["enabled"]
            or (fault is not None and self.settings.fault_on(fault, r["customer_id"]))
        ]

    def messages(self, instance: str, company_ids: list[str]) -> list[dict[str, Any]]:
        marks = ", ".join("?" for _ in company_ids)
        return self.db.all(
            f"SELECT * FROM monitor_messages WHERE instance = ? AND company_id IN ({marks})"
            " ORDER BY id",
            instance,
            *company_ids,
        )


def basic_user(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise HTTPException(401, "basic authentication required")
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise HTTPException(401, "malformed basic authentication") from None
    return user, password


def router(settings: Settings) -> Routes:
    monitor = Monitor(settings)
    db = settings.db
    root = Routes(prefix="/monitor")
    admin = Routes(prefix="/api/{instance}/customers", dependencies=[bearer(settings)])

    @admin.get("/{customer_id}")
    def customer(instance: str, customer_id: str) -> dict[str, Any]:
        monitor.instance(instance)
        row = monitor.company(customer_id)
        state = db.one("SELECT state FROM monitor_onboarding WHERE customer_id = ?", customer_id)
        subs = db.all("SELECT id FROM monitor_companies WHERE parent_id = ? ORDER BY id", row["id"])
        return {
            **row,
            "onboarding_state": state["state"] if state else None,
            "sub_companies": [s["id"] for s in subs],
        }

    @admin.get("/{customer_id}/partner-relations")
    def relations(instance: str, customer_id: str) -> list[dict[str, Any]]:
        monitor.company(customer_id)
        return db.all(
            "SELECT partner_company, established_at FROM monitor_relations"
            " WHERE instance = ? AND customer_id = ? ORDER BY partner_company",
            monitor.instance(instance),
            customer_id,
        )

    @admin.get("/{customer_id}/partner-users")
    def partner_users(instance: str, customer_id: str) -> list[dict[str, Any]]:
        monitor.company(customer_id)
        return monitor.users(monitor.instance(instance), customer_id)

    @admin.get("/{customer_id}/messages")
    def messages(instance: str, customer_id: str) -> list[dict[str, Any]]:
        monitor.company(customer_id)
        return monitor.messages(monitor.instance(instance), [customer_id])

    @admin.get("/{customer_id}/tickets")
    def tickets(instance: str, customer_id: str) -> list[dict[str, Any]]:
        return db.all(
            "SELECT * FROM monitor_tickets WHERE instance = ? AND company_id = ? ORDER BY id",
            monitor.instance(instance),
            customer_id,
        )

    @root.get("/api/{instance}/me/customers/{customer_id}/companies")
    def visible_companies(instance: str, customer_id: str, request: Request) -> dict[str, Any]:
        """The companies the calling partner user sees for one customer: the customer and
        the sub-companies it is assigned."""
        username, password = basic_user(request)
        grants = monitor.grants(
            monitor.instance(instance), username, fault=REVOKED_USER_API_ALLOWED
        )
        if not monitor.password_ok(password) or not grants:
            raise HTTPException(401, "invalid credentials or access revoked")
        if customer_id not in {g["customer_id"] for g in grants}:
            raise HTTPException(403, f"{username} has no access to customer {customer_id}")
        subs = monitor.assigned(instance, username, customer_id)
        return {"username": username, "customer_id": customer_id, "sub_companies": subs}

    root.include_router(admin)
    root.include_router(monitor_web.router(monitor))
    return root
