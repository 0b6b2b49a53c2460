"""The bill-run reconciliation on DuckDB, in process, over small generated bill runs: each
fault of the candidate's bill run is caught with its account, invoice and item named; the
summary, the files, the tolerance, the column mapping and the control totals."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from golive.sandbox.billing_runs import EXPORT_FAULTS
from packs.billing_upgrade.billrun.layout import LayoutError
from packs.billing_upgrade.billrun.reconcile import ControlTotals, Incomplete, reconcile

from .conftest import ACCOUNTS, side


def test_equal_bill_runs_have_no_mismatch_and_say_what_was_compared(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    result = reconcile(side(production), side(candidate()), tmp_path / "out")
    assert result.mismatches == 0 and result.first == []
    accounts = ACCOUNTS + 1
    assert result.compared["P"] == {
        "accounts": accounts,
        "invoices": 2 * accounts,
        "items": 10 * accounts,
    }
    assert result.compared["C"] == result.compared["P"]
    with result.csv.open() as f:
        assert len(list(csv.reader(f))) == 1  # the header only
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{result.parquet}'").fetchall() == [(0,)]


@pytest.mark.parametrize("fault", sorted(EXPORT_FAULTS))
def test_each_fault_is_caught_with_account_invoice_and_item_named(
    production: Path, candidate: Callable[..., Path], tmp_path: Path, fault: str
) -> None:
    result = reconcile(side(production), side(candidate(fault)), tmp_path / "out", show_first=50)
    shown = [str(m) for m in result.first]
    assert any(EXPORT_FAULTS[fault].shows in s for s in shown), shown
    # nothing but the faulty account differs
    assert {m.account for m in result.first} == {EXPORT_FAULTS[fault].account}
    with result.csv.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == result.mismatches == len(result.first)
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{result.parquet}'").fetchall() == [
        (len(rows),)
    ]


def test_the_summary_counts_by_field_plan_and_item_type(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    result = reconcile(
        side(production), side(candidate(*EXPORT_FAULTS)), tmp_path / "out", show_first=3
    )
    assert dict(((lv, f), n) for lv, f, n in result.by_field) == {
        ("account", "balance"): 1,  # A-00021's open invoice grew by the moved charge
        ("invoice", "amount"): 3,  # moved, doubled, rounded
        ("invoice", "balance"): 1,
        ("invoice", "presence"): 1,  # dropped
        ("item", "amount"): 3,
        ("item", "count"): 1,  # doubled
        ("item", "presence"): 5,  # the dropped invoice's five items
    }
    assert result.mismatches == 15 and len(result.first) == 3
    assert dict(result.by_item_type) == {"RECURRING": 3, "USAGE": 3, "TAX": 2, "CREDIT_ADJ": 1}
    assert sum(n for _, n in result.by_plan) == 9
    assert "15 mismatches" in result.summary() and "item count: 1" in result.summary()


def test_tolerance_and_left_out_accounts(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    rounded = candidate("tax-rounded")
    within = reconcile(side(production), side(rounded), tmp_path / "a", tolerance=Decimal("0.01"))
    assert within.mismatches == 0
    left_out = reconcile(side(production), side(rounded), tmp_path / "b", excluded={"A-00024"})
    assert left_out.mismatches == 0
    assert left_out.compared["P"]["accounts"] == ACCOUNTS  # T-0001 and 30 less A-00024


def test_one_sided_accounts_are_mismatches(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    result = reconcile(side(production), side(candidate(extra=())), tmp_path / "out")
    assert "T-0001: production 93.13, candidate missing" in [str(m) for m in result.first]
    assert ("account", "presence", 1) in result.by_field


def test_csv_exports_with_their_own_column_names(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    moved = candidate("charge-moved")
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for table in ("accounts", "invoices", "items"):
        duckdb.sql(
            f"COPY (SELECT * RENAME (account_external_key AS customer) FROM"
            f" '{moved}/{table}.parquet') TO '{renamed}/{table}.csv' (HEADER)"
        )
    mapping = {t: {"account_external_key": "customer"} for t in ("accounts", "invoices", "items")}
    result = reconcile(side(production), side(renamed, "csv", mapping), tmp_path / "out")
    assert EXPORT_FAULTS["charge-moved"].shows in [str(m) for m in result.first]
    with pytest.raises(LayoutError, match="the export has no column 'account_external_key'"):
        reconcile(side(production), side(renamed, "csv"), tmp_path / "out")


def test_an_incomplete_export_is_never_compared(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    dropped = candidate("invoice-dropped")
    control = {
        "P": [ControlTotals(ACCOUNTS + 1, 2 * (ACCOUNTS + 1))],
        "C": [ControlTotals(ACCOUNTS + 1, 2 * (ACCOUNTS + 1), origin="the billing API")],
    }
    with pytest.raises(Incomplete) as caught:
        reconcile(side(production), side(dropped), tmp_path / "out", control=control)
    assert str(caught.value) == "candidate export has 61 of 62 invoices (the billing API)"
    amounts = {"P": [ControlTotals(amount={"USD": Decimal("1.00")})]}
    with pytest.raises(
        Incomplete, match=r"production export's invoices sum to USD [\d,]+\.\d\d, not 1.00"
    ):
        reconcile(side(production), side(dropped), tmp_path / "out", control=amounts)


def test_a_missing_file_is_incomplete(production: Path, tmp_path: Path) -> None:
    with pytest.raises(Incomplete, match="no such file"):
        reconcile(side(production), side(tmp_path / "nowhere"), tmp_path / "out")


def test_rows_without_a_date_or_account_are_compared_not_dropped(
    production: Path, candidate: Callable[..., Path], tmp_path: Path
) -> None:
    broken = candidate()
    items = broken / "items.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CASE WHEN invoice_item_id LIKE '00000005-0001-%'"
        f" THEN NULL ELSE invoice_date END AS invoice_date) FROM '{items}')"
        f" TO '{tmp_path / 'items.parquet'}'"
    )
    (tmp_path / "items.parquet").replace(items)
    result = reconcile(side(production), side(broken), tmp_path / "out", excluded={"T-0001"})
    shown = [str(m) for m in result.first]
    assert ("item", "presence", 10) in result.by_field, shown  # 5 moved to no date, 5 missing
    assert any(s.startswith("A-00005 invoice 11 (no invoice date) item") for s in shown), shown
