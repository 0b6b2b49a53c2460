"""The comparison of two bill runs, defined once, as SQL.

Written in DuckDB's dialect and run as is on DuckDB; for Spark every statement is
transpiled with SQLGlot (``engine.to_spark``): one definition, two engines. ``staging``
reads a source into the layout (lazy views), ``reductions`` and ``statements`` are the
comparison (each a name and a SELECT, materialised under that name: a table on DuckDB, a
temporary view on Spark, cached where it is small and read again), ``totals`` gives the
control totals as read, ``SUMMARY``/``examples``/``ordered`` read the mismatch list.

How two bill runs are compared (docs/billrun.md, "How the comparison works"): rows are
matched by business key (an account by its external key; an invoice by account and
invoice date; an item by account, invoice date, currency, type, product, plan, phase,
usage and period), never by id. A first pass reduces each side, in one scan of each
table, to one row per account (its rows' counts and a fingerprint of them: ``reductions``,
which the control totals read too) and joins the two; the second compares, row by row and
under the tolerance, only the accounts the first found different. A key one side lacks, a
different number of rows (an item doubled), a different amount, balance or currency: each
is a row of the mismatch list."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .layout import COLUMNS, ITEM_KEY

SIDES = {"p": "P", "c": "C"}  # view prefix -> side marker (production, candidate)


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def staging(table: str, side: str, columns: dict[str, str]) -> str:
    """Read one raw source (``raw_<side>_<table>``) into the layout: rename, cast, fill the
    optional columns it lacks with NULL."""
    select = []
    for column, (kind, _) in COLUMNS[table].items():
        source = columns.get(column)
        expr = f'CAST("{source}" AS {kind})' if source else f"CAST(NULL AS {kind})"
        select.append(f"{expr} AS {column}")
    return f"SELECT {', '.join(select)} FROM raw_{side}_{table}"


def _keep(excluded: Iterable[str]) -> str:
    keys = sorted(set(excluded))
    if not keys:
        return "1 = 1"
    listed = ", ".join(literal(k) for k in keys)
    # a row without an account key is compared (and shows), never dropped by NOT IN's NULL
    return f"(account_external_key IS NULL OR account_external_key NOT IN ({listed}))"


def _per_side(expr: str, name: str, agg: str, default: str = "NULL") -> str:
    return ", ".join(
        f"{agg}(CASE WHEN side = '{mark}' THEN {expr} ELSE {default} END) AS {prefix}_{name}"
        for prefix, mark in SIDES.items()
    )


def _count() -> str:
    return ", ".join(
        f"SUM(CASE WHEN side = '{mark}' THEN 1 ELSE 0 END) AS {prefix}_n"
        for prefix, mark in SIDES.items()
    )


def _differs(a: str, b: str, tol: str) -> str:
    """Two amounts differ beyond the tolerance (a NULL against a value differs)."""
    return f"(ABS(COALESCE({a}, 0) - COALESCE({b}, 0)) > {tol} OR ({a} IS NULL) <> ({b} IS NULL))"


def _text_differs(a: str, b: str) -> str:
    return f"(COALESCE({a}, '') <> COALESCE({b}, ''))"


def _money(expr: str) -> str:
    return f"CAST({expr} AS VARCHAR)"


MISMATCH_COLUMNS = (
    "level",
    "account_external_key",
    "invoice_date",
    "invoice",
    "item",
    "item_type",
    "plan_name",
    "usage_name",
    "start_date",
    "end_date",
    "field",
    "production",
    "candidate",
    "difference",
)


def _row(
    level: str, field: str, production: str, candidate: str, difference: str, **cols: str
) -> str:
    """One SELECT list of the mismatch list's columns."""
    values = {
        "level": f"'{level}'",
        "account_external_key": "account_external_key",
        "invoice_date": "CAST(NULL AS DATE)",
        "invoice": "CAST(NULL AS VARCHAR)",
        "item": "CAST(NULL AS VARCHAR)",
        "item_type": "CAST(NULL AS VARCHAR)",
        "plan_name": "CAST(NULL AS VARCHAR)",
        "usage_name": "CAST(NULL AS VARCHAR)",
        "start_date": "CAST(NULL AS DATE)",
        "end_date": "CAST(NULL AS DATE)",
        "field": f"'{field}'",
        "production": production,
        "candidate": candidate,
        "difference": f"CAST({difference} AS DECIMAL(38,4))",
        **cols,
    }
    return ", ".join(f"{values[c]} AS {c}" for c in MISMATCH_COLUMNS)


