"""The billing sandbox behaves as Kill Bill does where the adapter relies on it: auth,
X-Killbill-CreatedBy on writes, pagination headers, payment outcomes per processor, and two
instances that agree until a fault changes the candidate."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

from golive import launcher


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    running = launcher.start(["balance-drift"])
    yield running.url
    running.stop()


@pytest.fixture
def kb() -> requests.Session:
    token = os.environ[launcher.TOKEN_VAR]
    session = requests.Session()
    session.trust_env = False
    session.auth = (os.environ[launcher.USER_VAR], token)
    session.headers.update({"X-Killbill-ApiKey": token, "X-Killbill-ApiSecret": token})
    return session


def test_reads_need_basic_auth_and_the_tenant_key(sandbox: str, kb: requests.Session) -> None:
    url = f"{sandbox}/production/1.0/kb/catalog"
    assert requests.get(url, auth=kb.auth, timeout=5).status_code == 401
    assert kb.get(url, timeout=5).status_code == 200


def test_pagination_headers_and_pages(sandbox: str, kb: requests.Session) -> None:
    url = f"{sandbox}/production/1.0/kb/accounts/pagination"
    first = kb.get(url, params={"offset": 0, "limit": 10}, timeout=5)
    total = int(first.headers["X-Killbill-Pagination-TotalNbRecords"])
    assert len(first.json()) == 10 and first.headers["X-Killbill-Pagination-NextOffset"] == "10"
    last = kb.get(url, params={"offset": total - 3, "limit": 10}, timeout=5)
    assert len(last.json()) == 3 and "X-Killbill-Pagination-NextOffset" not in last.headers


def test_writes_need_created_by_and_payments_report_declines(
    sandbox: str, kb: requests.Session
) -> None:
    base = f"{sandbox}/candidate/1.0/kb"
    account = kb.get(f"{base}/accounts", params={"externalKey": "T-0001"}, timeout=5).json()
    methods = {
        m["externalKey"]: m["paymentMethodId"]
        for m in kb.get(f"{base}/accounts/{account['accountId']}/paymentMethods", timeout=5).json()
    }
    body = {"transactionType": "PURCHASE", "amount": 1.0, "currency": "USD"}
    url = f"{base}/accounts/{account['accountId']}/payments"
    assert kb.post(url, json=body, timeout=5).status_code == 400
    kb.headers["X-Killbill-CreatedBy"] = "test"
    ok = kb.post(url, json=body, params={"paymentMethodId": methods["T-0001-cc-ok"]}, timeout=5)
    declined = kb.post(
        url, json=body, params={"paymentMethodId": methods["T-0001-cc-declined"]}, timeout=5
    )
    assert ok.status_code == 201 and ok.json()["transactions"][0]["status"] == "SUCCESS"
    assert declined.status_code == 402
    assert declined.json()["transactions"][0]["status"] == "PAYMENT_FAILURE"


def test_a_fault_changes_the_candidate_only(sandbox: str, kb: requests.Session) -> None:
    def balance(instance: str) -> float:
        raw = kb.get(
            f"{sandbox}/{instance}/1.0/kb/accounts",
            params={"externalKey": "A-00035", "accountWithBalance": "true"},
            timeout=5,
        ).json()
        return float(raw["accountBalance"])

    assert balance("candidate") == pytest.approx(balance("production") + 1.0)
