"""The floor the bill-run reconciliation is measured against (bench/README.md, billrun):
a plain, hand-written DuckDB join-diff over the same Parquet files, what a data engineer
writes in ten minutes. Three full outer joins (accounts, invoices, items) on their
business keys, every row that differs written to one Parquet file. It reads the files as
they are, checks no control totals, does not handle a doubled item (a duplicate key
joins twice), and makes no summary: the least work a comparison can do.

    python -m bench.billrun_floor PRODUCTION_DIR CANDIDATE_DIR OUT.parquet
"""

from __future__ import annotations

import sys
import time

import duckdb

SQL = """
COPY (
    SELECT 'account' AS level, COALESCE(p.account_external_key, c.account_external_key) AS account,
        NULL::DATE AS invoice_date, NULL AS item_type, NULL AS plan_name,
        p.balance AS production, c.balance AS candidate
    FROM read_parquet('{p}/accounts.parquet') p
    FULL OUTER JOIN read_parquet('{c}/accounts.parquet') c USING (account_external_key)
    WHERE p.balance IS DISTINCT FROM c.balance OR p.currency IS DISTINCT FROM c.currency
        OR p.account_cba IS DISTINCT FROM c.account_cba
    UNION ALL
    SELECT 'invoice', COALESCE(p.account_external_key, c.account_external_key),
        COALESCE(p.invoice_date, c.invoice_date), NULL, NULL, p.amount, c.amount
    FROM read_parquet('{p}/invoices.parquet') p
    FULL OUTER JOIN read_parquet('{c}/invoices.parquet') c
        USING (account_external_key, invoice_date)
    WHERE p.amount IS DISTINCT FROM c.amount OR p.balance IS DISTINCT FROM c.balance
        OR p.currency IS DISTINCT FROM c.currency
    UNION ALL
    SELECT 'item', COALESCE(p.account_external_key, c.account_external_key),
        COALESCE(p.invoice_date, c.invoice_date), COALESCE(p.item_type, c.item_type),
        COALESCE(p.plan_name, c.plan_name), p.amount, c.amount
    FROM read_parquet('{p}/items.parquet') p
    FULL OUTER JOIN read_parquet('{c}/items.parquet') c
        ON p.account_external_key = c.account_external_key
        AND p.invoice_date = c.invoice_date
        AND p.currency = c.currency
        AND p.item_type = c.item_type
        AND p.product_name IS NOT DISTINCT FROM c.product_name
        AND p.plan_name IS NOT DISTINCT FROM c.plan_name
        AND p.phase_name IS NOT DISTINCT FROM c.phase_name
        AND p.usage_name IS NOT DISTINCT FROM c.usage_name
        AND p.start_date IS NOT DISTINCT FROM c.start_date
        AND p.end_date IS NOT DISTINCT FROM c.end_date
    WHERE p.amount IS DISTINCT FROM c.amount
) TO '{out}' (FORMAT parquet)
"""


def main(argv: list[str]) -> int:
    production, candidate, out = argv
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    con.execute(SQL.format(p=production, c=candidate, out=out))
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()
    print(f"{rows[0] if rows else 0} mismatches in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
