"""Generated data for the billing sandbox: one dataset, written once, copied for the candidate.

The production instance is the current release with its bill run done (the November
invoices). The candidate is the upgraded release whose bill run was done on a copy of the
same data, so a healthy candidate equals production row for row; faults then change the
candidate's copy (``billing.py``).

Accounts cycle through the strata the diverse-accounts check cares about (package,
payment method, status, balance sign, discount, tax region) with co-prime periods, so
every value appears within the first dozen accounts. Beyond the first few hundred
accounts (the bench's 100,000) names come from a small list instead of faker, which keeps
generation fast; the shape of the data is the same.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from .fakes import new_faker

NS = uuid.UUID("6f1c1e0e-6b5e-4d38-9d55-3b1e2c0a9b21")
BILL_RUN = "2026-11-01"
PREVIOUS_RUN = "2026-10-01"
NEXT_BILL = "2026-12-01"
UPGRADED_AT = "2026-11-20T00:00:00+00:00"
PRODUCTION_VERSION = "2026.08.3"
CANDIDATE_VERSION = "2026.11.0"

# name, product, price list, monthly price
PLANS = (
    ("basic-monthly", "Basic", "DEFAULT", 29.95),
    ("pro-monthly", "Pro", "DEFAULT", 79.00),
    ("enterprise-monthly", "Enterprise", "DEFAULT", 249.00),
    ("pro-monthly-partner20", "Pro", "PARTNER20", 63.20),  # the partner discount plan
)
# region (state or country), country, currency, tax rate
REGIONS = (
    ("CA", "US", "USD", 0.0725),
    ("NY", "US", "USD", 0.08875),
    ("TX", "US", "USD", 0.0625),
    ("WA", "US", "USD", 0.065),
    ("BE", "DE", "EUR", 0.19),
)
METHODS = ("sandbox-creditcard", "sandbox-echeck", None)  # None: pays by invoice
PROCESSORS = (("sandbox-creditcard", "credit card"), ("sandbox-echeck", "eCheck"))

PERMISSIONS = {
    "admin": [
        "account:create",
        "account:update",
        "entitlement:create",
        "invoice:item_adjust",
        "payment:refund",
        "payment:trigger",
        "ticket:edit",
        "workorder:manage",
    ],
    "csr": [
        "account:create",
        "account:update",
        "payment:trigger",
        "ticket:edit",
        "workorder:manage",
    ],
    "billing": [
        "account:create",
        "entitlement:create",
        "invoice:item_adjust",
        "payment:refund",
        "payment:trigger",
    ],
    "field-tech": ["workorder:manage"],
}
STAFF = (("csr.jones", "csr"), ("billing.lee", "billing"), ("tech.kim", "field-tech"))

WORKFLOWS = (
    ("radius-user", "radius", "user"),
    ("dns-zone", "dns", "zone"),
    ("voip-line", "voip-switch", "line"),
    ("mailbox", "email-hosting", "mailbox"),
)
EXTENSIONS = (
    ("late-fee-waiver", "action"),
    ("credit-check", "action"),
    ("account-summary", "page"),
)
FEATURES = (
    ("Invoice item adjustments", True),
    ("Bulk ticket assignment", True),
    ("Admin portal dark mode", False),
)
TEST_ACCOUNTS = (
    # key, name, region index, payment methods (external key suffix, plugin, instrument)
    (
        "T-0001",
        "Golive Test Customer",
        0,
        (
            ("cc-ok", "sandbox-creditcard", "4111111111111111"),
            ("cc-declined", "sandbox-creditcard", "4000000000000002"),
        ),
    ),
    (
        "T-0002",
        "Golive eCheck Customer",
        1,
        (
            ("ach-ok", "sandbox-echeck", "021000021-000123456789"),
            ("ach-declined", "sandbox-echeck", "021000021-000000000002"),
        ),
    ),
)
RATES = {r[0]: r[3] for r in REGIONS}
DECLINED_SUFFIX = "0002"  # the processors decline instruments ending so (test cards)

SCHEMA = """
CREATE TABLE release (version TEXT, upgraded_at TEXT, features TEXT);
CREATE TABLE plans (name TEXT PRIMARY KEY, product TEXT, price_list TEXT, price REAL);
CREATE TABLE accounts (
    rid INTEGER PRIMARY KEY, id TEXT UNIQUE, external_key TEXT UNIQUE, name TEXT,
    email TEXT, phone TEXT, currency TEXT, bcd INTEGER, state TEXT, country TEXT,
    reference_time TEXT, balance REAL, cba REAL, payment_method_id TEXT);