def _presence(amount: str) -> tuple[str, str]:
    """What each side shows of a group one side lacks: 'missing', or its amount."""
    p = f"CASE WHEN p_n = 0 THEN 'missing' ELSE {_money('p_' + amount)} END"
    c = f"CASE WHEN c_n = 0 THEN 'missing' ELSE {_money('c_' + amount)} END"
    return p, c


def _fingerprint(*columns: str) -> str:
    return f"CAST(HASH({', '.join(columns)}) AS DECIMAL(20,0))"


def reductions() -> list[tuple[str, str]]:
    """The first pass's one scan of each side: every account's rows of the three tables
    reduced to one row (``p_reduced``, ``c_reduced``), before any account is left out:
    how many account, invoice and item rows it has, and their *fingerprint*, the sum of a
    64-bit hash of each row (its table, its business key and its amounts: equal multisets
    of rows, in any order, give equal sums). The control totals and the comparison's
    first pass both read these, not the files again."""
    hashed = ", ".join(c for c in ITEM_KEY if c != "account_external_key")
    out = []
    for prefix in SIDES:
        account = _fingerprint("'account'", "currency", "balance", "account_cba")
        invoice = _fingerprint("'invoice'", "invoice_date", "currency", "amount", "balance")
        rows = " UNION ALL ".join(
            (
                f"SELECT account_external_key, 1 AS a, 0 AS i, 0 AS t, {account} AS fp"
                f" FROM {prefix}_accounts",
                f"SELECT account_external_key, 0 AS a, 1 AS i, 0 AS t, {invoice} AS fp"
                f" FROM {prefix}_invoices",
                f"SELECT account_external_key, 0 AS a, 0 AS i, 1 AS t,"
                f" {_fingerprint(hashed, 'amount')} AS fp FROM {prefix}_items",
            )
        )
        out.append(
            (
                f"{prefix}_reduced",
                "SELECT account_external_key, SUM(a) AS accounts, SUM(i) AS invoices,"
                f" SUM(t) AS items, SUM(fp) AS fp FROM ({rows}) r GROUP BY account_external_key",
            )
        )
    return out


