"""Sandbox domain: a billing platform, twice (production and the upgraded candidate).

Both instances are served by this one process under path prefixes, ``/production`` and
``/candidate``; each has its own SQLite file written from one generated dataset (the
candidate's is a copy, then upgraded). Under each prefix:

- ``/1.0/kb/...``: a compatible subset of Kill Bill 0.24's API (basic auth plus
  ``X-Killbill-ApiKey``/``X-Killbill-ApiSecret``, ``X-Killbill-CreatedBy`` on writes);
  ``billing_kb.py``.
- ``/sandbox-ext/...``: what the upgrade checklist needs and Kill Bill lacks (tickets,
  provisioning, the event log, the regular import, custom extensions, usage reports,
  release notes); ``billing_ext.py``.
- ``/portal/...`` and ``/admin/...``: the customer and admin web portals, server-rendered;
  ``billing_portal.py``.

Faults change the candidate only: the checklist compares it with production.
``GOLIVE_SANDBOX_ACCOUNTS`` (``golive sandbox --accounts N``) sets how many customer
accounts are generated (default a few dozen, the bench uses 100,000).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException

from . import billing_data, billing_ext, billing_kb, billing_portal, billing_runs
from .billing_core import Instance
from .billing_faults import (
    CONTACT_UPDATE_NOT_SAVED,
    CUSTOM_ACTION_ERROR,
    IMPORT_REJECTS_ROWS,
    PORTAL_LOGIN_LANDS_ON_ERROR,
    PORTAL_PAYMENT_NOT_POSTED,
    SIGNUP_WITHOUT_PACKAGE,
    TICKET_EDIT_LOST,
    VOIP_PROVISIONING_FAILS,
)
from .common import Fault, Routes, Settings
from .db import Database

SCHEMA = ""  # each instance has its own file (billing_data.SCHEMA)
DIALECTS = (billing_kb.DIALECT,)  # app.py: the framework's own 404/405 under /1.0/kb
INSTANCES = ("production", "candidate")
ACCOUNTS_VAR = "GOLIVE_SANDBOX_ACCOUNTS"
DEFAULT_ACCOUNTS = 36


def instance_path(db: Database, name: str) -> Path:
    return Path(db.path).parent / f"billing-{name}.sqlite3"


def on_candidate(*statements: str) -> Callable[[Database], None]:
    def apply(db: Database) -> None:
        cand = Database(instance_path(db, "candidate"))
        for statement in statements:
            cand.execute(statement)

    return apply


def _item(key: str, kind: str) -> str:
    """The November invoice item of an account, by type (a SQL subquery for its id)."""
    return (
        "(SELECT i.id FROM invoice_items i JOIN invoices v ON v.id = i.invoice_id"
        f" JOIN accounts a ON a.id = v.account_id WHERE a.external_key = '{key}'"
        f" AND v.date = '{billing_data.BILL_RUN}' AND i.type = '{kind}')"
    )


DRIFTED = ("A-00034", "A-00035", "A-00036")

FAULTS: tuple[Fault, ...] = (
    VOIP_PROVISIONING_FAILS,
    Fault(
        "discount-plan-missing",
        "UPG-02",
        "",
        "the PARTNER20 discount plan pro-monthly-partner20 is missing from the candidate's catalog",
        on_candidate("DELETE FROM plans WHERE name = 'pro-monthly-partner20'"),
        shows="pro-monthly-partner20",
    ),
    Fault(
        "echeck-processor-down",
        "UPG-03",
        "echeck",
        "the eCheck processor (sandbox-echeck) is down on the candidate",
        on_candidate("UPDATE processors SET up = 0 WHERE plugin = 'sandbox-echeck'"),
        shows="GATEWAY_UNREACHABLE",
    ),
    PORTAL_LOGIN_LANDS_ON_ERROR,
    TICKET_EDIT_LOST,
    Fault(
        "usage-report-empty",
        "UPG-06",
        "",
        "the usage report of account A-00004 comes back without rows",
        on_candidate("DELETE FROM usage WHERE account = 'A-00004'"),
        shows="no usage rows for A-00004",
    ),
    PORTAL_PAYMENT_NOT_POSTED,
    SIGNUP_WITHOUT_PACKAGE,
    CONTACT_UPDATE_NOT_SAVED,
    Fault(
        "portal-stale-balance",
        "UPG-10",
        "",
        "the portal shows the balance from before the bill run",
        # a snapshot taken when the sandbox starts: what the run then pays moves billing's
        # balance, never the cached one
        on_candidate(
            "CREATE TABLE portal_balance_cache AS SELECT a.id AS account_id,"
            " round(a.balance - coalesce((SELECT v.amount FROM invoices v WHERE"
            " v.account_id = a.id ORDER BY v.date DESC LIMIT 1), 0), 2) AS balance"
            " FROM accounts a"
        ),
        shows="balance shows '0.00', billing has",
    ),
    CUSTOM_ACTION_ERROR,
    IMPORT_REJECTS_ROWS,
    Fault(
        "admin-password-expired",
        "UPG-13",
        "",
        "the admin portal refuses the admin login: password expired by the upgrade",
        on_candidate("UPDATE users SET password_expired = 1 WHERE username = 'golive'"),
        shows="Your password has expired",
    ),
    Fault(
        "event-log-error",
        "UPG-14",
        "",
        "the event log holds an ERROR after the upgrade (invoice generation failed)",
        on_candidate(
            "INSERT INTO events (at, level, source, message) VALUES"
            " ('2026-11-20T03:12:44+00:00', 'ERROR', 'InvoiceDispatcher',"
            " 'failed to generate invoice for account A-00007: NullPointerException')"
        ),
        shows="failed to generate invoice for account A-00007",
    ),
    Fault(
        "dns-zone-missing",
        "UPG-15",
        "",
        "the DNS system holds no zone for account A-00002",
        on_candidate("DELETE FROM provisioned WHERE system = 'dns' AND account = 'A-00002'"),
        shows="no zone a-00002.customers.example",
    ),
    Fault(
        "tax-folded-into-charge",
        "UPG-16",
        "",
        "the candidate's bill run folded A-00002's tax into its recurring charge (same"
        " balance, wrong charges)",
        on_candidate(
            f"UPDATE invoice_items SET amount = amount + (SELECT amount FROM invoice_items"
            f" WHERE id = {_item('A-00002', 'TAX')}) WHERE id = {_item('A-00002', 'RECURRING')}",
            f"UPDATE invoice_items SET amount = 0 WHERE id = {_item('A-00002', 'TAX')}",
        ),
        shows="RECURRING 271.10",
    ),
    Fault(
        "balance-drift",
        "UPG-17",
        "",
        f"the candidate's balances of {', '.join(DRIFTED)} drifted by 1.00",
        on_candidate(
            "UPDATE accounts SET balance = round(balance + 1.0, 2) WHERE external_key IN"
            f" ({', '.join(repr(k) for k in DRIFTED)})"
        ),
        shows="A-00034 balance: production -20.00, candidate -19.00",
    ),
    Fault(
        "role-missing-permission",
        "UPG-18",
        "billing",
        "the billing role lacks the new permission invoice:item_adjust on the candidate",
        on_candidate(
            "UPDATE roles SET permissions = (SELECT json_group_array(value) FROM"
            " json_each(permissions) WHERE value != 'invoice:item_adjust')"
            " WHERE role = 'billing'"
        ),
        shows="permissions missing: invoice:item_adjust",
    ),
    Fault(
        "role-extra-permission",
        "UPG-18",
        "csr",
        "the upgrade granted the csr role the new permission invoice:item_adjust, which the"
        " matrix does not give it",
        on_candidate(
            "UPDATE roles SET permissions = json_insert(permissions, '$[#]',"
            " 'invoice:item_adjust') WHERE role = 'csr'"
        ),
        shows="permissions beyond the matrix: invoice:item_adjust",
    ),
    Fault(
        "tickets-page-denied",
        "UPG-19",
        "csr",
        "the admin portal's Tickets page denies the csr role despite its permission (403)",
        shows="tickets refused (403",
    ),
    Fault(
        "workorders-refused-for-field-tech",
        "UPG-19",
        "field-tech",
        "the admin portal's Work orders page refuses the field-tech role despite its"
        " permission, with a message on a page that answers 200",
        shows="work_orders refused (200",
    ),
    Fault(
        "tickets-page-unguarded",
        "UPG-19",
        "billing",
        "the admin portal's Tickets page opens for the billing role, which lacks its"
        " permission (the menu hides it, the page does not check)",
        shows="tickets opened",
    ),
    Fault(
        "release-feature-unattested",
        "UPG-20",
        "",
        "the release notes list a new feature (Usage alerts) nobody attested to know",
        on_candidate(
            "UPDATE release SET features = json_insert(features, '$[#]',"
            " json_object('name', 'Usage alerts', 'practice', json('false')))"
        ),
        shows="does not cover Usage alerts",
    ),
    Fault(
        "practice-feature-unpractised",
        "UPG-21",
        "",
        "a feature now needs practice (Admin portal dark mode) and nobody practised it",
        on_candidate(
            "UPDATE release SET features = (SELECT json_group_array(json_object('name',"
            " json_extract(value, '$.name'), 'practice', json('true')))"
            " FROM json_each(features))"
        ),
        shows="does not cover Admin portal dark mode",
    ),
    *billing_runs.FAULTS,  # the bill-run reconciliation's (UPG-17, UPG-22)
)


def _accounts() -> int:
    return int(os.environ.get(ACCOUNTS_VAR) or DEFAULT_ACCOUNTS)


def load(db: Database, seed: int) -> None:
    accounts = _accounts()
    production = instance_path(db, "production")
    conn = sqlite3.connect(production, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    billing_data.write(conn, seed, accounts)
    conn.close()
    candidate = instance_path(db, "candidate")
    shutil.copyfile(production, candidate)  # the candidate's bill run ran on a copy
    conn = sqlite3.connect(candidate, isolation_level=None)
    billing_data.upgrade(conn)
    conn.close()


def router(settings: Settings) -> Routes:
    instances = {
        name: Instance(name, Database(instance_path(settings.db, name)), settings)
        for name in INSTANCES
    }

    def instance(instance: str) -> Instance:
        if instance not in instances:
            raise HTTPException(404, f"no billing instance {instance}")
        return instances[instance]

    top = Routes()
    kb = billing_kb.router(settings, instance)
    ext = billing_ext.router(settings, instance)
    web = billing_portal.router(settings, instance)
    for name in INSTANCES:  # literal prefixes: nothing here matches another domain's path
        top.include_router(kb, prefix=f"/{name}/1.0/kb")
        top.include_router(ext, prefix=f"/{name}/sandbox-ext")
        top.include_router(web, prefix=f"/{name}")
        top.include_router(
            billing_runs.router(
                settings, name, _accounts(), [t[0] for t in billing_data.TEST_ACCOUNTS]
            ),
            prefix=f"/{name}/sandbox-ext/billrun",
        )
    return top