CREATE TABLE account_emails (account_id TEXT, email TEXT);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY, bundle_id TEXT, bundle_key TEXT, account_id TEXT, plan TEXT,
    product TEXT, price_list TEXT, state TEXT, start_date TEXT, charged_through TEXT);
CREATE INDEX subscriptions_account ON subscriptions(account_id);
CREATE TABLE invoices (
    id TEXT PRIMARY KEY, account_id TEXT, number INTEGER, date TEXT, amount REAL,
    balance REAL, currency TEXT);
CREATE INDEX invoices_account ON invoices(account_id);
CREATE TABLE invoice_items (
    id TEXT PRIMARY KEY, invoice_id TEXT, account_id TEXT, subscription_id TEXT, plan TEXT,
    type TEXT, description TEXT, start_date TEXT, end_date TEXT, amount REAL, usage TEXT,
    linked_item_id TEXT);
CREATE INDEX invoice_items_invoice ON invoice_items(invoice_id);
CREATE TABLE payment_methods (
    id TEXT PRIMARY KEY, external_key TEXT, account_id TEXT, plugin TEXT,
    is_default INTEGER, instrument TEXT);
CREATE INDEX payment_methods_account ON payment_methods(account_id);
CREATE TABLE payments (
    id TEXT PRIMARY KEY, number INTEGER, account_id TEXT, payment_method_id TEXT,
    amount REAL, currency TEXT, status TEXT, error TEXT, created TEXT);
CREATE INDEX payments_account ON payments(account_id);
CREATE TABLE processors (plugin TEXT PRIMARY KEY, method TEXT, up INTEGER);
CREATE TABLE roles (role TEXT PRIMARY KEY, permissions TEXT);
CREATE TABLE users (username TEXT PRIMARY KEY, roles TEXT, password_expired INTEGER);
CREATE TABLE portal_users (username TEXT PRIMARY KEY, account_key TEXT);
CREATE TABLE sessions (token TEXT PRIMARY KEY, kind TEXT, username TEXT);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, object_type TEXT, object_id TEXT,
    change_type TEXT, changed_by TEXT, at TEXT);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT, subject TEXT, status TEXT,
    body TEXT, updated TEXT);
CREATE TABLE workflows (name TEXT PRIMARY KEY, system TEXT, kind TEXT);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workflow TEXT, system TEXT, account TEXT,
    state TEXT, error TEXT, created TEXT);
