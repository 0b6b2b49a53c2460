"""The streaming reconciliation and the diverse-accounts pick (golive/upgrade.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from packs.billing_upgrade.killbill import Account
from packs.billing_upgrade.reconcile import pick_diverse, reconcile


def account(key: str, balance: float = 10.0, email: str = "") -> Account:
    return Account(key, key, key, email, "USD", balance, 0.0, "CA", "US", "", None)


def test_equal_streams_in_different_order_reconcile_with_nothing_held_long() -> None:
    prod = [account(f"A-{i}") for i in range(6)]
    cand = prod[1:2] + prod[0:1] + prod[2:]
    out = io.StringIO()
    result = reconcile(iter(prod), iter(cand), out)
    assert (result.compared, result.mismatches) == (6, 0)
    assert result.max_pending <= 2
    assert out.getvalue().splitlines() == ["account,field,production,candidate"]


def test_mismatches_go_to_the_csv_and_the_first_few_are_kept() -> None:
    prod = [account(f"A-{i}") for i in range(20)]
    cand = [account(f"A-{i}", 11.0 if i % 2 else 10.0) for i in range(19)]
    cand.append(account("verify-new", email="verify-1@example.test"))
    cand.append(account("B-1"))
    out = io.StringIO()
    result = reconcile(
        iter(prod), iter(cand), out, keep=3, created=lambda a: a.email.startswith("verify-")
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    assert result.mismatches == len(rows) == 9 + 1 + 1  # balances, A-19 missing, B-1 extra
    assert str(result.first[0]) == "A-1 balance: production 10.00, candidate 11.00"
    assert len(result.first) == 3
    assert ["A-19", "account", "present", "missing"] in rows
    assert ["B-1", "account", "missing", "present"] in rows
    assert not any(r[0] == "verify-new" for r in rows)


def test_skipped_accounts_and_tolerance() -> None:
    prod = [account("T-1", 5.0), account("A-1", 10.0)]
    cand = [account("T-1", 99.0), account("A-1", 10.004)]
    result = reconcile(
        iter(prod),
        iter(cand),
        io.StringIO(),
        skip=lambda a: a.key.startswith("T-"),
        tolerance=0.005,
    )
    assert (result.compared, result.skipped, result.mismatches) == (1, 1, 0)


def test_a_long_stream_keeps_nothing_pending() -> None:
    def stream(n: int) -> Iterator[Account]:
        return (account(f"A-{i}") for i in range(n))

    result = reconcile(stream(50_000), stream(50_000), io.StringIO())
    assert result.compared == 50_000 and result.max_pending <= 1


def test_pick_diverse_covers_every_value_and_fills_up_with_reasons() -> None:
    rows = [
        (account(f"A-{i}"), {"package": p, "region": r})
        for i, (p, r) in enumerate(
            [("basic", "CA"), ("basic", "CA"), ("pro", "CA"), ("basic", "NY"), ("basic", "NY")]
        )
    ]
    picks = pick_diverse(iter(rows), ["package", "region"], 4)
    assert [p.account.key for p in picks] == ["A-0", "A-2", "A-3", "A-1"]
    assert picks[1].why == "first account with package=pro"
    assert picks[3].why == "fills the sample up to 4 accounts"
