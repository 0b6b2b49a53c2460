"""The upgrade checklist's logic that is more than a step: picking diverse accounts and
reconciling two billing instances account by account.

Both work on streams (``Iterable[Account]``), never on whole listings, so memory stays
flat in the number of accounts: reconciliation keeps only the accounts one side has
listed and the other not yet (nothing, when both list in the same order) and writes every
mismatch to a CSV file as it is found, keeping the first few for the step's message.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TextIO

from .killbill import Account, PaymentMethod, Subscription

CSV_HEADER = ("account", "field", "production", "candidate")


def strata(
    account: Account, subscriptions: list[Subscription], methods: list[PaymentMethod]
) -> dict[str, str]:
    """The values of every stratum the diverse-accounts item covers, for one account."""
    sub = next((s for s in subscriptions if s.state == "ACTIVE"), None) or next(
        iter(subscriptions), None
    )
    default = next((m for m in methods if m.is_default or m.id == account.payment_method_id), None)
    balance = account.balance or 0.0
    return {
        "package": sub.product if sub else "no package",
        "payment_method": default.plugin if default else "none (pays by invoice)",
        "status": sub.state if sub else "no subscription",
        "balance_sign": "positive" if balance > 0 else "negative" if balance < 0 else "zero",
        "discount": f"price list {sub.price_list}" if sub else "none",
        "tax_region": f"{account.country}-{account.state}",
    }


@dataclass(frozen=True)
class Pick:
    account: Account
    strata: dict[str, str]
    why: str


def pick_diverse(
    stream: Iterable[tuple[Account, dict[str, str]]], names: list[str], minimum: int
) -> list[Pick]:
    """Greedy cover: take each account that brings a stratum value no earlier pick has,
    then fill up to ``minimum`` with the next accounts, saying why each was taken."""
    covered: dict[str, set[str]] = {n: set() for n in names}
    picks: list[Pick] = []
    spare: list[tuple[Account, dict[str, str]]] = []
    for account, values in stream:
        new = [f"{n}={values[n]}" for n in names if values[n] not in covered[n]]
        if new:
            for n in names:
                covered[n].add(values[n])
            picks.append(Pick(account, values, "first account with " + ", ".join(new)))
        elif len(spare) < minimum:
            spare.append((account, values))
    for account, values in spare[: max(0, minimum - len(picks))]:
        picks.append(Pick(account, values, f"fills the sample up to {minimum} accounts"))
    return picks


@dataclass(frozen=True)
class Mismatch:
    account: str
    field: str
    production: str
    candidate: str

    def __str__(self) -> str:
        return (
            f"{self.account} {self.field}: production {self.production}, candidate {self.candidate}"
        )


@dataclass
class Reconciliation:
    compared: int = 0
    skipped: int = 0
    mismatches: int = 0
    first: list[Mismatch] = field(default_factory=list)
    max_pending: int = 0


def _fmt(value: object) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def compare(p: Account, c: Account, tolerance: float) -> Iterator[Mismatch]:
    for name in ("balance", "cba"):
        a, b = getattr(p, name), getattr(c, name)
        if (a is None) != (b is None) or (
            a is not None and b is not None and abs(a - b) > tolerance + 1e-9
        ):
            yield Mismatch(p.key, name, _fmt(a), _fmt(b))
    if p.currency != c.currency:
        yield Mismatch(p.key, "currency", p.currency, c.currency)


def reconcile(
    production: Iterable[Account],
    candidate: Iterable[Account],
    out: TextIO,
    *,
    skip: Callable[[Account], bool] = lambda a: False,
    created: Callable[[Account], bool] = lambda a: False,
    tolerance: float = 0.0,
    keep: int = 10,
) -> Reconciliation:
    """Compare every account of both streams by external key; write mismatches to ``out``.

    ``skip`` leaves out accounts on either side (the run's test accounts); ``created``
    recognises accounts this run created on the candidate (portal signup), which exist
    there only.
    """
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    result = Reconciliation()
    only_p: dict[str, Account] = {}
    only_c: dict[str, Account] = {}

    def found(m: Mismatch) -> None:
        result.mismatches += 1
        writer.writerow((m.account, m.field, m.production, m.candidate))
        if len(result.first) < keep:
            result.first.append(m)

    for p, c in zip_longest(production, candidate):
        for account, mine, other, is_p in ((p, only_p, only_c, True), (c, only_c, only_p, False)):
            if account is None:
                continue
            if skip(account):
                result.skipped += is_p
                continue
            twin = other.pop(account.key, None)
            if twin is None:
                mine[account.key] = account
                continue
            result.compared += 1
            prod, cand = (account, twin) if is_p else (twin, account)
            for m in compare(prod, cand, tolerance):
                found(m)
        result.max_pending = max(result.max_pending, len(only_p) + len(only_c))
    for key in sorted(only_p):
        found(Mismatch(key, "account", "present", "missing"))
    for key, account in sorted(only_c.items()):
        if not created(account):
            found(Mismatch(key, "account", "missing", "present"))
    return result
