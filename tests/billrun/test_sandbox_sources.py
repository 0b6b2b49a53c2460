"""Both sources against the real sandbox: the billing API streamed into the engine
(UPG-17) and the bill-run export the sandbox serves (UPG-22), with their faults on, and
an export short of its control totals, which is never compared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from golive import launcher
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from golive.sandbox.billing_runs import FAULTS
from packs.billing_upgrade.billrun.checklist import from_exports, through_api
from packs.billing_upgrade.billrun.reconcile import Incomplete
from packs.billing_upgrade.billrun.settings import BillRun
from packs.billing_upgrade.killbill import CREATED_BY, RestKillBill
from packs.billing_upgrade.settings import UpgradePlan

SHOWS = {f.name: f.shows for f in FAULTS}
EXPORT = {
    "accounts": "/sandbox-ext/billrun/accounts.parquet",
    "invoices": "/sandbox-ext/billrun/invoices.parquet",
    "items": "/sandbox-ext/billrun/items.parquet",
}
TEST_ACCOUNTS = {"T-0001", "T-0002"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    running = launcher.start(["invoice-item-doubled", "export-invoice-dropped"])
    yield running.url
    running.stop()


def _client(url: str, instance: str) -> HttpClient:
    token = os.environ[launcher.TOKEN_VAR]
    return HttpClient(
        instance,
        f"{url}/{instance}",
        redactor=Redactor(),
        guard=MutationGuard("test", []),
        run_id="test",
        headers={"X-Killbill-ApiKey": token, "X-Killbill-ApiSecret": token},
        auth=(os.environ[launcher.USER_VAR], token),
        timeout=30,
    )


def test_the_api_path_names_the_doubled_item(sandbox: str, tmp_path: Path) -> None:
    production = RestKillBill(_client(sandbox, "production"))
    candidate = RestKillBill(_client(sandbox, "candidate"))
    result, p, c = through_api(
        production,
        candidate,
        BillRun(page_size=7),  # several pages
        tmp_path,
        excluded=TEST_ACCOUNTS,
        created=lambda a: a.email.startswith("verify-"),
    )
    assert p.accounts == c.accounts > 30 and p.items == c.items - 1
    assert [str(m) for m in result.first] and result.by_field == [
        ("item", "amount", 1),
        ("item", "count", 1),
    ]
    assert any(SHOWS["invoice-item-doubled"] in str(m) for m in result.first)


def _opener(url: str) -> Any:
    def opener(system: str) -> tuple[str, requests.Session]:
        client = _client(url, system)
        return client.base_url, client.session

    return opener


def _settings(**totals: Any) -> BillRun:
    return BillRun.model_validate(
        {
            "exports": {side: {"system": side, **EXPORT} for side in ("production", "candidate")},
            **totals,
        }
    )


def test_the_export_path_names_the_dropped_invoice(sandbox: str, tmp_path: Path) -> None:
    instances = {side: RestKillBill(_client(sandbox, side)) for side in ("production", "candidate")}
    result = from_exports(
        _settings(control_from_api=True),
        tmp_path,
        excluded=TEST_ACCOUNTS,
        opener=_opener(sandbox),
        instances=instances,
    )
    assert SHOWS["export-invoice-dropped"] in [str(m) for m in result.first]
    assert ("invoice", "presence", 1) in result.by_field


def test_an_export_short_of_its_control_totals_is_broken(sandbox: str, tmp_path: Path) -> None:
    totals = {"candidate": {"invoices": 76, "amount": {"EUR": Decimal("1.00")}}}
    with pytest.raises(Incomplete) as caught:
        from_exports(
            _settings(control_totals=totals),
            tmp_path,
            excluded=TEST_ACCOUNTS,
            opener=_opener(sandbox),
            instances={},
        )
    assert str(caught.value).startswith("candidate export has 75 of 76 invoices (the scenario)")
    assert "candidate export's invoices sum to EUR" in str(caught.value)


def test_an_account_an_earlier_run_signed_up_is_not_counted_against_the_export(
    sandbox: str, tmp_path: Path
) -> None:
    """A second run on the same candidate: the first one's signup (UPG-08) made an account
    after the bill run, so it is in no export; the API's account total leaves it out, as
    the API path does, instead of calling the export incomplete."""
    client = _client(sandbox, "candidate")
    body = {"name": "Signup by an earlier run", "email": "verify-earlier@example.test"}
    created = client.request(
        "POST", "/1.0/kb/accounts", json_body={**body, "currency": "USD"}, headers=CREATED_BY
    )
    assert created.status_code == 201, created.text
    instances = {side: RestKillBill(_client(sandbox, side)) for side in ("production", "candidate")}
    settings = _settings(control_from_api=True)
    args: dict[str, Any] = {"excluded": TEST_ACCOUNTS, "opener": _opener(sandbox)}
    with pytest.raises(Incomplete, match=r"candidate export has (\d+) of (?!\1)\d+ accounts"):
        from_exports(settings, tmp_path / "all", instances=instances, **args)
    result = from_exports(
        settings, tmp_path / "left-out", instances=instances, created=UpgradePlan().created, **args
    )
    assert SHOWS["export-invoice-dropped"] in [str(m) for m in result.first]