def statements(tolerance: Decimal, excluded: Iterable[str]) -> list[tuple[str, str]]:
    """The comparison, in order: (name, SELECT), after ``reductions()``. ``tolerance`` is
    the largest difference of two amounts that still counts as equal; ``excluded`` the
    accounts left out.

    Two passes. The first joins the two sides' reductions (one row per account: its
    number of account, invoice and item rows and their fingerprint) on the account's key:
    an account is equal when all four are. The big tables are scanned once and grouped,
    never joined to each other. The second pass looks only at the accounts the first
    found different and compares their accounts, invoices and items side by side, row by
    row under the tolerance: those are the rows of the mismatch list. (An amount that
    moved within the tolerance changes the fingerprint: the second pass then finds
    nothing to report.)"""
    tol = f"CAST({literal(str(tolerance))} AS DECIMAL(18,4))"
    keep = _keep(excluded)
    item_key = ", ".join(ITEM_KEY)
    inv_on = ("account_external_key", "invoice_date")
    differs = " OR ".join(
        f"p.{c} IS DISTINCT FROM c.{c}" for c in ("accounts", "invoices", "items", "fp")
    )
    changed = (
        "SELECT COALESCE(p.account_external_key, c.account_external_key) AS account_external_key"
        f" FROM (SELECT * FROM p_reduced WHERE {keep}) p"
        f" FULL OUTER JOIN (SELECT * FROM c_reduced WHERE {keep}) c"
        f" ON p.account_external_key IS NOT DISTINCT FROM c.account_external_key WHERE {differs}"
    )

    def drilled(table: str, cols: list[str]) -> str:
        # NULL-safe: a row missing its account must reach the second pass too
        return " UNION ALL ".join(
            f"SELECT '{mark}' AS side, {', '.join('t.' + c for c in cols)}"
            f" FROM {prefix}_{table} t JOIN changed d"
            " ON t.account_external_key IS NOT DISTINCT FROM d.account_external_key"
            for prefix, mark in SIDES.items()
        )

    inv_cols = [*inv_on, "invoice_id", "invoice_number", "currency", "amount", "balance"]
    invoice_groups = f"""
        SELECT account_external_key, invoice_date, {_count()},
            {_per_side("amount", "amount", "SUM")},
            {_per_side("balance", "balance", "SUM")},
            {_per_side("currency", "cur_lo", "MIN")},
            {_per_side("currency", "cur_hi", "MAX")},
            {_per_side("COALESCE(invoice_number, invoice_id)", "invoice", "MIN")}
        FROM ({drilled("invoices", inv_cols)}) stacked
        GROUP BY account_external_key, invoice_date"""
    item_cols = [*ITEM_KEY, "invoice_id", "invoice_number", "invoice_item_id", "amount"]
    item_groups = f"""
        SELECT * FROM (
            SELECT {item_key}, {_count()},
                {_per_side("amount", "amount", "SUM")},
                {_per_side("amount", "lo", "MIN")},
                {_per_side("amount", "hi", "MAX")},
                {_per_side("COALESCE(invoice_number, invoice_id)", "invoice", "MIN")},
                {_per_side("invoice_item_id", "item", "MIN")}
            FROM ({drilled("items", item_cols)}) stacked
            GROUP BY {item_key}
        ) g
        WHERE p_n <> c_n OR {_differs("p_amount", "c_amount", tol)}
            OR {_differs("p_lo", "c_lo", tol)} OR {_differs("p_hi", "c_hi", tol)}"""
    acc_cols = ["account_external_key", "currency", "balance", "account_cba"]
    account_groups = f"""
        SELECT account_external_key, {_count()},
            {_per_side("balance", "balance", "SUM")},
            {_per_side("account_cba", "cba", "SUM")},
            {_per_side("currency", "currency", "MIN")}
        FROM ({drilled("accounts", acc_cols)}) stacked
        GROUP BY account_external_key"""
    both = "p_n > 0 AND c_n > 0"
    item_out = {
        "invoice_date": "invoice_date",
        "invoice": "COALESCE(p_invoice, c_invoice)",
        "item": "COALESCE(p_item, c_item)",
        "item_type": "item_type",
        "plan_name": "COALESCE(plan_name, product_name)",
        "usage_name": "usage_name",
        "start_date": "start_date",
        "end_date": "end_date",
    }
    inv_out = {"invoice_date": "invoice_date", "invoice": "COALESCE(p_invoice, c_invoice)"}
    amount = "COALESCE(c_amount, 0) - COALESCE(p_amount, 0)"
    balance = "COALESCE(c_balance, 0) - COALESCE(p_balance, 0)"
    count = ("CAST(p_n AS VARCHAR)", "CAST(c_n AS VARCHAR)", "c_n - p_n")
    amounts = f"{_differs('p_amount', 'c_amount', tol)}"
    spread = f"{_differs('p_lo', 'c_lo', tol)} OR {_differs('p_hi', 'c_hi', tol)}"
    parts = [
        (
            _row("item", "presence", *_presence("amount"), amount, **item_out),
            "item_groups",
            "p_n = 0 OR c_n = 0",
        ),
        (_row("item", "count", *count, **item_out), "item_groups", f"{both} AND p_n <> c_n"),
        (
            _row("item", "amount", _money("p_amount"), _money("c_amount"), amount, **item_out),
            "item_groups",
            f"{both} AND ({amounts} OR {spread})",
        ),
        (
            _row("invoice", "presence", *_presence("amount"), amount, **inv_out),
            "invoice_groups",
            "p_n = 0 OR c_n = 0",
        ),
        (_row("invoice", "count", *count, **inv_out), "invoice_groups", f"{both} AND p_n <> c_n"),
        (
            _row("invoice", "amount", _money("p_amount"), _money("c_amount"), amount, **inv_out),
            "invoice_groups",
            f"{both} AND {amounts}",
        ),
        (
            _row(
                "invoice", "balance", _money("p_balance"), _money("c_balance"), balance, **inv_out
            ),
            "invoice_groups",
            f"{both} AND {_differs('p_balance', 'c_balance', tol)}",
        ),
        (
            _row("invoice", "currency", "p_cur_lo", "c_cur_lo", "0", **inv_out),
            "invoice_groups",
            f"{both} AND ({_text_differs('p_cur_lo', 'c_cur_lo')}"
            f" OR {_text_differs('p_cur_hi', 'c_cur_hi')})",
        ),
        (
            _row("account", "presence", *_presence("balance"), balance),
            "account_groups",
            "p_n = 0 OR c_n = 0",
        ),
        (
            _row("account", "balance", _money("p_balance"), _money("c_balance"), balance),
            "account_groups",
            f"{both} AND {_differs('p_balance', 'c_balance', tol)}",
        ),
        (
            _row(
                "account",
                "cba",
                _money("p_cba"),
                _money("c_cba"),
                "COALESCE(c_cba, 0) - COALESCE(p_cba, 0)",
            ),
            "account_groups",
            f"{both} AND {_differs('p_cba', 'c_cba', tol)}",
        ),
        (
            _row("account", "currency", "p_currency", "c_currency", "0"),
            "account_groups",
            f"{both} AND {_text_differs('p_currency', 'c_currency')}",
        ),
    ]
    mismatches = " UNION ALL ".join(
        f"SELECT {cols} FROM {src} WHERE {cond}" for cols, src, cond in parts
    )
    compared = " UNION ALL ".join(
        f"SELECT '{mark}' AS side, '{table}' AS what, COALESCE(SUM({table}), 0) AS n"
        f" FROM {prefix}_reduced"
        f" WHERE {keep}"
        for prefix, mark in SIDES.items()
        for table in ("accounts", "invoices", "items")
    )
    return [
        ("changed", changed),
        ("invoice_groups", invoice_groups),
        ("item_groups", item_groups),
        ("account_groups", account_groups),
        ("mismatches", mismatches),
        ("compared", compared),
    ]


