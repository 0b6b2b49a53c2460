"""The bill-run reconciliation's part of the scenario: ``packs.billing_upgrade.bill_run``.

bill_run:
  engine: duckdb            # or spark (optional extra, needs Java); spark_master
  spark_conf:               # Spark: more session configuration, over golive's
    spark.sql.adaptive.enabled: "false"
  tolerance: 0.00           # the largest difference of two amounts that counts as equal
  show_first: 10            # examples in the step's message (all are in the files)
  page_size: 1000           # accounts per API page (UPG-17)
  in_flight: 4              # invoice requests waiting for an answer at once (UPG-17)
  memory_limit: 1GB         # DuckDB: spill to temp_directory beyond this
  temp_directory: /var/tmp/golive-billrun
  exports:                  # UPG-22: the bill-run exports, per side
    production:
      system: billing_production    # optional: paths are relative to its base URL
      accounts: /sandbox-ext/billrun/accounts.parquet   # a file, folder, glob or URL
      invoices: /sandbox-ext/billrun/invoices.parquet
      items: /sandbox-ext/billrun/items.parquet
      format: parquet               # or csv
      columns:                      # the export's own names, where they differ
        items: {invoice_item_id: line_id, amount: charge}
    candidate: {...}
  control_totals:           # what a complete export holds (each optional)
    production: {accounts: 100000, invoices: 200000, amount: {USD: 1234567.89}}
    candidate: {...}
  control_from_api: true    # and the account count of each instance's billing API
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .layout import COLUMNS

Side = Literal["production", "candidate"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Export(_Model):
    """One side's bill-run export: where its three tables are, their format, and the
    column mapping (table -> layout column -> the export's column)."""

    system: str | None = None
    accounts: Annotated[str, Field(min_length=1)]
    invoices: Annotated[str, Field(min_length=1)]
    items: Annotated[str, Field(min_length=1)]
    format: Literal["parquet", "csv"] = "parquet"
    columns: dict[str, dict[str, str]] = {}

    @model_validator(mode="after")
    def _known_columns(self) -> Export:
        for table, mapping in self.columns.items():
            if table not in COLUMNS:
                raise ValueError(f"columns: no table {table!r} (accounts, invoices, items)")
            unknown = sorted(set(mapping) - set(COLUMNS[table]))
            if unknown:
                raise ValueError(
                    f"columns.{table}: no layout column {', '.join(unknown)} (the layout"
                    f" has {', '.join(COLUMNS[table])})"
                )
        return self


class Totals(_Model):
    accounts: Annotated[int, Field(ge=0)] | None = None
    invoices: Annotated[int, Field(ge=0)] | None = None
    amount: dict[str, Decimal] = {}


class BillRun(_Model):
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[2]"
    # more Spark configuration for the session, over golive's (engine.spark_session)
    spark_conf: dict[str, str] = {}
    tolerance: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    show_first: Annotated[int, Field(ge=1)] = 10
    page_size: Annotated[int, Field(ge=1, le=10000)] = 1000
    # at most the HTTP client's pool of connections per host (10)
    in_flight: Annotated[int, Field(ge=1, le=10)] = 4
    memory_limit: str | None = None
    temp_directory: Path | None = None
    exports: dict[Side, Export] = {}
    control_totals: dict[Side, Totals] = {}
    control_from_api: bool = False

    @model_validator(mode="after")
    def _both_sides(self) -> BillRun:
        if self.exports and set(self.exports) != {"production", "candidate"}:
            raise ValueError("exports: expected both production and candidate")
        return self

    def engine_options(self) -> dict[str, object]:
        if self.engine == "spark":
            return {"master": self.spark_master, "conf": self.spark_conf}
        return {"memory_limit": self.memory_limit, "temp_directory": self.temp_directory}
