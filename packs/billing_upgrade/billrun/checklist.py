"""What the upgrade checklist's bill-run items do (UPG-17 through the billing API, UPG-22
from the bill-run exports), in terms of the pack's settings and adapters: the steps call
these and check the ``Result``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..killbill import Billing
from . import api
from .reconcile import ControlTotals, Result, SideSource, TableSource, reconcile
from .settings import BillRun

MARKS = {"production": "P", "candidate": "C"}
# (base URL, requests.Session with the system's credentials) of a configured system
Opener = Callable[[str], tuple[str, Any]]


def through_api(
    production: Billing,
    candidate: Billing,
    settings: BillRun,
    folder: Path,
    *,
    excluded: set[str],
    created: Callable[[Any], bool],
) -> tuple[Result, api.Exported, api.Exported]:
    """Every account, invoice and item of both instances, read page by page into Parquet,
    then compared. ``created`` recognises the accounts this run created on the candidate
    (they exist there only and are left out)."""
    size, in_flight = settings.page_size, settings.in_flight
    p = api.export(production, folder / "production", page_size=size, in_flight=in_flight)
    c = api.export(
        candidate, folder / "candidate", page_size=size, in_flight=in_flight, skip=created
    )
    result = reconcile(
        p.source,
        c.source,
        folder,
        engine=settings.engine,
        engine_options=settings.engine_options(),
        tolerance=settings.tolerance,
        excluded=excluded,
        show_first=settings.show_first,
    )
    return result, p, c


def _count(billing: Billing, page_size: int, skip: Callable[[Any], bool] | None = None) -> int:
    return sum(1 for a in billing.accounts(page_size) if skip is None or not skip(a))


def from_exports(
    settings: BillRun,
    folder: Path,
    *,
    excluded: set[str],
    opener: Opener,
    instances: Mapping[str, Billing],
    created: Callable[[Any], bool] | None = None,
) -> Result:
    """Both sides' bill-run exports, checked against their control totals, compared.
    ``created`` recognises the accounts a golive run created on the candidate: made after
    its bill run, they are in no export and are not counted in the API's total either (as
    ``through_api`` leaves them out), so a second run on the same candidate judges alike."""
    sources: dict[str, SideSource] = {}
    for side, export in settings.exports.items():
        base, session = opener(export.system) if export.system is not None else ("", None)

        def located(path: str, base: str = base) -> str:
            return base + path if base and path.startswith("/") else path

        sources[side] = SideSource(
            *(
                TableSource(
                    (located(getattr(export, t)),),
                    export.format,
                    export.columns.get(t, {}),
                    session,
                )
                for t in ("accounts", "invoices", "items")
            )
        )
    control: dict[str, list[ControlTotals]] = {m: [] for m in MARKS.values()}
    for side, totals in settings.control_totals.items():
        control[MARKS[side]].append(
            ControlTotals(totals.accounts, totals.invoices, totals.amount, "the scenario")
        )
    if settings.control_from_api:
        for name, billing in instances.items():
            skip = created if name == "candidate" else None
            count = _count(billing, settings.page_size, skip)
            control[MARKS[name]].append(ControlTotals(count, origin=f"{name}'s billing API"))
    return reconcile(
        sources["production"],
        sources["candidate"],
        folder,
        engine=settings.engine,
        engine_options=settings.engine_options(),
        tolerance=settings.tolerance,
        excluded=excluded,
        control=control,
        show_first=settings.show_first,
    )
