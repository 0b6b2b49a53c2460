"""Steps of the upgrade checklist's platform items (features/upgrade/platform.feature):
provisioning, special pricing, tickets, usage reports, custom extensions, the regular
import and the event log, all on the candidate."""

from __future__ import annotations

from pytest_bdd import then, when

from golive.checks import check, fail, listing, poll
from golive.config import Scenario
from golive.context import RunContext
from golive.evidence import attach_json
from packs.billing_upgrade.billing_ops import BillingOps, ImportResult, Job, Ticket
from packs.billing_upgrade.killbill import Billing
from packs.billing_upgrade.settings import UpgradePlan

JOB_TIMEOUT = 15.0
DISCOUNT_SCAN = 100  # accounts looked at for discounted subscriptions


@when("every provisioning workflow is run for the provisioning test account", target_fixture="jobs")
def _(operations: BillingOps, upgrade_plan: UpgradePlan) -> list[Job]:
    account = upgrade_plan.provisioning_account
    flows = operations.workflows()
    check(bool(flows), "provisioning", "no provisioning workflow on the candidate", "workflows")
    jobs = [operations.run_workflow(f["name"], account) for f in flows]
    attach_json("provisioning jobs started", [j.__dict__ for j in jobs])
    return jobs


@then("every provisioning job finished without error")
def _(operations: BillingOps, jobs: list[Job]) -> None:
    final, settled = poll(
        lambda: [operations.job(j.id) for j in jobs],
        lambda js: all(j.state in ("done", "failed") for j in js),
        timeout=JOB_TIMEOUT,
    )
    attach_json("provisioning jobs", [j.__dict__ for j in final])
    bad = [
        f"{j.workflow} to {j.system} for {j.account} (job {j.id}): {j.error or j.state}"
        for j in final
        if j.state != "done"
    ]
    check(
        not bad,
        "provisioning",
        f"{'jobs failed' if settled else f'jobs unfinished after {JOB_TIMEOUT:.0f}s'}:"
        f" {listing(bad)}",
        "every provisioning job done",
    )


@then("every plan and price list of production's catalog is on the candidate at the same price")
def _(production: Billing, candidate: Billing) -> None:
    prod = {p.name: p for p in production.plans()}
    cand = {p.name: p for p in candidate.plans()}
    attach_json("catalog", {"production": list(prod.values()), "candidate": list(cand.values())})
    missing = [f"{n} ({p.price_list} price list)" for n, p in prod.items() if n not in cand]
    changed = [
        f"{n}: {p.price_list} {p.prices} on production, {cand[n].price_list} {cand[n].prices}"
        for n, p in prod.items()
        if n in cand and (cand[n].prices != p.prices or cand[n].price_list != p.price_list)
    ]
    check(
        not missing,
        "catalog",
        f"plans missing on the candidate: {listing(missing)}",
        "every production plan, discount plans included",
    )
    check(
        not changed,
        "catalog",
        f"plans priced differently: {listing(changed)}",
        "the same prices and price lists",
    )


@then("every discounted subscription is billed at its discounted price on the candidate")
def _(candidate: Billing) -> None:
    prices = {p.name: p for p in candidate.plans()}
    seen, wrong = [], []
    for n, account in enumerate(candidate.accounts(DISCOUNT_SCAN)):
        if n >= DISCOUNT_SCAN:
            break
        for sub in candidate.subscriptions(account.id):
            if sub.price_list == "DEFAULT" or sub.state != "ACTIVE":
                continue
            price = prices[sub.plan].prices.get(account.currency)
            charged = [
                i.amount
                for inv in candidate.invoices(account.id)[-1:]
                for i in inv.items
                if i.type == "RECURRING" and i.plan == sub.plan
            ]
            seen.append(f"{account.key} {sub.plan}")
            if charged != [price]:
                wrong.append(f"{account.key} {sub.plan}: charged {charged}, plan price {price}")
    attach_json("discounted subscriptions checked", seen)
    check(
        bool(seen),
        "special pricing",
        "no discounted subscription found",
        "at least one subscription on a discount price list",
    )
    check(
        not wrong,
        "special pricing",
        f"wrong charges: {listing(wrong)}",
        "the discounted plan price on the latest invoice",
    )


@when("a ticket is created for the provisioning test account", target_fixture="ticket")
def _(operations: BillingOps, upgrade_plan: UpgradePlan, golive: RunContext) -> Ticket:
    ticket = operations.create_ticket(
        upgrade_plan.provisioning_account,
        f"go-live check {golive.run_id}",
        "opened by the go-live check",
    )
    attach_json("ticket created", ticket.__dict__)
    return ticket


