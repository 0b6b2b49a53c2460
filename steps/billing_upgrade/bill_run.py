"""Steps of the bill-run reconciliation (features/billing_upgrade/accounts.feature, UPG-17
and UPG-22): every account, invoice and invoice item of production's bill run against the
candidate's, through the billing API or from the bill-run exports, on the engine the
scenario names (packs/billing_upgrade/billrun, docs/billrun.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import allure
from pytest_bdd import given, then, when

from golive.checks import check
from golive.evidence import attach_json, attach_text
from golive.systems import Systems
from packs.billing_upgrade.billrun.checklist import from_exports, through_api
from packs.billing_upgrade.billrun.reconcile import Result
from packs.billing_upgrade.killbill import Billing
from packs.billing_upgrade.settings import UpgradePlan


def _attach(result: Result) -> None:
    allure.attach.file(
        str(result.csv), name="all mismatches (CSV)", attachment_type=allure.attachment_type.CSV
    )
    allure.attach.file(str(result.parquet), name="all mismatches (Parquet)", extension="parquet")
    attach_json(
        "bill-run reconciliation",
        {
            "engine": result.engine,
            "compared": result.compared,
            "totals": {
                s: {
                    k: v if k != "amount" else {c: str(a) for c, a in v.items()}
                    for k, v in t.items()
                }
                for s, t in result.totals.items()
            },
            "mismatches": result.mismatches,
            "by_field": result.by_field,
            "by_plan": result.by_plan,
            "by_item_type": result.by_item_type,
        },
    )


@when(
    "every account, invoice and invoice item of both instances is read through the billing API",
    target_fixture="bill_run",
)
def _(production: Billing, candidate: Billing, upgrade_plan: UpgradePlan) -> Result:
    with tempfile.TemporaryDirectory(prefix="golive-billrun-") as folder:
        result, p, c = through_api(
            production,
            candidate,
            upgrade_plan.bill_run,
            Path(folder),
            excluded=set(upgrade_plan.test_accounts),
            created=upgrade_plan.created,
        )
        _attach(result)
    attach_text(
        "read through the API",
        f"production: {p.accounts} accounts, {p.invoices} invoices, {p.items} items;"
        f" candidate: {c.accounts} accounts ({c.skipped} created by this run left out),"
        f" {c.invoices} invoices, {c.items} items",
    )
    return result


@given(
    "the bill-run exports of production and the candidate, complete by their control totals",
    target_fixture="bill_run",
)
def _(
    systems: Systems, production: Billing, candidate: Billing, upgrade_plan: UpgradePlan
) -> Result:
    def opener(system: str) -> tuple[str, Any]:
        client = systems.client(system)
        return client.base_url, client.session

    with tempfile.TemporaryDirectory(prefix="golive-billrun-") as folder:
        result = from_exports(
            upgrade_plan.bill_run,
            Path(folder),
            excluded=set(upgrade_plan.test_accounts),
            opener=opener,
            instances={"production": production, "candidate": candidate},
            created=upgrade_plan.created,
        )
        _attach(result)
    return result


@then("no account, invoice or invoice item differs between production and the candidate")
def _(bill_run: Result) -> None:
    check(
        bill_run.compared["P"]["items"] > 0,
        "bill run",
        "no invoice item compared",
        "every invoice item of the bill run compared",
    )
    shown = "; ".join(str(m) for m in bill_run.first)
    more = bill_run.mismatches - len(bill_run.first)
    check(
        bill_run.mismatches == 0,
        "bill run",
        f"{bill_run.summary()} in {bill_run.scope()}: {shown}"
        + (f" (and {more} more, all in the CSV and Parquet attachments)" if more > 0 else ""),
        "every account, invoice and item equal on both sides",
    )
