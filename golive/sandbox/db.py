"""The sandbox's SQLite database: schema, loading the generated data, and row access.

One file per sandbox process (in a temporary folder), opened by each thread that needs
it; SQLite serialises the writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .data import Dataset

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
CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT, sender TEXT, recipients TEXT,
    subject TEXT, body TEXT, headers TEXT, received_at TEXT);
CREATE TABLE request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT, path TEXT, status INTEGER,
    verification TEXT, at TEXT);
"""

JSON_COLUMNS = {"notification_emails", "buyers", "implementation_contacts", "customer_service"}


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def create(self, data: Dataset) -> None:
        conn = self.connect()
        conn.executescript(SCHEMA)
        with self.transaction() as tx:
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
                for key in JSON_COLUMNS & row.keys():
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

    def one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        row = self.connect().execute(sql, args).fetchone()
        return decode(row) if row is not None else None

    def all(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [decode(r) for r in self.connect().execute(sql, args).fetchall()]

    def execute(self, sql: str, *args: Any) -> None:
        with self.transaction() as tx:
            tx.execute(sql, args)


def decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in JSON_COLUMNS & out.keys():
        out[key] = json.loads(out[key]) if out[key] is not None else None
    return out