ORDER = (
    "account_external_key, CASE level WHEN 'account' THEN 0 WHEN 'invoice' THEN 1 ELSE 2 END,"
    " invoice_date, invoice, item_type, item, field"
)


def examples(limit: int) -> str:
    return f"SELECT * FROM mismatches ORDER BY {ORDER} LIMIT {int(limit)}"


def ordered() -> str:
    return f"SELECT * FROM mismatches ORDER BY {ORDER}"


SUMMARY = {
    "by_field": "SELECT level, field, COUNT(*) AS n FROM mismatches GROUP BY level, field"
    " ORDER BY CASE level WHEN 'account' THEN 0 WHEN 'invoice' THEN 1 ELSE 2 END, field",
    "by_plan": "SELECT COALESCE(plan_name, '(no plan)') AS plan_name, COUNT(*) AS n FROM"
    " mismatches WHERE level = 'item' GROUP BY COALESCE(plan_name, '(no plan)') ORDER BY n DESC,"
    " plan_name",
    "by_item_type": "SELECT item_type, COUNT(*) AS n FROM mismatches WHERE level = 'item'"
    " GROUP BY item_type ORDER BY n DESC, item_type",
}


def totals() -> str:
    """The control totals of both sides as read (before any account is left out), after
    ``reductions()``: accounts (distinct keys), invoices, items from the reductions, and
    the invoices' amounts per currency."""
    parts = []
    value = "CAST({} AS DECIMAL(38,4)) AS value"
    for prefix, mark in SIDES.items():
        counts = {
            "accounts": "COALESCE(SUM(CASE WHEN accounts > 0 AND account_external_key IS NOT NULL"
            " THEN 1 ELSE 0 END), 0)",
            "invoices": "COALESCE(SUM(invoices), 0)",
            "items": "COALESCE(SUM(items), 0)",
        }
        parts += [
            f"SELECT '{mark}' AS side, '{what}' AS what, CAST(NULL AS VARCHAR) AS currency,"
            f" {value.format(count)} FROM {prefix}_reduced"
            for what, count in counts.items()
        ]
        parts.append(
            f"SELECT '{mark}' AS side, 'amount' AS what, currency,"
            f" {value.format('SUM(amount)')} FROM {prefix}_invoices GROUP BY currency"
        )
    return " UNION ALL ".join(parts)
