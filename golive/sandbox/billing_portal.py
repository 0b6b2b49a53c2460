"""The billing sandbox's web portals, server-rendered HTML with plain forms.

Customer portal (``/portal``): login, the account page (name, next bill date, balance,
contact form), an online payment, the usage report, and signup, which creates an account
and its subscription in billing through the same code the API runs.

Admin portal (``/admin``): staff login (each staff member with their own password,
``GOLIVE_SANDBOX_STAFF_TOKEN``; the administrator with the sandbox token; a failed login
says why in ``p.errornote``, not in an alert), a home page whose menu (``nav`` "Main
menu") offers each function the staff member's roles permit (work orders, tickets, add
account, add package) above help links named like the functions, those pages (each with
a heading of its own, not the menu's text), and the event log. Without the permission the
list pages answer 200 with a message (``permission-denied``) and the add pages 403.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import billing_core as core
from .billing_faults import (
    CONTACT_UPDATE_NOT_SAVED,
    PORTAL_LOGIN_LANDS_ON_ERROR,
    PORTAL_PAYMENT_NOT_POSTED,
    SIGNUP_WITHOUT_PACKAGE,
)
from .common import Routes, Settings

STAFF_TOKEN_VAR = "GOLIVE_SANDBOX_STAFF_TOKEN"  # the staff's password (the launcher sets it)


def staff_token(token: str) -> str:
    """The staff password when none is set: derived from the sandbox token as the launcher
    derives it (golive/launcher.py), never the token itself."""
    return hashlib.sha256(f"golive-sandbox-staff:{token}".encode()).hexdigest()[:32]


# path -> (menu label, permission, the page's heading, what proves it opened, refused with 403)
FUNCTIONS = {
    "workorders": ("Work orders", "workorder:manage", "Work order queue", "", False),
    "tickets": ("Tickets", "ticket:edit", "Support tickets", 'data-testid="ticket-list"', False),
    "accounts/new": ("Add account", "account:create", "New customer account", "", True),
    "packages/new": ("Add package", "entitlement:create", "New package", "", True),
}
# faults that change one role's access to one page: fault -> (role, path, how), how: "!"
# refused with a 403 page, "~" refused with the page's 200 message, "+" opened
ACCESS_FAULTS = {
    "tickets-page-denied": ("csr", "tickets", "!"),
    "workorders-refused-for-field-tech": ("field-tech", "workorders", "~"),
    "tickets-page-unguarded": ("billing", "tickets", "+"),
}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
        f"</title></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>",
        status,
    )


def field(name: str, label: str, kind: str = "text", value: str = "") -> str:
    return (
        f'<p><label for="{name}">{label}</label> <input id="{name}" name="{name}"'
        f' type="{kind}" value="{html.escape(value)}"></p>'
    )


def login_form(action: str, error: str = "", note: bool = False) -> str:
    """The login form; a failure in an alert, or (``note``) in a plain ``p.errornote``."""
    where = 'class="errornote" data-testid="login-error"' if note else 'role="alert"'
    alert = f"<p {where}>{html.escape(error)}</p>" if error else ""
    return (
        f'{alert}<form method="post" action="{action}">{field("username", "Username")}'
        f'{field("password", "Password", "password")}<button type="submit">Sign in</button>'
        "</form>"
    )


async def form(request: Request) -> dict[str, str]:
    parsed = parse_qs((await request.body()).decode(), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def router(settings: Settings, instance_of: core.InstanceOf) -> Routes:
    web = Routes()

    def session(inst: core.Instance, request: Request, kind: str) -> str | None:
        token = request.cookies.get(kind, "")
        row = inst.db.one("SELECT * FROM sessions WHERE token = ? AND kind = ?", token, kind)
        return row["username"] if row else None

    def signed_in(inst: core.Instance, username: str, kind: str, to: str) -> Response:
        token = secrets.token_urlsafe(16)
        inst.db.execute("INSERT INTO sessions VALUES (?, ?, ?)", token, kind, username)
        response = RedirectResponse(to, 303)
        response.set_cookie(kind, token, httponly=True, samesite="lax")
        return response

    def customer(inst: core.Instance, request: Request) -> dict[str, Any] | None:
        user = session(inst, request, "portal")
        row = inst.db.one("SELECT account_key FROM portal_users WHERE username = ?", user)
        if row is None:
            return None
        return inst.db.one("SELECT * FROM accounts WHERE external_key = ?", row["account_key"])

    # ---- customer portal -------------------------------------------------------------
    @web.get("/portal/login")
    def portal_login(instance: core.InstanceName) -> Response:
        return page("Customer portal", login_form(f"/{instance}/portal/login"))

    @web.post("/portal/login")
    async def portal_login_post(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        user = data.get("username", "")
        known = inst.db.one("SELECT * FROM portal_users WHERE username = ?", user)
        ok = known is not None and core.password_ok(settings, user, data.get("password", ""))
        if not ok:
            return page(
                "Customer portal",
                login_form(f"/{instance}/portal/login", "Invalid username or password"),
                401,
            )
        landing = "welcome" if inst.fault(PORTAL_LOGIN_LANDS_ON_ERROR) else "account"
        return signed_in(inst, user, "portal", f"/{instance}/portal/{landing}")

    @web.get("/portal/welcome")
    def portal_welcome(instance: core.InstanceName) -> Response:
        """The dashboard the upgraded portal lands on after login, broken by the fault."""
        alert = '<p role="alert">We could not load your dashboard (error 500)</p>'
        return page("Customer portal", alert, 500)

    @web.get("/portal/account")
    def portal_account(instance: core.InstanceName, request: Request, saved: str = "") -> Response:
        inst = instance_of(instance)
        acct = customer(inst, request)
        if acct is None:
            return RedirectResponse(f"/{instance}/portal/login", 303)
        balance = acct["balance"]
        if inst.fault("portal-stale-balance"):  # cached from before the bill run
            cached = inst.db.one(
                "SELECT balance FROM portal_balance_cache WHERE account_id = ?", acct["id"]
            )
            balance = cached["balance"] if cached else balance
        sub = inst.db.one(
            "SELECT min(charged_through) AS d FROM subscriptions WHERE"
            " account_id = ? AND state = 'ACTIVE'",
            acct["id"],
        )
        emails = inst.db.all("SELECT email FROM account_emails WHERE account_id = ?", acct["id"])
        user = session(inst, request, "portal")
        note = '<p data-testid="contact-saved">Contact saved</p>' if saved else ""
        body = (
            f"<p>Signed in as {html.escape(str(user))}</p><dl>"
            f'<dt>Account number</dt><dd data-testid="account-number">{acct["external_key"]}</dd>'
            f'<dt>Account name</dt><dd data-testid="account-name">{html.escape(acct["name"])}</dd>'
            f'<dt>Next bill date</dt><dd data-testid="bill-date">{(sub or {}).get("d") or ""}</dd>'
            f'<dt>Balance</dt><dd data-testid="balance">{balance:.2f}</dd>'
            f"<dt>Currency</dt><dd>{acct['currency']}</dd>"
            f"<dt>Emails</dt><dd>{html.escape(', '.join(e['email'] for e in emails))}</dd></dl>"
            f'<h2>Contact</h2>{note}<form method="post" action="/{instance}/portal/contact">'
            f"{field('phone', 'Phone', 'tel', acct['phone'] or '')}"
            f"{field('email', 'Additional email', 'email')}"
            '<button type="submit">Save contact</button></form>'
            f'<nav><a href="/{instance}/portal/pay">Pay online</a> '
            f'<a href="/{instance}/portal/usage">Usage</a></nav>'
        )
        return page("My account", body)

    @web.post("/portal/contact")
    async def portal_contact(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        acct = customer(inst, request)
        if acct is None:
            return RedirectResponse(f"/{instance}/portal/login", 303)
        if data.get("phone") and not inst.fault(CONTACT_UPDATE_NOT_SAVED):
            inst.db.execute("UPDATE accounts SET phone = ? WHERE id = ?", data["phone"], acct["id"])
        if data.get("email"):
            inst.db.execute("INSERT INTO account_emails VALUES (?, ?)", acct["id"], data["email"])
        core.audit(inst, "ACCOUNT", acct["id"], "UPDATE", "customer-portal")
        return RedirectResponse(f"/{instance}/portal/account?saved=1", 303)

    @web.get("/portal/pay")
    def portal_pay(instance: core.InstanceName, request: Request) -> Response:
        if customer(instance_of(instance), request) is None:
            return RedirectResponse(f"/{instance}/portal/login", 303)
        return page(
            "Pay online",
            f'<form method="post" action="/{instance}/portal/pay">'
            f'{field("amount", "Amount", "text")}<button type="submit">Pay now</button>'
            "</form>",
        )

    @web.post("/portal/pay")
    async def portal_pay_post(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        acct = customer(inst, request)
        if acct is None:
            return RedirectResponse(f"/{instance}/portal/login", 303)
        method = inst.db.one(
            "SELECT * FROM payment_methods WHERE id = ?", acct["payment_method_id"]
        )
        if method is None:
            return page("Pay online", '<p role="alert">No payment method on file</p>', 400)
        if inst.fault(PORTAL_PAYMENT_NOT_POSTED):
            reference = secrets.token_hex(8)
        else:
            status, record = core.purchase(
                inst, acct, method, float(data["amount"]), "customer-portal"
            )
            if status != 201:
                return page("Pay online", '<p role="alert">Payment declined</p>', 402)
            reference = record["paymentId"]
        return page(
            "Payment received",
            f'<p>Thank you. Reference <span data-testid="payment-reference">{reference}</span></p>',
        )

    @web.get("/portal/usage")
    def portal_usage(instance: core.InstanceName, request: Request) -> Response:
        inst = instance_of(instance)
        acct = customer(inst, request)
        if acct is None:
            return RedirectResponse(f"/{instance}/portal/login", 303)
        rows = inst.db.all(
            "SELECT * FROM usage WHERE account = ? ORDER BY day", acct["external_key"]
        )
        cells = "".join(
            f"<tr><td>{r['day']}</td><td>{r['quantity']}</td><td>{r['unit']}</td></tr>"
            for r in rows
        )
        return page(
            "Usage", f"<table><tr><th>Day</th><th>Quantity</th><th>Unit</th></tr>{cells}</table>"
        )

    @web.get("/portal/signup")
    def portal_signup(instance: core.InstanceName) -> Response:
        plans = instance_of(instance).db.all("SELECT name FROM plans ORDER BY name")
        options = "".join(f'<option value="{p["name"]}">{p["name"]}</option>' for p in plans)
        return page(
            "Sign up",
            f'<form method="post" action="/{instance}/portal/signup">'
            f"{field('name', 'Name')}{field('email', 'Email', 'email')}"
            f'<p><label for="plan">Plan</label> <select id="plan" name="plan">'
            f'{options}</select></p><button type="submit">Sign up</button></form>',
        )

    @web.post("/portal/signup")
    async def portal_signup_post(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        row = core.create_account(
            inst, {"name": data["name"], "email": data["email"]}, "customer-portal"
        )
        if not inst.fault(SIGNUP_WITHOUT_PACKAGE):
            core.create_subscription(inst, row["id"], data["plan"], "customer-portal")
        return page(
            "Welcome",
            f'<p>Your account number is <span data-testid="new-account">'
            f"{row['external_key']}</span></p>",
        )

    # ---- admin portal ----------------------------------------------------------------
    def staff(inst: core.Instance, request: Request) -> tuple[str, set[str], set[str]] | None:
        """The signed-in staff member, their permissions, and the pages a fault changes
        for one of their roles (``ACCESS_FAULTS``: ``!path``, ``~path``, ``+path``)."""
        user = session(inst, request, "admin")
        row = inst.db.one("SELECT roles FROM users WHERE username = ?", user)
        if user is None or row is None:
            return None
        perms: set[str] = set()
        changed: set[str] = set()
        for role in json.loads(row["roles"]):
            found = inst.db.one("SELECT permissions FROM roles WHERE role = ?", role)
            perms |= set(json.loads(found["permissions"])) if found else set()
            for fault, (subject, path, how) in ACCESS_FAULTS.items():
                if role == subject and inst.fault(fault, subject):
                    changed.add(how + path)
        return user, perms, changed

    def staff_password_ok(user: str, password: str) -> bool:
        """The administrator's password is the sandbox token; every other staff member's
        is the staff token (derived from the sandbox token when none is set)."""
        admin = user == core.sandbox_user()
        staff_password = os.environ.get(STAFF_TOKEN_VAR) or staff_token(settings.token)
        expected = settings.token if admin else staff_password
        return bool(user) and secrets.compare_digest(password.encode(), expected.encode())

    @web.get("/admin/login")
    def admin_login(instance: core.InstanceName) -> Response:
        return page("Admin portal", login_form(f"/{instance}/admin/login", note=True))

    @web.post("/admin/login")
    async def admin_login_post(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        user = data.get("username", "")
        row = inst.db.one("SELECT * FROM users WHERE username = ?", user)
        if row is None or not staff_password_ok(user, data.get("password", "")):
            return page(
                "Admin portal",
                login_form(f"/{instance}/admin/login", "Invalid username or password", True),
                401,
            )
        if row["password_expired"]:
            return page(
                "Admin portal",
                login_form(f"/{instance}/admin/login", "Your password has expired", True),
                403,
            )
        return signed_in(inst, user, "admin", f"/{instance}/admin/")

    @web.get("/admin/")
    def admin_home(instance: core.InstanceName, request: Request) -> Response:
        found = staff(instance_of(instance), request)
        if found is None:
            return RedirectResponse(f"/{instance}/admin/login", 303)
        user, perms, _ = found
        links = "".join(
            f'<li><a href="/{instance}/admin/{path}">{label}</a></li>'
            for path, (label, perm, *_) in FUNCTIONS.items()
            if perm in perms
        )
        # help on every function, whatever the role may open: links, but not the menu
        help_links = " ".join(
            f'<a href="/{instance}/admin/help#{path}">{label}</a>'
            for path, (label, *_) in FUNCTIONS.items()
        )
        return page(
            "Admin home",
            f"<p>Signed in as {html.escape(user)}</p>"
            f'<nav aria-label="Main menu"><ul>{links}<li><a href="/{instance}/admin/'
            f'events">Event log</a></li></ul></nav><footer><p>Help: {help_links}</p></footer>',
        )

    @web.get("/admin/events")
    def admin_events(instance: core.InstanceName, request: Request) -> Response:
        inst = instance_of(instance)
        if staff(inst, request) is None:
            return RedirectResponse(f"/{instance}/admin/login", 303)
        rows = inst.db.all("SELECT * FROM events ORDER BY at")
        cells = "".join(
            f"<tr><td>{r['at']}</td><td>{r['level']}</td><td>{r['source']}</td>"
            f"<td>{html.escape(r['message'])}</td></tr>"
            for r in rows
        )
        return page(
            "Event log",
            f"<table><tr><th>At</th><th>Level</th><th>Source</th>"
            f"<th>Message</th></tr>{cells}</table>",
        )

    def function_page(path: str) -> Any:
        label, perm, heading, marker, forbidden = FUNCTIONS[path]

        def show(instance: core.InstanceName, request: Request) -> Response:
            found = staff(instance_of(instance), request)
            if found is None:
                return RedirectResponse(f"/{instance}/admin/login", 303)
            _, perms, changed = found
            if f"!{path}" in changed:  # a fault: refused with the portal's 403 page
                return page("Access denied", f"<p>You may not open {label}.</p>", 403)
            if (perm not in perms and f"+{path}" not in changed) or f"~{path}" in changed:
                if forbidden:
                    return page("Access denied", f"<p>You may not open {label}.</p>", 403)
                return page(  # the list pages refuse with a message, and answer 200
                    label,
                    f'<p role="alert" data-testid="permission-denied">You do not have'
                    f" permission to open {label}.</p>",
                )
            return page(
                heading,
                f"<form {marker}><p>{label}: ready.</p>"
                f"<p>Choose the account and fill in the details.</p>"
                '<button type="button">New</button></form>',
            )

        return show

    for path in FUNCTIONS:
        web.add_api_route(f"/admin/{path}", function_page(path), methods=["GET"])
    return web
