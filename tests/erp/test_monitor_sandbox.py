"""The sandbox monitor's access rules, through the adapter and plain HTTP: the rules the
checklist's faults break, shown to hold on a healthy sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

from golive import launcher
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from packs.erp_partner_access.monitor import RestEdiMonitor


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[str, str]]:
    launcher.ensure_token()
    running = launcher.start([])
    try:
        yield running.url, os.environ[launcher.TOKEN_VAR]
    finally:
        running.stop()


@pytest.fixture
def monitor(sandbox: tuple[str, str]) -> RestEdiMonitor:
    url, token = sandbox
    client = HttpClient(
        "monitor",
        url,
        redactor=Redactor([token]),
        guard=MutationGuard("test", []),
        run_id="test",
        headers={"Authorization": f"Bearer {token}"},
    )
    return RestEdiMonitor(client)


def test_admin_api_reads_partner_users_per_instance(monitor: RestEdiMonitor) -> None:
    test = {u.username: u for u in monitor.partner_users("TEST", "C-100")}
    assert set(test) == {"anna.erp", "bob.erp"}
    assert monitor.partner_users("PROD", "C-100") == []  # TEST first
    assert test["anna.erp"].sub_companies == ["C-101", "C-102"]
    assert "respond_to_tickets" in test["anna.erp"].permissions
    assert monitor.customer("TEST", "C-200").onboarding_state == "complete"


def test_partner_api_answers_only_with_the_users_own_valid_password(
    monitor: RestEdiMonitor, sandbox: tuple[str, str]
) -> None:
    _, token = sandbox
    assert monitor.visible_sub_companies("TEST", "C-100", "anna.erp", token).status == 200
    assert monitor.visible_sub_companies("TEST", "C-100", "anna.erp", "wrong").status == 401
    assert monitor.visible_sub_companies("TEST", "C-200", "anna.erp", token).status == 403
    assert monitor.visible_sub_companies("PROD", "C-200", "dora.erp", token).status == 401


def test_web_refuses_revoked_login_and_the_admin_page_to_partner_users(
    sandbox: tuple[str, str],
) -> None:
    url, token = sandbox
    revoked = requests.post(
        f"{url}/monitor/TEST/login", data={"username": "dora.erp", "password": token}
    )
    assert revoked.status_code == 401 and "access revoked" in revoked.text
    with requests.Session() as web:
        web.post(f"{url}/monitor/TEST/login", data={"username": "anna.erp", "password": token})
        switch = web.get(f"{url}/monitor/TEST/switch").text
        assert "(C-100)" in switch and "(C-300)" in switch and "(C-200)" not in switch
        web.post(f"{url}/monitor/TEST/switch", data={"customer": "C-300"})
        page = web.get(f"{url}/monitor/TEST/company/partner-users")
        assert page.status_code == 403 and "permission to manage partner users" in page.text
        assert web.get(f"{url}/monitor/TEST/messages/M-T0001").status_code == 404  # C-100's
        assert "Monitor:" in web.get(f"{url}/monitor/TEST/dashboard").text
