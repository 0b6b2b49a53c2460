"""Reconcile two bill runs: read both sides, check they are complete, compare, report.

``reconcile()`` is the one entry point, whatever the source (exports or the billing API,
both read as files in the layout of ``layout.py``) and whatever the engine. It returns a
``Result``: what was compared, the mismatches summarised by field, by plan and by item
type, the first examples (account, invoice and item named), and the full list written as
Parquet and CSV. An export that fails its control totals raises ``Incomplete`` before
anything is compared: an incomplete bill run is never a pass.
"""

from __future__ import annotations

import glob
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from golive.errors import TargetError

from . import comparison
from .engine import Engine, Format
from .engine import engine as make_engine
from .layout import TABLES, check_mapping

SIDE_NAMES = {"P": "production", "C": "candidate"}


@dataclass(frozen=True)
class TableSource:
    """Where one table of one side is: files or URLs (a local path may be a glob or a
    folder), their format, and the column mapping (layout name -> the export's name)."""

    locations: tuple[str, ...]
    format: Format = "parquet"
    columns: Mapping[str, str] = field(default_factory=dict)
    # a requests.Session with the system's credentials, for URLs that need them
    session: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SideSource:
    accounts: TableSource
    invoices: TableSource
    items: TableSource

    def table(self, name: str) -> TableSource:
        source: TableSource = getattr(self, name)
        return source


@dataclass(frozen=True)
class ControlTotals:
    """What a complete bill run holds: accounts, invoices, the invoices' amount per
    currency (each optional), from the scenario or from the billing API."""

    accounts: int | None = None
    invoices: int | None = None
    amount: Mapping[str, Decimal] = field(default_factory=dict)
    origin: str = "the scenario"


class Incomplete(TargetError):
    """A side's bill run does not hold what its control totals say it must, or cannot be
    read: the item is broken (never passed), the reason names what is missing."""


@dataclass(frozen=True)
class Mismatch:
    level: str
    account: str
    field: str
    production: str
    candidate: str
    invoice: str | None = None
    invoice_date: str | None = None
    item: str | None = None
    item_type: str | None = None
    plan: str | None = None
    usage: str | None = None
    period: str | None = None

    def where(self) -> str:
        parts = [self.account]
        if self.invoice is not None:
            parts.append(f"invoice {self.invoice} ({self.invoice_date or 'no invoice date'})")
        if self.level == "item":
            what = " ".join(x for x in (self.item_type, self.plan, self.usage) if x)
            parts.append(f"item {self.item} {what}" + (f" {self.period}" if self.period else ""))
        return " ".join(parts)

    def __str__(self) -> str:
        label = "" if self.field == "presence" else f" {self.field}"
        return f"{self.where()}{label}: production {self.production}, candidate {self.candidate}"


@dataclass
class Result:
    engine: str
    compared: dict[str, dict[str, int]]  # side -> table -> rows compared
    totals: dict[str, dict[str, Any]]  # side -> control totals as read
    mismatches: int
    by_field: list[tuple[str, str, int]]
    by_plan: list[tuple[str, int]]
    by_item_type: list[tuple[str, int]]
    first: list[Mismatch]
    parquet: Path
    csv: Path

    def summary(self) -> str:
        fields = ", ".join(f"{level} {f}: {n:,}" for level, f, n in self.by_field) or "none"
        text = f"{self.mismatches:,} mismatches (by field: {fields})"
        if self.by_plan:
            text += "; by plan: " + ", ".join(f"{p}: {n:,}" for p, n in self.by_plan[:5])
        if self.by_item_type:
            text += "; by item type: " + ", ".join(f"{t}: {n:,}" for t, n in self.by_item_type)
        return text

    def scope(self) -> str:
        p = self.compared["P"]
        return (
            f"{p['accounts']:,} accounts, {p['invoices']:,} invoices and {p['items']:,} invoice"
            f" items of production against {self.compared['C']['items']:,} items of the"
            f" candidate ({self.engine})"
        )


