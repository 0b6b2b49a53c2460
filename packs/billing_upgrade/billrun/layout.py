"""The bill-run layout every source is read into (docs/billrun.md, "The export layout").

Three tables per side, named after Kill Bill's analytics tables and columns: ``accounts``,
``invoices`` and ``items`` (invoice items). A platform's own export names its columns
differently: a column mapping (canonical name -> the export's name) says which is which,
and a column the export lacks reads as NULL when it is optional. Dates are dates, amounts
are ``DECIMAL(18,4)`` (exact money: sums and differences never drift), keys are text.
"""

from __future__ import annotations

from collections.abc import Mapping

MONEY = "DECIMAL(18,4)"

# table -> canonical column -> (SQL type, required)
COLUMNS: dict[str, dict[str, tuple[str, bool]]] = {
    "accounts": {
        "account_external_key": ("VARCHAR", True),
        "currency": ("VARCHAR", True),
        "balance": (MONEY, True),
        "account_cba": (MONEY, False),
    },
    "invoices": {
        "account_external_key": ("VARCHAR", True),
        "invoice_id": ("VARCHAR", True),
        "invoice_number": ("VARCHAR", False),
        "invoice_date": ("DATE", True),
        "currency": ("VARCHAR", True),
        "amount": (MONEY, True),
        "balance": (MONEY, False),
    },
    "items": {
        "account_external_key": ("VARCHAR", True),
        "invoice_id": ("VARCHAR", True),
        "invoice_number": ("VARCHAR", False),
        "invoice_date": ("DATE", True),
        "invoice_item_id": ("VARCHAR", True),
        "item_type": ("VARCHAR", True),
        "product_name": ("VARCHAR", False),
        "plan_name": ("VARCHAR", False),
        "phase_name": ("VARCHAR", False),
        "usage_name": ("VARCHAR", False),
        "start_date": ("DATE", False),
        "end_date": ("DATE", False),
        "amount": (MONEY, True),
        "currency": ("VARCHAR", True),
    },
}
TABLES = tuple(COLUMNS)

# what identifies an item across two bill runs: not its id (a parallel bill run gives new
# ids), but the account, the invoice date and what was charged for which period
ITEM_KEY = (
    "account_external_key",
    "invoice_date",
    "currency",
    "item_type",
    "product_name",
    "plan_name",
    "phase_name",
    "usage_name",
    "start_date",
    "end_date",
)
INVOICE_KEY = ("account_external_key", "invoice_date")


class LayoutError(ValueError):
    """A source does not fit the layout: a required column is missing from the export,
    or the mapping names a column the layout does not have."""


def check_mapping(table: str, mapping: Mapping[str, str], present: list[str]) -> dict[str, str]:
    """The export column for every canonical column the export has (canonical -> source).

    ``present`` is the export's own column list. A mapped name must be present; an unmapped
    canonical column is looked for under its own name; a required one that is nowhere is an
    error naming the export's columns."""
    wanted = COLUMNS[table]
    unknown = sorted(set(mapping) - set(wanted))
    if unknown:
        raise LayoutError(
            f"{table}: the column mapping names {', '.join(unknown)}, which the layout does"
            f" not have (it has {', '.join(wanted)})"
        )
    have = set(present)
    out: dict[str, str] = {}
    for column, (_, required) in wanted.items():
        source = mapping.get(column, column)
        if source in have:
            out[column] = source
        elif required or column in mapping:
            raise LayoutError(
                f"{table}: the export has no column {source!r} (for {column}); its columns"
                f" are {', '.join(present)}"
            )
    return out
