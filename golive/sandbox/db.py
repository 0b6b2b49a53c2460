"""The sandbox's SQLite database: shared tables and row access.

One file per sandbox process (in a temporary folder), opened by each thread that needs
it; SQLite serialises the writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_SCHEMA = """
CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT, sender TEXT, recipients TEXT,
    subject TEXT, body TEXT, headers TEXT, received_at TEXT);
CREATE TABLE request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT, path TEXT, status INTEGER,
    verification TEXT, user_agent TEXT, at TEXT);
"""

# Columns stored as JSON text and decoded on read, by name, whatever the table.
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
            conn.execute("PRAGMA synchronous=NORMAL")  # a throwaway file: no fsync per commit
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

    def create(self, schema: str) -> None:
        self.connect().executescript(schema)

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
