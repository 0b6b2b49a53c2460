"""The findings of issue 15, one by one, as fixed answers (the fuzzer finds them only when
its generator happens to hit them): ids of 2^63 and more, wrong JSON types, non-object
bodies, the framework's own error bodies, the spec's lengths and enums, Kill Bill's
startDate, roles and X-Killbill-CreatedBy."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from golive import launcher

UUID = "5f3c9a52-0000-4000-8000-000000000000"
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    running = launcher.start([])
    try:
        yield running.url
    finally:
        running.stop()


@pytest.fixture(scope="module")
def sc(sandbox: str) -> Any:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {os.environ[launcher.TOKEN_VAR]}"

    def call(method: str, path: str, **kw: Any) -> requests.Response:
        return session.request(method, f"{sandbox}/api/v2{path}", timeout=10, **kw)

    return call


@pytest.fixture(scope="module")
def kb(sandbox: str) -> Any:
    token = os.environ[launcher.TOKEN_VAR]
    user = os.environ[launcher.USER_VAR]
    session = requests.Session()
    session.headers["Authorization"] = (
        "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
    )
    session.headers["X-Killbill-ApiKey"] = token
    session.headers["X-Killbill-ApiSecret"] = token

    def call(method: str, path: str, **kw: Any) -> requests.Response:
        return session.request(method, f"{sandbox}/production/1.0/kb{path}", timeout=10, **kw)

    return call


def storecove_errors(response: requests.Response) -> list[dict[str, str]]:
    """The body must be Storecove's ErrorModel array, never FastAPI's ``{"detail": ...}``."""
    body = response.json()
    assert isinstance(body, list) and body, body
    assert all(set(e) == {"source", "details"} for e in body), body
    return body


def killbill_error(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {
        "className", "code", "message", "causeClassName", "causeMessage", "stackTrace"
    }, body  # fmt: skip
    return body


@pytest.mark.parametrize("entity_id", [2**63, 2**64 + 5, -(2**63) - 1, "abc", "1.5"])
def test_an_id_sqlite_cannot_hold_or_not_a_number_is_not_found(sc: Any, entity_id: Any) -> None:
    for method in ("GET", "DELETE"):
        assert sc(method, f"/legal_entities/{entity_id}").status_code == 404
    answer = sc("POST", f"/legal_entities/{entity_id}/peppol_identifiers", json={})
    assert answer.status_code == 404
    assert "detail" not in answer.text


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b"null",
        b'"text"',
        b"{not json",
        b'{"scheme": [null, null], "identifier": "x"}',
        b'{"scheme": "NL:KVK"}',
    ],
)
def test_discovery_refuses_what_is_not_its_body_in_storecoves_error_model(
    sc: Any, body: bytes
) -> None:
    answer = sc(
        "POST", "/discovery/receives", data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    storecove_errors(answer)


def test_a_legal_entity_breaking_the_specs_lengths_and_enums_is_refused(sc: Any) -> None:
    good = {"party_name": "Acme B.V.", "line1": "Dam 1", "city": "Amsterdam", "zip": "1012 JS"}
    for bad in (
        {**good, "country": "ZZ"},
        {**good, "country": "NL", "party_name": "x" * 65},
        {**good, "country": "NL", "zip": "1"},
        {**good, "country": "NL", "tenant_id": {}},
        {**good, "country": "NL", "advertisements": ["fax"]},
        {**good, "country": "NL", "public": "yes"},
        {**good, "country": "NL", "line2": None},
        good,  # country is required
    ):
        answer = sc("POST", "/legal_entities", json=bad)
        assert answer.status_code == 422, (bad, answer.text)
        storecove_errors(answer)
    assert sc("POST", "/legal_entities", json={**good, "country": "NL"}).status_code == 200


def test_a_method_the_path_lacks_answers_405_with_every_method_it_has(sc: Any) -> None:
    answer = sc("PUT", "/legal_entities/101")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH", "DELETE"}


def test_subscription_start_dates_are_date_times(kb: Any) -> None:
    accounts = kb("GET", "/accounts/pagination", params={"limit": 5}).json()
    bundles = kb("GET", f"/accounts/{accounts[0]['accountId']}/bundles").json()
    starts = [s["startDate"] for b in bundles for s in b["subscriptions"]]
    assert starts and all(DATE_TIME.fullmatch(s) for s in starts), starts


def test_a_role_kill_bill_does_not_know_answers_200_with_no_permissions(kb: Any) -> None:
    answer = kb("GET", "/security/roles/no-such-role")
    assert answer.status_code == 200
    assert answer.json() == {"role": "no-such-role", "permissions": []}


def test_an_empty_created_by_is_accepted_a_missing_one_refused(kb: Any) -> None:
    body = {"name": "Conformance", "externalKey": "CONF-EMPTY-BY", "currency": "EUR"}
    created = kb("POST", "/accounts", json=body, headers={"X-Killbill-CreatedBy": ""})
    assert created.status_code == 201, created.text
    missing = kb("POST", "/accounts", json={**body, "externalKey": "CONF-NO-BY"})
    assert missing.status_code == 400
    assert "X-Killbill-CreatedBy" in killbill_error(missing)["message"]


@pytest.mark.parametrize("offset", [str(2**63), "-1x", "1e3"])
def test_a_pagination_offset_that_is_no_long_is_refused_in_kill_bills_error_json(
    kb: Any, offset: str
) -> None:
    answer = kb("GET", "/accounts/pagination", params={"offset": offset})
    assert answer.status_code == 400
    killbill_error(answer)


@pytest.mark.parametrize("body", [b"[]", b"null", b"{", b'{"accountId": {}}'])
def test_a_write_with_a_broken_body_is_a_400_in_kill_bills_error_json(kb: Any, body: bytes) -> None:
    answer = kb(
        "POST",
        "/subscriptions",
        data=body,
        headers={"Content-Type": "application/json", "X-Killbill-CreatedBy": "t"},
    )
    assert answer.status_code == 400, answer.text
    killbill_error(answer)


def test_an_account_id_that_is_no_uuid_is_not_found(kb: Any) -> None:
    for path in ("/accounts/0-0-0-0-0/auditLogs", "/accounts/not-a-uuid", f"/payments/{UUID}x"):
        answer = kb("GET", path)
        assert answer.status_code == 404, path
        killbill_error(answer)
