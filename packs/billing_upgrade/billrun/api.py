"""A billing instance's bill run, read through its API into the layout, memory flat.

Accounts come page by page; each account's invoices (with their items) are asked for with
up to ``in_flight`` requests at a time (a small thread pool fed account by account, the
answers written in account order), and rows go into Parquet files in batches (``BATCH``
rows): what is held at any moment is one page of accounts, a few accounts' invoices and
one batch per table, whatever the number of accounts. The comparison then reads the files
like any export (``reconcile.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..killbill import Account, Billing, Invoice
from .layout import COLUMNS, MONEY
from .reconcile import SideSource, TableSource

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

BATCH = 20_000
CENTS = Decimal("0.0001")


def _arrow(kind: str) -> pa.DataType:
    import pyarrow as pa

    if kind == MONEY:
        return pa.decimal128(18, 4)
    return pa.date32() if kind == "DATE" else pa.string()


@cache
def schema(table: str) -> pa.Schema:
    """The Parquet schema of a layout table. pyarrow is imported here, when the API path
    writes its first file, not whenever the pack is loaded (a third of a second per run)."""
    import pyarrow as pa

    return pa.schema([(name, _arrow(kind)) for name, (kind, _) in COLUMNS[table].items()])


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value)).quantize(CENTS)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


@dataclass
class _Writer:
    path: Path
    table: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    written: int = 0
    writer: pq.ParquetWriter | None = None

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table_schema = schema(self.table)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table_schema)
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=table_schema))
            self.written += len(self.rows)
            self.rows = []

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


@dataclass(frozen=True)
class Exported:
    """One instance's bill run as files, and what was read: the files (a source for the
    comparison), the accounts written and left out, the invoices and items written."""

    source: SideSource
    accounts: int
    skipped: int
    invoices: int
    items: int


def _invoice_rows(account: Account, inv: Invoice) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    currency = inv.currency or account.currency
    day = _day(inv.date)
    head = {
        "account_external_key": account.key,
        "invoice_id": inv.id,
        "invoice_number": inv.number or None,
        "invoice_date": day,
    }
    invoice = {**head, "currency": currency, "amount": _money(inv.amount)}
    invoice["balance"] = _money(inv.balance)
    items = [
        {
            **head,
            "invoice_item_id": i.id or None,
            "item_type": i.type,
            "product_name": i.product or None,
            "plan_name": i.plan or None,
            "phase_name": i.phase or None,
            "usage_name": i.usage or None,
            "start_date": _day(i.start),
            "end_date": _day(i.end),
            "amount": _money(i.amount),
            "currency": currency,
        }
        for i in inv.items
    ]
    return invoice, items


def export(
    billing: Billing,
    folder: Path,
    *,
    page_size: int = 1000,
    in_flight: int = 1,
    skip: Callable[[Account], bool] = lambda a: False,
    accounts: Iterable[Account] | None = None,
) -> Exported:
    """Write ``billing``'s accounts, invoices and items into ``folder``. ``skip`` leaves
    an account out entirely (accounts this run created); ``in_flight`` is how many
    invoice requests may wait for their answers at once (1: one after the other)."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = {t: _Writer(folder / f"{t}.parquet", t) for t in COLUMNS}
    seen = skipped = 0

    def write(account: Account, invoices: list[Invoice]) -> None:
        writers["accounts"].add(
            {
                "account_external_key": account.key,
                "currency": account.currency,
                "balance": _money(account.balance),
                "account_cba": _money(account.cba),
            }
        )
        for inv in invoices:
            invoice, items = _invoice_rows(account, inv)
            writers["invoices"].add(invoice)
            for item in items:
                writers["items"].add(item)

    pool = ThreadPoolExecutor(in_flight, "golive-billrun") if in_flight > 1 else None
    # the accounts whose invoices are asked for, oldest first: written in this order, at
    # most twice ``in_flight`` of them held, so that a slow answer never stalls the pool
    waiting: deque[tuple[Account, Future[list[Invoice]]]] = deque()
    try:
        for account in accounts if accounts is not None else billing.accounts(page_size):
            if skip(account):
                skipped += 1
                continue
            seen += 1
            if pool is None:
                write(account, billing.invoices(account.id))
                continue
            waiting.append((account, pool.submit(billing.invoices, account.id)))
            if len(waiting) >= 2 * in_flight:
                done, answer = waiting.popleft()
                write(done, answer.result())
        while waiting:
            done, answer = waiting.popleft()
            write(done, answer.result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        for w in writers.values():
            w.close()
    source = SideSource(*(TableSource((str(writers[t].path),)) for t in COLUMNS))
    return Exported(source, seen, skipped, writers["invoices"].written, writers["items"].written)
