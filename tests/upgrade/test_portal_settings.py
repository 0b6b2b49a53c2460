"""The portal and permission-matrix settings of the billing upgrade pack, in process: every
name the portal items use is checked when the scenario loads, and the error names the file,
the line, the key and the allowed values; a role's login password is masked like every
credential; the matrix is judged exactly; a refusal is told by the portal's definition.
Variants of scenarios/sandbox.yaml are made by text replacement that fails loudly when the
text is not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive import launcher
from golive.context import secrets_of
from golive.errors import ScenarioError
from golive.packs import load
from golive.sandbox import billing_portal
from packs.billing_upgrade.matrix import wrong_permissions
from packs.billing_upgrade.portal import refusal
from packs.billing_upgrade.settings import Locator, Refusal, StaffRole, UpgradePlan

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = (ROOT / "scenarios" / "sandbox.yaml").read_text(encoding="utf-8")
STAFF_TOKEN = "staff-token-4567"
ENV = {
    "GOLIVE_SANDBOX_TOKEN": "unit-token-0123",
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": STAFF_TOKEN,
}
ADMIN_LOGIN_FIELDS = (
    "        path: /admin/login\n"
    "        fields: {username: {label: Username}, password: {label: Password}}\n"
)


def variant(old: str, new: str) -> str:
    assert SANDBOX.count(old) == 1, f"not once in the scenario: {old!r}"
    return SANDBOX.replace(old, new)


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def plan_of(tmp_path: Path, text: str = SANDBOX) -> UpgradePlan:
    path = tmp_path / "good.yaml"
    path.write_text(text, encoding="utf-8")
    _, packs = load(path, env=ENV)
    plan: UpgradePlan = next(a.settings for a in packs if a.pack.name == "billing_upgrade")
    return plan


# case: (text replaced, replacement, text on the line the error names, key, the problem)
CASES = {
    "function of a role": (
        "        can: [work_orders, tickets, add_account]\n",
        "        can: [work_orders, tickts, add_account]\n",
        "can: [work_orders, tickts",
        "roles.0.can.1",
        "expected one of the functions defined under functions (add_account, add_package,"
        " tickets, work_orders), got 'tickts'",
    ),
    "refused function of a role": (
        "        cannot: [tickets, add_account, add_package]\n",
        "        cannot: [tickets, add_acount, add_package]\n",
        "cannot: [tickets, add_acount",
        "roles.2.cannot.1",
        "expected one of the functions defined under functions (add_account, add_package,"
        " tickets, work_orders), got 'add_acount'",
    ),
    "role listed twice": (
        "      - id: field-tech\n",
        "      - id: billing\n",
        "- id: billing\n        staff_user: tech.kim",
        "roles.2.id",
        "expected a role not listed before: 'billing' is roles.1",
    ),
    "function both reached and refused": (
        "        cannot: [add_package]\n",
        "        cannot: [add_package, tickets]\n",
        "cannot: [add_package, tickets]",
        "roles.0.cannot",
        "tickets cannot be both reached and refused",
    ),
    "portal system": (
        "      system: admin_portal\n",
        "      system: admin_portl\n",
        "system: admin_portl",
        "admin_portal.system",
        "expected one of the scenario's systems (admin_portal, billing_candidate,",
    ),
    "billing system": (
        "    candidate: billing_candidate\n",
        "    candidate: billing_candidat\n",
        "candidate: billing_candidat\n",
        "candidate",
        "got 'billing_candidat'",
    ),
    "menu page": (
        "      menu_page: dashboard ",
        "      menu_page: home ",
        "menu_page: home",
        "admin_portal.menu_page",
        "expected one of the pages (dashboard, event_log), got 'home'",
    ),
    "page after login": (
        "      after_login: [event_log]",
        "      after_login: [events]",
        "after_login: [events]",
        "admin_portal.after_login.0",
        "expected one of the pages (dashboard, event_log), got 'events'",
    ),
    "page after login that shows nothing": (
        "      after_login: [event_log]",
        "      after_login: [dashboard]",
        "dashboard: {path: /admin/}",
        "admin_portal.pages.dashboard.shows",
        "expected at least one element: page 'dashboard' is listed under after_login",
    ),
    "login field missing": (
        ADMIN_LOGIN_FIELDS,
        ADMIN_LOGIN_FIELDS.replace("{username:", "{user_name:"),
        "fields: {user_name:",
        "admin_portal.login.fields",
        "expected the login fields username and password (missing: username)",
    ),
    "login field unknown": (
        ADMIN_LOGIN_FIELDS,
        ADMIN_LOGIN_FIELDS.replace("}}\n", "}, otp: {label: Code}}\n"),
        "otp: {label: Code}",
        "admin_portal.login.fields.otp",
        "expected only the login fields username, password: the login fills no other",
    ),
    "role without its own login": (
        '        login: {password: "${GOLIVE_SANDBOX_STAFF_TOKEN}"}   # username: the staff_user\n',
        "",
        "- id: csr",
        "roles.0",
        "expected login: {username, password: ${ENV_VAR}} for role 'csr'",
    ),
    "customer portal page": (
        "        payment:\n          path: /portal/pay\n",
        "        pay:\n          path: /portal/pay\n",
        "      pages:\n        account:",
        "customer_portal.pages",
        "expected a page named 'payment' (the portal items use the pages account, contact,"
        " payment, signup; configured: account, contact, pay, signup)",
    ),
    "customer portal form field": (
        "fields: {phone: {label: Phone}, email: {label: Additional email}}",
        "fields: {telephone: {label: Phone}, email: {label: Additional email}}",
        "fields: {telephone:",
        "customer_portal.pages.contact.fields",
        "expected phone, email (missing: phone)",
    ),
    "what proves a function opened": (
        " menu: Tickets,\n         opens: {test_id: ticket-list}}",
        " menu: Tickets}",
        "      tickets:\n",
        "functions.tickets.opens",
        "required key is missing",
    ),
    "refusal status": (
        "        status: [401, 403]\n",
        "        status: [401, 4030]\n",
        "status: [401, 4030]",
        "admin_portal.refused.status.1",
        "less than or equal to 599",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_wrong_name_is_refused_when_the_scenario_loads(tmp_path: Path, case: str) -> None:
    old, new, needle, key, expected = CASES[case]
    text = variant(old, new)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load(path, env=ENV)
    err = caught.value
    assert err.key == f"packs.billing_upgrade.{key}", err
    assert expected in err.problem, err.problem
    assert err.line == line_of(text, needle), (str(err), needle)
    assert str(err).startswith(f"{path}:{err.line}: packs.billing_upgrade.{key}: ")


def test_the_sandbox_s_portal_settings_load(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    admin = plan.admin_portal
    assert admin is not None
    assert (admin.menu_page, admin.after_login) == ("dashboard", ["event_log"])
    assert admin.refused.text == Locator(test_id="permission-denied")
    assert plan.functions["add_package"].refused == Refusal(status=[403])
    assert plan.functions["tickets"].opens == Locator(test_id="ticket-list")
    csr, billing = plan.roles[0], plan.roles[1]
    assert (csr.login_name, billing.login_name) == ("csr.jones", "billing.lee")
    assert csr.login is not None and csr.login.password.get_secret_value() == STAFF_TOKEN


def test_a_role_s_login_password_is_masked(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(SANDBOX, encoding="utf-8")
    scenario, packs = load(path, env=ENV)
    redactor = secrets_of(scenario, packs)
    shown = redactor.text(f"csr.jones logged in with {STAFF_TOKEN} (csr.jones:{STAFF_TOKEN})")
    assert STAFF_TOKEN not in shown and "csr.jones logged in with" in shown


def test_a_short_role_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SANDBOX, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load(path, env={**ENV, "GOLIVE_SANDBOX_STAFF_TOKEN": "short"})
    assert caught.value.key == "packs.billing_upgrade.roles.0.login.password"
    assert "at least 8 characters" in caught.value.problem


def _role(tmp_path: Path, role_id: str) -> tuple[UpgradePlan, StaffRole]:
    plan = plan_of(tmp_path)
    return plan, next(r for r in plan.roles if r.id == role_id)


def test_the_matrix_is_exact(tmp_path: Path) -> None:
    plan, csr = _role(tmp_path, "csr")
    exact = ["account:create", "account:update", "payment:trigger", "ticket:edit"]
    exact.append("workorder:manage")
    assert wrong_permissions(plan, csr, exact) == []
    assert wrong_permissions(plan, csr, [*exact, "invoice:item_adjust"]) == [
        "permissions beyond the matrix: invoice:item_adjust"
    ]
    # a permission of a refused function is beyond the matrix too, and says what it opens
    assert wrong_permissions(plan, csr, [*exact, "entitlement:create"]) == [
        "permissions beyond the matrix: entitlement:create (opens add_package)"
    ]
    assert wrong_permissions(plan, csr, [*exact[1:], "payment:refund"]) == [
        "permissions missing: account:create",
        "permissions beyond the matrix: payment:refund",
    ]


PORTAL = Refusal(status=[401, 403], text=Locator(test_id="permission-denied"))


@pytest.mark.parametrize(
    ("refused", "status", "on_login", "text", "expected"),
    [
        (PORTAL, 200, False, None, ""),
        (PORTAL, 403, False, None, "status 403"),
        (PORTAL, 404, False, None, ""),  # an error page is no refusal unless listed
        (Refusal(status=[404]), 404, False, None, "status 404"),
        (PORTAL, 200, True, None, "sent to the login page"),
        (Refusal(login_redirect=False), 200, True, None, ""),
        (PORTAL, 200, False, "You may not", "says 'You may not'"),
        (Refusal(), 200, False, "You may not", ""),  # no refusal text configured
    ],
)
def test_a_refusal_is_what_the_portal_says_one_is(
    refused: Refusal, status: int, on_login: bool, text: str | None, expected: str
) -> None:
    assert refusal(refused, status, on_login, text) == expected


def test_the_staff_password_is_derived_alike_by_the_launcher_and_the_sandbox() -> None:
    # a process given only the sandbox token (a run started beside a running sandbox)
    # knows the staff password the sandbox expects; it is never the token itself
    token = "sandbox-token-0123"
    env = {launcher.TOKEN_VAR: token}
    launcher.ensure_token(env)
    assert env[launcher.STAFF_TOKEN_VAR] == billing_portal.staff_token(token) != token
    chosen = {launcher.TOKEN_VAR: token, launcher.STAFF_TOKEN_VAR: "chosen-staff-4567"}
    launcher.ensure_token(chosen)
    assert chosen[launcher.STAFF_TOKEN_VAR] == "chosen-staff-4567"