CREATE TABLE provisioned (system TEXT, account TEXT, kind TEXT, value TEXT);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, level TEXT, source TEXT, message TEXT);
CREATE TABLE usage (account TEXT, day TEXT, unit TEXT, quantity REAL);
CREATE INDEX usage_account ON usage(account);
CREATE TABLE extensions (name TEXT PRIMARY KEY, kind TEXT);
"""

FAKE_LIMIT = 500  # faker for the first accounts, a plain list after


def uid(*parts: object) -> str:
    """A deterministic UUID-shaped id (name-based, like uuid5, but cheap to compute)."""
    h = hashlib.sha1(NS.bytes + "/".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def provisioned_value(kind: str, key: str) -> str:
    """What an external system holds for an account: the contract of the provisioning."""
    slug = key.lower()
    return {
        "user": f"{slug}@radius",
        "zone": f"{slug}.customers.example",
        "line": f"+1555{sum(map(ord, key)) * 97 % 10_000_000:07d}",
        "mailbox": f"postmaster@{slug}.customers.example",
    }[kind]


def _account(i: int, key: str, name: str, email: str, region: int) -> dict[str, Any]:
    state, country, currency, _ = REGIONS[region]
    return {
        "rid": None,
        "id": uid("account", key),
        "external_key": key,
        "name": name,
        "email": email,
        "phone": f"+1-555-{i % 1000:03d}-{(i * 37) % 10000:04d}",
        "currency": currency,
        "bcd": 1,
        "state": state,
        "country": country,
        "reference_time": "2025-01-01T00:00:00.000Z",
        "balance": 0.0,
        "cba": 0.0,
        "payment_method_id": None,
    }


def _names(seed: int) -> Iterator[tuple[str, str]]:
    fake = new_faker("en_US")
    fake.seed_instance(seed)
    for i in range(FAKE_LIMIT):
        name = fake.name()
        yield name, f"{fake.user_name()}{i}@{fake.free_email_domain()}"
    i = FAKE_LIMIT
    while True:
        yield f"Customer {i:06d}", f"customer{i:06d}@mail.example"
        i += 1


def write(conn: sqlite3.Connection, seed: int, accounts: int) -> None:
    """Create the schema and write the dataset (production after its bill run)."""
    conn.executescript(SCHEMA)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO release VALUES (?, ?, ?)",
        (PRODUCTION_VERSION, "2026-08-15T00:00:00+00:00", json.dumps([])),
    )
    conn.executemany("INSERT INTO plans VALUES (?, ?, ?, ?)", PLANS)
    conn.executemany("INSERT INTO processors VALUES (?, ?, 1)", PROCESSORS)
    conn.executemany(
        "INSERT INTO roles VALUES (?, ?)", [(r, json.dumps(p)) for r, p in PERMISSIONS.items()]
    )
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, 0)",
        [("golive", json.dumps(["admin"]))] + [(u, json.dumps([r])) for u, r in STAFF],
    )
    conn.execute("INSERT INTO portal_users VALUES ('golive', 'T-0001')")
    conn.executemany("INSERT INTO workflows VALUES (?, ?, ?)", WORKFLOWS)
    conn.executemany("INSERT INTO extensions VALUES (?, ?)", EXTENSIONS)
    conn.executemany(
        "INSERT INTO events (at, level, source, message) VALUES (?, ?, ?, ?)",
        [
            ("2026-11-01T02:00:00+00:00", "INFO", "BillRun", "bill run 2026-11-01 started"),
            ("2026-11-01T02:14:09+00:00", "ERROR", "Dunning", "SMTP timeout sending notice"),
            ("2026-11-01T02:40:00+00:00", "INFO", "BillRun", "bill run 2026-11-01 finished"),
            ("2026-11-20T00:05:00+00:00", "INFO", "Upgrade", "schema migration completed"),
            ("2026-11-20T00:07:00+00:00", "WARN", "Plugins", "deprecated plugin API in use"),
        ],
    )
    names = _names(seed)
    batch = Batch()
    for n, (key, name, region, methods) in enumerate(TEST_ACCOUNTS):
        row = _account(n, key, name, f"{key.lower()}@test.example", region)
        for suffix, plugin, instrument in methods:
            pm = uid("pm", key, suffix)
            ok = suffix.endswith("ok")
            batch.rows["payment_methods"].append(
                (pm, f"{key}-{suffix}", row["id"], plugin, int(ok), instrument)
            )
            if ok:
                row["payment_method_id"] = pm
        _bill(batch, row, n + 1, 0, 0, "ACTIVE")
    for i in range(1, accounts + 1):
        name, email = next(names)
        row = _account(i, f"A-{i:05d}", name, email, (i // 2) % len(REGIONS))
        method = METHODS[i % 3]
        if method is not None:
            pm = uid("pm", row["external_key"])
            row["payment_method_id"] = pm
            instrument = "4242424242424242" if method.endswith("card") else "021000021-0000424242"
            batch.rows["payment_methods"].append(
                (pm, f"{row['external_key']}-pm", row["id"], method, 1, instrument)
            )
        status = "CANCELLED" if i % 7 == 5 else "BLOCKED" if i % 11 == 7 else "ACTIVE"
        _bill(batch, row, i + 10, i % 4, i % 5, status)
        if len(batch.accounts) >= 5000:
            batch.flush(conn)
    batch.flush(conn)
    conn.execute("COMMIT")


def _flush(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT INTO accounts VALUES (:rid, :id, :external_key, :name, :email, :phone,"
        " :currency, :bcd, :state, :country, :reference_time, :balance, :cba,"
        " :payment_method_id)",
        rows,
    )
    rows.clear()


class Batch:
    """Rows waiting to be written, one list per table, flushed with ``executemany`` (one
    statement per table per few thousand accounts, which makes 100,000 accounts quick)."""

    TABLES: ClassVar[dict[str, int]] = {
        "subscriptions": 10,
        "invoices": 7,
        "invoice_items": 12,
        "payments": 9,
        "payment_methods": 6,
        "provisioned": 4,
        "usage": 4,
    }

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in self.TABLES}
        self.accounts: list[dict[str, Any]] = []

    def flush(self, conn: sqlite3.Connection) -> None:
        for table, width in self.TABLES.items():
            marks = ", ".join("?" * width)
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", self.rows[table])
            self.rows[table].clear()
        _flush(conn, self.accounts)


def _bill(batch: Batch, row: dict[str, Any], n: int, plan_i: int, sign: int, state: str) -> None:
    """Two bill runs for an account: October (paid) and November (the current one)."""
    key, account_id = row["external_key"], row["id"]
    plan, product, price_list, price = PLANS[plan_i]
    sub = uid("sub", key)
    batch.rows["subscriptions"].append(
        (
            sub,
            uid("bundle", key),
            f"{key}-bundle",
            account_id,
            plan,
            product,
            price_list,
            state,
            "2025-01-01",
            NEXT_BILL if state != "CANCELLED" else BILL_RUN,
        )
    )
    rate = RATES[row["state"]]
    tax = round(price * rate, 2)
    amount = round(price + tax, 2)
    runs = (PREVIOUS_RUN,) if state == "CANCELLED" else (PREVIOUS_RUN, BILL_RUN)
    # payments: October always paid; November paid (zero), left open (positive) or
    # overpaid into a credit (negative), by the account's balance-sign stratum
    paid = [amount]
    if len(runs) > 1 and sign == 3:
        paid.append(amount)
    elif len(runs) > 1 and sign == 4:
        paid.append(round(amount + 20.0, 2))
    for k, day in enumerate(runs):
        inv = uid("invoice", key, day)
        end = BILL_RUN if day == PREVIOUS_RUN else NEXT_BILL
        # the month's data usage, and the plan's allowance taking it back off (an item
        # adjustment linked to it): the invoice's amount is the plan's price and its tax
        usage_id, data = uid("item", inv, "u"), round(0.5 + (n * 7 + k * 3) % 20 * 0.25, 2)
        batch.rows["invoice_items"] += [
            (
                uid("item", inv, "r"),
                inv,
                account_id,
                sub,
                plan,
                "RECURRING",
                f"{product} ({price_list})",
                day,
                end,
                price,
                None,
                None,
            ),
            (
                usage_id,
                inv,
                account_id,
                sub,
                plan,
                "USAGE",
                f"data {data / 0.25:.0f} x 0.25 GB",
                day,
                end,
                data,
                "data-gb",
                None,
            ),
            (
                uid("item", inv, "a"),
                inv,
                account_id,
                sub,
                plan,
                "ITEM_ADJ",
                "data within the plan's allowance",
                day,
                end,
                -data,
                None,
                usage_id,
            ),
            (
                uid("item", inv, "t"),
                inv,
                account_id,
                sub,
                plan,
                "TAX",
                f"{row['state']} tax {rate:.3%}",
                day,
                end,
                tax,
                None,
                None,
            ),
        ]
        balance = 0.0 if k < len(paid) else amount
        batch.rows["invoices"].append(
            (inv, account_id, n * 2 + k, day, amount, balance, row["currency"])
        )
        if k < len(paid):
            row["cba"] = round(row["cba"] + paid[k] - amount, 2)
            batch.rows["payments"].append(
                (
                    uid("payment", key, k),
                    n * 2 + k,
                    account_id,
                    row["payment_method_id"],
                    paid[k],
                    row["currency"],
                    "SUCCESS",
                    "",
                    f"{day}T06:00:00.000Z",
                )
            )
    open_ = amount * (len(runs) - len(paid))
    row["balance"] = round(open_ - row["cba"], 2)
    if n <= FAKE_LIMIT and state != "CANCELLED":
        for _, system, kind in WORKFLOWS:
            batch.rows["provisioned"].append((system, key, kind, provisioned_value(kind, key)))
        batch.rows["usage"] += [
            (key, f"2026-11-{d:02d}", "GB", round(1.5 + (n * d) % 7 * 0.25, 2)) for d in (1, 2, 3)
        ]
    batch.accounts.append(row)


def upgrade(conn: sqlite3.Connection) -> None:
    """Turn a copy of production into the candidate: the new release, its notes."""
    conn.execute(
        "UPDATE release SET version = ?, upgraded_at = ?, features = ?",
        (
            CANDIDATE_VERSION,
            UPGRADED_AT,
            json.dumps([{"name": n, "practice": p} for n, p in FEATURES]),
        ),
    )
