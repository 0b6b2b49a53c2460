"""Bill-run reconciliation: production's bill run against the candidate's, every account,
invoice and invoice item, on a real data engine (docs/billrun.md).

- ``layout``: the tables and columns every source is read into (Kill Bill's names).
- ``comparison``: the comparison itself, SQL defined once (DuckDB's dialect).
- ``engine``: DuckDB in process (default) or Spark (the SQL transpiled with SQLGlot).
- ``reconcile``: read both sides, check their control totals, compare, summarise, write
  the full mismatch list (Parquet and CSV).
- ``api``: stream a billing instance's accounts, invoices and items into that layout.
"""

from __future__ import annotations

from .reconcile import (
    ControlTotals,
    Incomplete,
    Mismatch,
    Result,
    SideSource,
    TableSource,
    reconcile,
)

__all__ = [
    "ControlTotals",
    "Incomplete",
    "Mismatch",
    "Result",
    "SideSource",
    "TableSource",
    "reconcile",
]
