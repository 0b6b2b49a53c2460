"""Steps of the upgrade checklist's portal items (features/billing_upgrade/portals.feature), in a
real browser through ``WebPortal``; what the portal did is then read back from billing
(the candidate) over its API."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pytest_bdd import parsers, then, when

from fixtures.billing_upgrade.billing import portal_login
from golive.checks import check, fail, listing
from golive.config import Scenario
from golive.context import RunContext
from golive.evidence import attach_json
from packs.billing_upgrade.killbill import AccountNotFound, Billing
from packs.billing_upgrade.portal import PageOutcome, WebPortal, read_while_steady
from packs.billing_upgrade.settings import UpgradePlan


@dataclass(frozen=True)
class PortalAction:
    """A form the customer submitted in the portal, for the account it was signed in to."""

    account: str
    values: dict[str, str]
    outcome: PageOutcome


def _login(portal: WebPortal, scenario: Scenario, who: str) -> PageOutcome:
    username, password = portal_login(scenario, portal.config)
    outcome = portal.login(username, password)
    attach_json(f"{who} login", outcome.__dict__)
    return outcome


def _signed_in(portal: WebPortal, scenario: Scenario) -> str:
    """Log in and return the account number the account page shows."""
    outcome = _login(portal, scenario, "customer portal")
    account = portal.read("account").get("account")
    if not account:  # the login's own outcome is UPG-04's business; here: did it sign in?
        fail(
            "customer portal",
            f"no account page after login ({outcome.shown!r})",
            "the signed-in customer's account number",
        )
    return account


@when("the customer logs in to the customer portal", target_fixture="login")
def _(customer_portal: WebPortal, scenario: Scenario) -> PageOutcome:
    return _login(customer_portal, scenario, "customer portal")


@when("the administrator logs in to the admin portal", target_fixture="login")
def _(admin_portal: WebPortal, scenario: Scenario) -> PageOutcome:
    return _login(admin_portal, scenario, "admin portal")


@then("the customer portal shows the signed-in page")
def _(login: PageOutcome) -> None:
    check(
        login.ok,
        "customer portal",
        f"the login ended on {login.url} saying {login.shown!r}",
        "the signed-in page",
    )


@then("the admin portal shows the signed-in page")
def _(login: PageOutcome) -> None:
    check(
        login.ok,
        "admin portal",
        f"the login ended on {login.url} saying {login.shown!r}",
        "the signed-in page",
    )


@then("the admin portal opens every page it must after login, each showing what it must")
def _(admin_portal: WebPortal) -> None:
    names = admin_portal.config.after_login
    shown = {name: admin_portal.read(name) for name in names}
    attach_json("admin portal pages after login", shown or "none configured under after_login")
    missing = [
        f"{name}: {k}" for name, found in shown.items() for k, v in found.items() if v is None
    ]
    check(
        not missing,
        "admin portal",
        f"missing {listing(missing)}",
        "every element the scenario lists for the pages under after_login",
    )


@then("the account page shows the name, bill date and balance billing holds")
def _(customer_portal: WebPortal, candidate: Billing, login: PageOutcome) -> None:
    key = customer_portal.read("account").get("account") or ""
    if not key:
        fail("customer portal", f"no account page after login ({login.shown!r})", "the account")

    def billing() -> tuple[str, dict[str, str]]:
        try:
            account = candidate.account_by_key(key)
        except AccountNotFound:
            fail(
                "customer portal", f"account {key!r} shown, unknown to billing", "a billing account"
            )
        subs = [
            s.charged_through or ""
            for s in candidate.subscriptions(account.id)
            if s.state == "ACTIVE"
        ]
        return account.label, {
            "name": account.name,
            "bill_date": (min(subs) if subs else "")[:10],
            "balance": f"{account.balance or 0.0:.2f}",
        }

    # a payment on the same account (another check, in a parallel run) may land between
    # the two reads: the page is compared with what billing held all the while it was read
    shown, (label, expected) = read_while_steady(
        lambda: customer_portal.read("account"), billing, f"billing's account {key}"
    )
    attach_json("account page", shown)
    wrong = [
        f"{k} shows {shown.get(k)!r}, billing has {v!r}"
        for k, v in expected.items()
        if (shown.get(k) or "").replace(",", "") != v
    ]
    check(
        not wrong,
        f"customer portal account {label}",
        listing(wrong),
        "the portal to show what billing holds",
    )


@when(
    parsers.parse("the customer pays {amount} online in the customer portal"),
    target_fixture="action",
)
def _(customer_portal: WebPortal, scenario: Scenario, amount: str) -> PortalAction:
    account = _signed_in(customer_portal, scenario)
    outcome = customer_portal.submit("payment", {"amount": amount})
    attach_json("online payment", outcome.__dict__)
    return PortalAction(account, {"amount": amount}, outcome)


@then("the online payment is recorded in billing for the customer's account")
def _(candidate: Billing, action: PortalAction) -> None:
    check(
        action.outcome.ok,
        f"customer portal account {action.account}",
        f"the payment page said {action.outcome.shown!r}",
        "a payment confirmation",
    )
    account = candidate.account_by_key(action.account)
    payments = candidate.payments(account.id)
    attach_json("payments in billing", [p.__dict__ for p in payments])
    reference = action.outcome.shown
    match = [p for p in payments if p.id == reference]
    check(
        bool(match),
        f"online payment {reference} of {account.label}",
        "the portal confirmed it but billing has no such payment",
        "the payment in billing",
    )
    paid = match[0]
    check(
        paid.status == "SUCCESS" and abs(paid.amount - float(action.values["amount"])) < 0.005,
        f"online payment {reference} of {account.label}",
        f"{paid.status} for {paid.amount}",
        f"SUCCESS for {action.values['amount']}",
    )


@when("a new customer signs up in the customer portal", target_fixture="action")
def _(customer_portal: WebPortal, upgrade_plan: UpgradePlan, golive: RunContext) -> PortalAction:
    values = {
        "name": f"Verify Signup {golive.run_id}",
        "email": f"{upgrade_plan.created_prefix}{golive.run_id}@example.test",
        "plan": upgrade_plan.signup_plan,
    }
    outcome = customer_portal.submit("signup", values)
    attach_json("signup", {**values, **outcome.__dict__})
    check(outcome.ok, "portal signup", f"signup said {outcome.shown!r}", "a new account number")
    return PortalAction(outcome.shown, values, outcome)


@then("billing holds the new account with an active subscription to the chosen plan")
def _(candidate: Billing, action: PortalAction) -> None:
    try:
        account = candidate.account_by_key(action.account)
    except AccountNotFound:
        fail(
            f"signed-up account {action.account}",
            "billing has no such account",
            "the account the portal created",
        )
    check(
        account.email == action.values["email"],
        account.label,
        f"email {account.email!r}",
        repr(action.values["email"]),
    )
    subs = candidate.subscriptions(account.id)
    attach_json("subscriptions", [s.__dict__ for s in subs])
    plan = action.values["plan"]
    check(
        any(s.plan == plan and s.state == "ACTIVE" for s in subs),
        account.label,
        f"subscriptions {listing([f'{s.plan} {s.state}' for s in subs])}",
        f"an ACTIVE subscription to {plan}",
    )


@when(
    "the customer changes the phone number and adds an email in the customer portal",
    target_fixture="action",
)
def _(customer_portal: WebPortal, scenario: Scenario, golive: RunContext) -> PortalAction:
    account = _signed_in(customer_portal, scenario)
    # unique to this run and independent of when it runs: the run id starts with the date,
    # so its digest (not its first characters) picks the number
    digits = int(hashlib.sha256(golive.run_id.encode()).hexdigest(), 16) % 10_000
    values = {"phone": f"+1-555-777-{digits:04d}", "email": f"billing-{golive.run_id}@test.example"}
    outcome = customer_portal.submit("contact", values)
    attach_json("contact form", {**values, **outcome.__dict__})
    return PortalAction(account, values, outcome)


@then("billing holds the new phone number and the added email")
def _(candidate: Billing, action: PortalAction) -> None:
    check(
        action.outcome.ok,
        f"customer portal account {action.account}",
        f"the contact form said {action.outcome.shown!r}",
        "the contact saved",
    )
    account = candidate.account_by_key(action.account)
    emails = candidate.emails(account.id)
    attach_json("contact in billing", {"phone": account.phone, "emails": emails})
    wrong = []
    if account.phone != action.values["phone"]:
        wrong.append(f"phone is {account.phone!r}, the portal saved {action.values['phone']!r}")
    if action.values["email"] not in emails:
        wrong.append(f"email {action.values['email']} missing (has {listing(emails)})")
    check(not wrong, f"contact of {account.label}", listing(wrong), "billing to hold both")