def _pretty(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    if re.fullmatch(r"-?\d+\.\d+", text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        cents = number.quantize(Decimal("0.01"))
        return f"{cents:.2f}" if cents == number else f"{number.normalize():f}"
    return text


def _mismatch(row: Mapping[str, Any]) -> Mismatch:
    def text(name: str) -> str | None:
        value = row.get(name)
        return None if value is None else str(value)

    start, end = text("start_date"), text("end_date")
    return Mismatch(
        level=row["level"],
        account=row["account_external_key"],
        field=row["field"],
        production=_pretty(row["production"]),
        candidate=_pretty(row["candidate"]),
        invoice=text("invoice"),
        invoice_date=text("invoice_date"),
        item=text("item"),
        item_type=text("item_type"),
        plan=text("plan_name"),
        usage=text("usage_name"),
        period=f"{start}..{end}" if start or end else None,
    )


def fetch(location: str, folder: Path, session: Any = None) -> list[Path]:
    """The local files of a location: a URL is downloaded (streamed) into ``folder``
    (with ``session``, a ``requests.Session`` carrying the system's credentials, when
    given); a local path may be a file, a folder (its files) or a glob."""
    if urlparse(location).scheme in ("http", "https"):
        import requests

        name = Path(urlparse(location).path).name or "export"
        target = folder / f"{len(list(folder.iterdir()))}-{name}"
        get = session.get if session is not None else requests.get
        with get(location, stream=True, timeout=60) as response:
            if response.status_code != 200:
                raise Incomplete(f"{location}: HTTP {response.status_code} {response.reason}")
            with target.open("wb") as out:
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)
        return [target]
    path = Path(location)
    if any(c in location for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(location))
    elif path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    else:
        found = [path] if path.is_file() else []
    if not found:
        raise Incomplete(f"{location}: no such file")
    return found


def _check_totals(side: str, read: Mapping[str, Any], control: ControlTotals) -> list[str]:
    name = SIDE_NAMES[side]
    wrong = []
    for what in ("accounts", "invoices"):
        want = getattr(control, what)
        have = read[what]
        if want is not None and have != want:
            wrong.append(f"{name} export has {have:,} of {want:,} {what}")
    for currency, want in sorted(control.amount.items()):
        have = read["amount"].get(currency, Decimal(0))
        if abs(have - Decimal(want)) > Decimal("0.005"):
            wrong.append(
                f"{name} export's invoices sum to {currency} {have:,.2f}, not {Decimal(want):,.2f}"
            )
    return [f"{w} ({control.origin})" for w in wrong]


def _totals(db: Engine) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        s: {"accounts": 0, "invoices": 0, "items": 0, "amount": {}} for s in SIDE_NAMES
    }
    for row in db.rows(comparison.totals()):
        value = Decimal(row["value"] or 0)
        if row["what"] == "amount":
            out[row["side"]]["amount"][row["currency"]] = value
        else:
            out[row["side"]][row["what"]] = int(value)
    return out


def _summarise(
    parquet: Path, csv: Path, show_first: int
) -> tuple[dict[str, list[dict[str, Any]]], list[Mismatch]]:
    from .engine import DuckDB

    db = DuckDB(threads=1)
    try:
        db.source("found", [parquet], "parquet")
        db.table("mismatches", "SELECT * FROM found")
        db.write(comparison.ordered(), parquet)  # the file, in the list's order
        db.con.execute(f"COPY ({comparison.ordered()}) TO '{csv}' (FORMAT csv, HEADER true)")
        summary = {k: db.rows(sql) for k, sql in comparison.SUMMARY.items()}
        first = [_mismatch(r) for r in db.rows(comparison.examples(show_first))]
    finally:
        db.close()
    return summary, first


def reconcile(
    production: SideSource,
    candidate: SideSource,
    out_dir: Path,
    *,
    engine: str = "duckdb",
    engine_options: Mapping[str, Any] | None = None,
    tolerance: Decimal = Decimal(0),
    excluded: Iterable[str] = (),
    control: Mapping[str, Iterable[ControlTotals]] | None = None,
    show_first: int = 10,
) -> Result:
    """Compare ``candidate`` with ``production``; write the mismatches into ``out_dir``
    (``billrun-mismatches.parquet`` and ``.csv``). ``control`` holds the control totals
    each side must meet (``"P"``, ``"C"``: from the scenario, from the API); ``excluded``
    the accounts (external keys) left out."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db = make_engine(engine, **(engine_options or {}))
    try:
        with tempfile.TemporaryDirectory(prefix="golive-billrun-") as folder:
            for prefix, side in (("p", production), ("c", candidate)):
                for table in TABLES:
                    source = side.table(table)
                    paths = [
                        p
                        for loc in source.locations
                        for p in fetch(loc, Path(folder), source.session)
                    ]
                    present = db.source(f"raw_{prefix}_{table}", paths, source.format)
                    columns = check_mapping(table, source.columns, present)
                    db.view(f"{prefix}_{table}", comparison.staging(table, prefix, columns))
            # one scan of each table: the control totals and the first pass read these
            for name, sql in comparison.reductions():
                db.table(name, sql)
            totals = _totals(db)
            wrong = [
                w
                for side, controls in sorted((control or {}).items(), reverse=True)
                for c in controls
                for w in _check_totals(side, totals[side], c)
            ]
            if wrong:
                raise Incomplete("; ".join(wrong))
            for name, sql in comparison.statements(tolerance, excluded):
                db.table(name, sql)
            compared: dict[str, dict[str, int]] = {s: {} for s in SIDE_NAMES}
            for row in db.rows("SELECT * FROM compared"):
                compared[row["side"]][row["what"]] = int(row["n"])
            parquet = out_dir / "billrun-mismatches.parquet"
            db.write("SELECT * FROM mismatches", parquet)
    finally:
        db.close()
    # the mismatch list is small next to the bill run: it is summarised, sorted and
    # written as CSV in process, whichever engine found it
    csv = out_dir / "billrun-mismatches.csv"
    summary, first = _summarise(parquet, csv, show_first)
    return Result(
        engine=engine,
        compared=compared,
        totals=totals,
        mismatches=sum(int(r["n"]) for r in summary["by_field"]),
        by_field=[(r["level"], r["field"], int(r["n"])) for r in summary["by_field"]],
        by_plan=[(r["plan_name"], int(r["n"])) for r in summary["by_plan"]],
        by_item_type=[(r["item_type"], int(r["n"])) for r in summary["by_item_type"]],
        first=first,
        parquet=parquet,
        csv=csv,
    )