@when("the ticket is edited", target_fixture="edit")
def _(operations: BillingOps, ticket: Ticket) -> dict[str, str]:
    edit = {"status": "in_progress", "body": f"{ticket.body}; edited by the go-live check"}
    operations.edit_ticket(ticket.id, edit)
    return edit


@then("the ticket reads back with the edit")
def _(operations: BillingOps, ticket: Ticket, edit: dict[str, str]) -> None:
    now = operations.ticket(ticket.id)
    attach_json("ticket read back", now.__dict__)
    lost = [f"{k} is {getattr(now, k)!r}" for k, v in edit.items() if getattr(now, k) != v]
    check(not lost, f"ticket {ticket.id}", f"the edit was not saved: {listing(lost)}", f"{edit}")


@then("the usage report of every account named in the scenario has rows")
def _(operations: BillingOps, upgrade_plan: UpgradePlan) -> None:
    reports = {a: operations.usage(a) for a in upgrade_plan.usage_accounts}
    attach_json("usage reports", reports)
    check(bool(reports), "usage report", "no accounts named", "upgrade.usage_accounts")
    empty = [a for a, rows in reports.items() if not rows]
    check(
        not empty, "usage report", f"no usage rows for {listing(empty)}", "rows for every account"
    )


@then("every extension named in the scenario is installed on the candidate")
def _(operations: BillingOps, upgrade_plan: UpgradePlan) -> None:
    installed = {e["name"] for e in operations.extensions()}
    missing = set(upgrade_plan.extensions) - installed
    check(
        not missing,
        "custom extensions",
        f"not installed: {listing(missing)}",
        f"{listing(set(upgrade_plan.extensions))}",
    )


@then("every installed extension answers successfully")
def _(operations: BillingOps, upgrade_plan: UpgradePlan) -> None:
    answers = {
        e["name"]: operations.invoke(e["name"], upgrade_plan.provisioning_account)
        for e in operations.extensions()
    }
    attach_json("extension answers", {n: a.__dict__ for n, a in answers.items()})
    broken = [
        f"{n} (HTTP {a.status}: {a.body})"
        for n, a in answers.items()
        if a.status != 200 or not (isinstance(a.body, dict) and a.body.get("ok"))
    ]
    check(not broken, "custom extensions", f"failing: {listing(broken)}", "every one to answer ok")


@when("the scenario's regular import file is imported", target_fixture="imported")
def _(
    operations: BillingOps, upgrade_plan: UpgradePlan, scenario: Scenario
) -> tuple[str, ImportResult]:
    path = upgrade_plan.import_file
    if path is None:
        fail("regular import", "no import file named", "upgrade.import_file in the scenario")
    if not path.is_absolute():
        path = scenario.source.parent / path
    result = operations.import_file(upgrade_plan.import_kind, path.name, path.read_text())
    attach_json("import result", result.__dict__)
    return (path.name, result)


@then("every row of the import is accepted")
def _(imported: tuple[str, ImportResult]) -> None:
    name, result = imported
    errors = [f"line {e['line']}: {e['reason']}" for e in result.errors]
    check(
        not errors and result.accepted > 0,
        f"import {name}",
        f"{result.rejected} rows rejected ({listing(errors)}), {result.accepted} accepted",
        "every row accepted",
    )


@then("the event log has no error since the upgrade")
def _(operations: BillingOps) -> None:
    release = operations.release()
    events = operations.events(release.upgraded_at)
    attach_json(f"events since {release.upgraded_at}", [e.__dict__ for e in events])
    errors = [f"{e.at} {e.source}: {e.message}" for e in events if e.level in ("ERROR", "FATAL")]
    check(
        not errors,
        f"event log since the upgrade to {release.version}",
        f"errors: {listing(errors)}",
        "no error",
    )


@then("every external system holds what the scenario says it must")
def _(operations: BillingOps, upgrade_plan: UpgradePlan) -> None:
    missing = []
    for want in upgrade_plan.provisioned:
        held = operations.provisioned(want.system, want.account)
        if not any(r["kind"] == want.kind and r["value"] == want.value for r in held):
            found = [f"{r['kind']}={r['value']}" for r in held]
            missing.append(
                f"{want.system} has no {want.kind} {want.value} for {want.account}"
                f" (holds {listing(found)})"
            )
    check(
        bool(upgrade_plan.provisioned),
        "provisioning",
        "nothing listed",
        "upgrade.provisioned in the scenario",
    )
    check(not missing, "provisioning", listing(missing), "every listed record")
