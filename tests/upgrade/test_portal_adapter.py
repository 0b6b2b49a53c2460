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


@pytest.fixture
def admin(page: Any, sandbox: str) -> WebPortal:
    _, packs = load("scenarios/sandbox.yaml")
    plan = next(a.settings for a in packs if a.pack.name == "billing_upgrade")
    assert plan.admin_portal is not None
    return WebPortal(page, f"{sandbox}/candidate", plan.admin_portal)


def _functions() -> dict[str, Any]:
    _, packs = load("scenarios/sandbox.yaml")
    plan = next(a.settings for a in packs if a.pack.name == "billing_upgrade")
    return dict(plan.functions)


def test_staff_log_in_with_their_own_password_not_the_administrator_s(admin: WebPortal) -> None:
    refused = admin.login("tech.kim", os.environ[launcher.TOKEN_VAR])
    # the failure is read from the login page's configured error element (no alert there)
    assert (refused.ok, refused.shown) == (False, "Invalid username or password")
    signed_in = admin.login("tech.kim", os.environ[launcher.STAFF_TOKEN_VAR])
    assert signed_in.ok and signed_in.shown == "Signed in as tech.kim"


def test_the_menu_is_read_inside_its_element_on_its_page(admin: WebPortal) -> None:
    assert admin.login("tech.kim", os.environ[launcher.STAFF_TOKEN_VAR]).ok
    admin.goto("/admin/events")  # the menu is read on the configured menu page, not here
    assert admin.menu() == ["Work orders", "Event log"]
    # the page's help links name every function: read outside the menu, they would count
    whole_page = WebPortal(
        admin.page, admin.base_url, admin.config.model_copy(update={"menu": None})
    )
    assert "Tickets" in (whole_page.menu() or [])


def test_a_function_opens_by_its_own_marker_and_a_refusal_is_told_apart(
    admin: WebPortal,
) -> None:
    fns = _functions()
    assert admin.login("tech.kim", os.environ[launcher.STAFF_TOKEN_VAR]).ok
    seen = {f: admin.open_function(fn.path, fn.opens, fn.refused) for f, fn in fns.items()}
    assert {f: v.outcome for f, v in seen.items()} == {
        "work_orders": "opened",  # its heading is not the menu's text
        "tickets": "refused",  # 200 with the refusal text
        "add_account": "refused",  # 403
        "add_package": "refused",
    }
    assert seen["tickets"].status == 200
    assert seen["tickets"].refused == "says 'You do not have permission to open Tickets.'"
    assert (seen["add_account"].status, seen["add_account"].refused) == (403, "status 403")
    # a page that answers 200 without its marker and without the refusal text is neither
    wrong = admin.open_function("/admin/events", fns["tickets"].opens, fns["tickets"].refused)
    assert (wrong.outcome, wrong.status, wrong.shown) == ("neither", 200, "Event log")


def test_a_page_the_session_may_not_open_sends_to_the_login_page(admin: WebPortal) -> None:
    fns = _functions()
    visit = admin.open_function("/admin/workorders", fns["work_orders"].opens)  # not signed in
    assert (visit.outcome, visit.refused) == ("refused", "sent to the login page")
