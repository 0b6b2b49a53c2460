"""Steps of the upgrade checklist's account and payment items (features/upgrade/
accounts.feature, payments.feature): diverse accounts against production's bill run and
payments on every processor. The full reconciliation of the bill run is bill_run.py."""

from __future__ import annotations

from collections.abc import Iterator

from pytest_bdd import given, then, when

from golive.checks import check, fail, listing
from golive.evidence import attach_json
from packs.billing_upgrade.killbill import Account, Billing, Payment
from packs.billing_upgrade.reconcile import Pick, pick_diverse, strata
from packs.billing_upgrade.settings import Processor, UpgradePlan

DIVERSE_SCAN = 500  # accounts looked at to cover the strata (a real system has many more)


def _candidates(production: Billing, plan: UpgradePlan) -> Iterator[tuple[Account, dict[str, str]]]:
    skip = set(plan.test_accounts)
    for n, account in enumerate(production.accounts(plan.reconciliation.page_size)):
        if n >= DIVERSE_SCAN:
            return
        if account.key in skip:
            continue
        subs = production.subscriptions(account.id)
        methods = production.payment_methods(account.id)
        yield account, strata(account, subs, methods)


@given("diverse accounts picked from production that cover every stratum", target_fixture="picks")
def _(production: Billing, upgrade_plan: UpgradePlan) -> list[Pick]:
    picks = pick_diverse(
        _candidates(production, upgrade_plan), upgrade_plan.strata, upgrade_plan.min_diverse
    )
    attach_json(
        "accounts picked, and why",
        [{"account": p.account.label, "why": p.why, **p.strata} for p in picks],
    )
    check(
        len(picks) >= upgrade_plan.min_diverse,
        "diverse accounts",
        f"only {len(picks)} accounts could be picked",
        f"at least {upgrade_plan.min_diverse}",
    )
    return picks


def _charges(billing: Billing, account_id: str) -> list[tuple[str, str, str, float]]:
    return [
        (inv.date, i.type, i.plan, round(i.amount, 2))
        for inv in billing.invoices(account_id)
        for i in inv.items
    ]


@then("each picked account's balance and charges on the candidate equal production's")
def _(production: Billing, candidate: Billing, picks: list[Pick]) -> None:
    wrong: list[str] = []
    for pick in picks:
        prod = pick.account
        cand = candidate.account_by_key(prod.key)
        if cand.balance != prod.balance:
            wrong.append(f"{prod.label} balance {cand.balance} (production {prod.balance})")
        p_items, c_items = _charges(production, prod.id), _charges(candidate, cand.id)
        if p_items != c_items:
            differ = [f"{c[0]} {c[1]} {c[3]:.2f}" for c in c_items if c not in p_items]
            billed = [f"{p[0]} {p[1]} {p[3]:.2f}" for p in p_items if p not in c_items]
            wrong.append(
                f"{prod.label} charges {listing(differ)} (production billed {listing(billed)})"
            )
    check(not wrong, "diverse accounts", listing(wrong), "the balances and charges of production")


@then("each picked account's numbers on the candidate add up")
def _(candidate: Billing, picks: list[Pick]) -> None:
    wrong: list[str] = []
    for pick in picks:
        cand = candidate.account_by_key(pick.account.key)
        invoices = candidate.invoices(cand.id)
        for inv in invoices:
            total = round(sum(i.amount for i in inv.items), 2)
            if abs(total - inv.amount) > 0.005:
                wrong.append(f"{cand.label} invoice {inv.number}: items {total} != {inv.amount}")
        open_ = round(sum(i.balance for i in invoices) - (cand.cba or 0.0), 2)
        if cand.balance is None or abs(open_ - cand.balance) > 0.005:
            wrong.append(
                f"{cand.label} balance {cand.balance} != open invoices less credit {open_}"
            )
    check(not wrong, "diverse accounts", listing(wrong), "invoices and balances that add up")


def _pay(candidate: Billing, processor: Processor, method_key: str) -> Payment:
    account = candidate.account_by_key(processor.account)
    methods = {m.key: m for m in candidate.payment_methods(account.id)}
    if method_key not in methods:
        fail(
            processor.id,
            f"no payment method {method_key} on {account.label}",
            f"the test instrument (methods: {listing(set(methods))})",
        )
    method = methods[method_key]
    check(
        method.plugin == processor.plugin,
        processor.id,
        f"{method_key} is on processor {method.plugin}",
        processor.plugin,
    )
    payment = candidate.purchase(account.id, method.id, processor.amount, account.currency)
    attach_json(f"payment with {method_key}", payment.__dict__)
    return payment


@when("a payment is made with the processor's approved test instrument", target_fixture="payment")
def _(candidate: Billing, processor: Processor) -> Payment:
    return _pay(candidate, processor, processor.approve)


@when("a payment is made with the processor's declined test instrument", target_fixture="payment")
def _(candidate: Billing, processor: Processor) -> Payment:
    return _pay(candidate, processor, processor.decline)


@then("the payment succeeded")
def _(processor: Processor, payment: Payment) -> None:
    check(
        payment.status == "SUCCESS",
        f"processor {processor.id} ({processor.plugin})",
        f"payment with {processor.approve} ended {payment.status} {payment.error_code}"
        f" {payment.error_message}".rstrip(),
        "SUCCESS",
    )


@then("the payment was declined by the processor, not failed")
def _(processor: Processor, payment: Payment) -> None:
    check(
        payment.status == "PAYMENT_FAILURE",
        f"processor {processor.id} ({processor.plugin})",
        f"payment with {processor.decline} ended {payment.status} {payment.error_code}"
        f" {payment.error_message}".rstrip(),
        "a decline (PAYMENT_FAILURE)",
    )
