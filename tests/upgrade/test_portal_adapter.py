"""The scenario-driven portal adapter against the sandbox's customer portal, in a browser:
it reports what the page said and never asserts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from golive import launcher
from golive.packs import load
from packs.billing_upgrade.portal import WebPortal


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    running = launcher.start([])
    yield running.url
    running.stop()


@pytest.fixture
def portal(page: Any, sandbox: str) -> WebPortal:
    _, packs = load("scenarios/sandbox.yaml")
    plan = next(a.settings for a in packs if a.pack.name == "billing_upgrade")
    assert plan.customer_portal is not None
    return WebPortal(page, f"{sandbox}/candidate", plan.customer_portal)


def test_a_wrong_password_is_reported_with_the_page_s_alert(portal: WebPortal) -> None:
    outcome = portal.login(os.environ[launcher.USER_VAR], "not-the-password")
    assert not outcome.ok
    assert outcome.shown == "Invalid username or password"
    assert outcome.url.endswith("/candidate/portal/login")


def test_login_and_reading_a_configured_page(portal: WebPortal) -> None:
    outcome = portal.login(os.environ[launcher.USER_VAR], os.environ[launcher.TOKEN_VAR])
    assert outcome.ok and outcome.shown.startswith("Signed in as")
    shown = portal.read("account")
    assert shown["account"] == "T-0001"
    assert shown["name"] == "Golive Test Customer"
    assert shown["bill_date"] == "2026-12-01"
    assert float(shown["balance"] or "nan") == pytest.approx(32.12)


def test_an_unknown_page_names_the_configured_ones(portal: WebPortal) -> None:
    with pytest.raises(KeyError, match="account, contact, payment, signup"):
        portal.page_config("usage")
