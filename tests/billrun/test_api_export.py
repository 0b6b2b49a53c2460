"""The API path's export (UPG-17) with several invoice requests in flight: the same rows,
in the same account order, as one request at a time, whatever order the answers come in;
an error in one answer is the export's error."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from packs.billing_upgrade.billrun import api
from packs.billing_upgrade.killbill import Account, Invoice, InvoiceItem


def _account(n: int) -> Account:
    return Account(f"id-{n}", f"A-{n:05d}", "", "", "USD", 1.5 * n, 0.0, "", "", "", None)


class Billing:
    """Answers each account's invoices; with ``scrambled``, the even accounts wait for
    the next odd one's request, so that answers come back out of order."""

    def __init__(self, accounts: int, failing: str | None = None, scrambled: bool = True) -> None:
        self.listed = [_account(n) for n in range(accounts)]
        self.failing = failing
        self.scrambled = scrambled
        self.asked = {a.id: threading.Event() for a in self.listed}

    def invoices(self, account_id: str) -> list[Invoice]:
        n = int(account_id.split("-")[1])
        self.asked[account_id].set()
        later = f"id-{n + 1}"
        if self.scrambled and n % 2 == 0 and later in self.asked:
            self.asked[later].wait(timeout=1)
        if account_id == self.failing:
            raise RuntimeError(f"no answer for {account_id}")
        item = InvoiceItem("RECURRING", "pro-monthly", "", 10.0 + n, id=f"item-{n}")
        return [Invoice(f"inv-{n}", str(n), "2026-11-01", 10.0 + n, 0.0, [item], "USD")]


def _rows(folder: Path, table: str) -> list[Any]:
    return duckdb.connect().execute(f"SELECT * FROM '{folder / table}.parquet'").fetchall()


@pytest.mark.parametrize("in_flight", [2, 4])
def test_requests_in_flight_write_what_one_at_a_time_writes(tmp_path: Path, in_flight: int) -> None:
    one = Billing(25, scrambled=False)
    serial = api.export(one, tmp_path / "one", accounts=one.listed, in_flight=1)  # type: ignore[arg-type]
    many = Billing(25)
    parallel = api.export(many, tmp_path / "many", accounts=many.listed, in_flight=in_flight)  # type: ignore[arg-type]
    assert (parallel.accounts, parallel.invoices, parallel.items) == (25, 25, 25)
    assert (serial.accounts, serial.invoices, serial.items) == (25, 25, 25)
    for table in ("accounts", "invoices", "items"):
        assert _rows(tmp_path / "many", table) == _rows(tmp_path / "one", table)


def test_an_answer_that_fails_fails_the_export(tmp_path: Path) -> None:
    billing = Billing(25, failing="id-7")
    with pytest.raises(RuntimeError, match="no answer for id-7"):
        api.export(billing, tmp_path / "out", accounts=billing.listed, in_flight=4)  # type: ignore[arg-type]
