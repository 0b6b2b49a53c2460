"""Steps of the ERP partner access checklist (features/partner_go_live/erp_partner_access)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest
from pytest_bdd import given, then, when

from fixtures.erp_partner_access.monitor import AccessView, keeps_access, prod_allowed, read_access
from golive.checks import check, fail, listing
from golive.context import RunContext
from golive.evidence import attach_json
from golive.fixtures.browser import BrowserEvidence
from packs.erp_partner_access.monitor import INSTANCES, CustomerNotFound, EdiMonitor, Instance
from packs.erp_partner_access.monitor_web import MonitorWeb, Shown
from packs.erp_partner_access.settings import ErpCustomer

ADMIN_PAGE = "/company/partner-users"


def _report(access: AccessView, problems: list[str], expected: str) -> None:
    check(not problems, access.label, "; ".join(problems), expected)


@given("the customer's access plan and its partner users on TEST and PROD", target_fixture="access")
def _(edi_monitor: EdiMonitor, erp_plan: ErpCustomer) -> AccessView:
    try:
        access = read_access(edi_monitor, erp_plan)
    except CustomerNotFound as exc:
        fail(erp_plan.id, str(exc), "the customer named in the scenario to exist")
    attach_json("partner users", [asdict(u) for u in access.all_users()])
    return access


@then("every partner user belongs to a partner relation set up before the user")
def _(access: AccessView) -> None:
    problems = []
    for instance in INSTANCES:
        since = {r.partner_company: r.established_at for r in access.relations[instance]}
        for user in access.users[instance]:
            set_up = since.get(user.partner_company)
            if set_up is None:
                problems.append(f"{user.label} has no partner relation with {user.partner_company}")
            elif set_up > user.created_at:
                problems.append(
                    f"{user.label} was created on {user.created_at}, the relation with"
                    f" {user.partner_company} only on {set_up}"
                )
    _report(access, problems, "a partner relation set up before every partner user")


@then("each partner user has exactly the permissions of the access plan")
def _(access: AccessView) -> None:
    problems = []
    for user in access.all_users():
        planned = access.planned(user.username)
        if planned is None:
            problems.append(f"{user.label} is not in the access plan")
            continue
        granted: set[str] = set(planned.permissions)
        missing = granted - user.permissions
        extra = set(user.permissions - granted)
        if missing or extra:
            problems.append(f"{user.label}: missing {listing(missing)}; extra {listing(extra)}")
        if user.partner_company != planned.partner:
            problems.append(
                f"{user.label} belongs to {user.partner_company}, not {planned.partner}"
            )
    _report(access, problems, "exactly the permissions the access plan grants")


@then("every planned partner user exists on TEST")
def _(access: AccessView) -> None:
    on_test = {u.username for u in access.users["TEST"]}
    missing = [u.username for u in access.plan.users if u.username not in on_test]
    check(not missing, access.label, f"not on TEST: {listing(missing)}", "every user on TEST first")


@then("no partner user has PROD access the plan does not give for the current phase")
def _(access: AccessView) -> None:
    phase = access.plan.phase
    problems = []
    for user in access.users["PROD"]:
        planned = access.planned(user.username)
        if user.enabled and (planned is None or not prod_allowed(planned, phase)):
            rule = planned.prod_access if planned else "no access"
            problems.append(f"{user.label} is enabled during phase {phase} (plan: {rule})")
    _report(access, problems, "PROD access only as the plan gives it for the current phase")


@then("every partner user has an expiry within the plan unless the plan makes it permanent")
def _(access: AccessView) -> None:
    problems = []
    for user in access.all_users():
        planned = access.planned(user.username)
        if planned is None or planned.permanent or not user.enabled:
            continue
        if user.expires_at is None:
            problems.append(
                f"{user.label} has no expiry date (plan: at most {planned.max_days} days)"
            )
        elif user.access_start and (user.expires_at - user.access_start).days > planned.max_days:
            days = (user.expires_at - user.access_start).days
            problems.append(
                f"{user.label} expires on {user.expires_at}, {days} days after its start"
                f" (plan: at most {planned.max_days})"
            )
    _report(access, problems, "an expiry on every partner user the plan does not make permanent")


@then("no partner user past its expiry is still enabled")
def _(access: AccessView, golive: RunContext) -> None:
    now = golive.today  # the run's date (golive/clock.py), the same for every item
    expired = [
        f"{u.label} expired on {u.expires_at} and is still enabled"
        for u in access.all_users()
        if u.enabled and u.expires_at is not None and u.expires_at < now
    ]
    _report(access, expired, f"every partner user past its expiry disabled (today {now})")


@then("after onboarding each partner user is revoked or kept as the plan says")
def _(access: AccessView) -> None:
    if access.plan.phase != "complete":
        attach_json("after onboarding", {"phase": access.plan.phase, "checked": "not yet"})
        return
    problems = []
    for user in access.all_users():
        planned = access.planned(user.username)
        if planned is None:
            continue
        if planned.after_onboarding == "revoke" and user.enabled:
            problems.append(f"{user.label} is still enabled after onboarding (plan: revoke)")
        if planned.after_onboarding == "keep" and not user.enabled:
            problems.append(f"{user.label} was revoked on {user.revoked_at} (plan: keep)")
    _report(access, problems, "access revoked or kept after onboarding as the plan says")


@then("by API each partner user sees exactly the sub-companies assigned in the plan")
def _(access: AccessView, edi_monitor: EdiMonitor) -> None:
    problems, seen = [], {}
    for planned in access.plan.users:
        password = access.password(planned.username)
        if password is None or not keeps_access(planned, access.plan.phase):
            continue
        answer = edi_monitor.visible_sub_companies(
            "TEST", access.customer.id, planned.username, password
        )
        seen[planned.username] = answer.sub_companies
        expected, got = set(planned.sub_companies), set(answer.sub_companies)
        if answer.status != 200:
            problems.append(f"{planned.username} could not call the API (HTTP {answer.status})")
        elif got != expected:
            problems.append(
                f"{planned.username} sees {listing(got)}: not assigned {listing(got - expected)};"
                f" assigned but not visible {listing(expected - got)}"
            )
    attach_json("sub-companies seen by API", seen)
    _report(access, problems, "each user to see exactly its assigned sub-companies")


@dataclass(frozen=True)
class Visit:
    username: str
    login: Shown
    logged_in: bool
    dashboard: Shown | None = None
    messages: tuple[str, ...] = ()
    admin_page: Shown | None = None
    offered: tuple[str, ...] = ()


@when(
    "each active partner user logs in to the TEST monitor in the browser and switches to the"
    " customer",
    target_fixture="visits",
)
def _(
    access: AccessView, edi_monitor: EdiMonitor, browser_evidence: BrowserEvidence
) -> list[Visit]:
    web = MonitorWeb(browser_evidence.page, edi_monitor.web_url("TEST"))
    visits = []
    for planned in access.plan.users:
        password = access.password(planned.username)
        if password is None or not keeps_access(planned, access.plan.phase):
            continue
        login = web.log_in(planned.username, password)
        if "/switch" not in login.url:
            visits.append(Visit(planned.username, login, logged_in=False))
            continue
        offered = tuple(web.customers())
        dashboard = web.switch_to(access.customer.id)
        if dashboard is None:
            visits.append(Visit(planned.username, login, True, offered=offered))
            continue
        messages = tuple(web.dashboard_messages())
        admin_page = web.open(ADMIN_PAGE)
        visits.append(
            Visit(planned.username, login, True, dashboard, messages, admin_page, offered)
        )
    attach_json("browser visits", [asdict(v) for v in visits])
    check(bool(visits), access.label, "no partner user with a password to log in", "one or more")
    return visits


@then("the dashboard shows the customer's messages and only those")
def _(access: AccessView, edi_monitor: EdiMonitor, visits: list[Visit]) -> None:
    expected = {m.id for m in edi_monitor.messages("TEST", access.customer.id)}
    problems = []
    for visit in visits:
        if not visit.logged_in:
            problems.append(f"{visit.username} could not log in: {visit.login.alert!r}")
            continue
        if visit.dashboard is None:
            offered = listing(list(visit.offered))
            problems.append(f"{visit.username} is not offered the customer (switch: {offered})")
            continue
        shown = set(visit.messages)
        if shown != expected or access.customer.name not in visit.dashboard.heading:
            problems.append(
                f"{visit.username} sees dashboard {visit.dashboard.heading!r} with messages of"
                f" other customers {listing(shown - expected)}, missing {listing(expected - shown)}"
            )
    _report(access, problems, f"the dashboard of {access.customer.name} with its messages")


@then("the partner users admin page is refused with an explanation")
def _(access: AccessView, visits: list[Visit]) -> None:
    problems = []
    for visit in visits:
        page = visit.admin_page
        if page is None:
            continue
        if page.status != 403 or "permission" not in page.alert:
            problems.append(
                f"{visit.username} was shown page {ADMIN_PAGE} (HTTP {page.status},"
                f" {page.heading!r})"
            )
    _report(access, problems, f"page {ADMIN_PAGE} refused (HTTP 403 saying which permission)")


def _revoked(access: AccessView) -> list[tuple[Instance, str, str]]:
    found = []
    for user in access.all_users():
        password = access.password(user.username)
        if not user.enabled and password is not None:
            found.append((user.instance, user.username, password))
    attach_json("revoked partner users", [f"{u} on {i}" for i, u, _ in found])
    return found


@then("no revoked partner user can log in to the monitor in the browser")
def _(access: AccessView, edi_monitor: EdiMonitor, request: pytest.FixtureRequest) -> None:
    problems = []
    revoked = _revoked(access)
    # The browser only when there is someone to try: no context for a customer without.
    evidence: BrowserEvidence | None = (
        request.getfixturevalue("browser_evidence") if revoked else None
    )
    for instance, username, password in revoked:
        assert evidence is not None
        web = MonitorWeb(evidence.page, edi_monitor.web_url(instance))
        shown = web.log_in(username, password)
        if shown.status != 401 or "/login" not in shown.url:
            problems.append(
                f"{username} (revoked) logged in on {instance}: HTTP {shown.status}, page"
                f" {shown.heading!r}"
            )
    _report(access, problems, "the login refused for every revoked partner user")


@then("no revoked partner user can call the monitor API")
def _(access: AccessView, edi_monitor: EdiMonitor) -> None:
    problems = []
    for instance, username, password in _revoked(access):
        answer = edi_monitor.visible_sub_companies(instance, access.customer.id, username, password)
        if answer.status not in (401, 403):
            problems.append(
                f"{username} (revoked) called the API on {instance}: HTTP {answer.status}"
            )
    _report(access, problems, "HTTP 401 or 403 for every revoked partner user")
