"""The billing sandbox's web portals, server-rendered HTML with plain forms.

Customer portal (``/portal``): login, the account page (name, next bill date, balance,
contact form), an online payment, the usage report, and signup, which creates an account
and its subscription in billing through the same code the API runs.

Admin portal (``/admin``): staff login, a home page whose menu offers each function the
staff member's roles permit (work orders, tickets, add account, add package), those
pages (``Access denied`` without the permission), and the event log.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import billing_core as core
from .common import Settings

FUNCTIONS = {  # path -> (menu label, permission)
    "workorders": ("Work orders", "workorder:manage"),
    "tickets": ("Tickets", "ticket:edit"),
    "accounts/new": ("Add account", "account:create"),
    "packages/new": ("Add package", "entitlement:create"),
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


def login_form(action: str, error: str = "") -> str:
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return (
        f'{alert}<form method="post" action="{action}">{field("username", "Username")}'
        f'{field("password", "Password", "password")}<button type="submit">Sign in</button>'
        "</form>"
    )


async def form(request: Request) -> dict[str, str]:
    parsed = parse_qs((await request.body()).decode(), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def router(settings: Settings, instance_of: core.InstanceOf) -> APIRouter:
    web = APIRouter()

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
        landing = "welcome" if inst.fault("portal-login-lands-on-error") else "account"
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
        if data.get("phone") and not inst.fault("contact-update-not-saved"):
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
        if inst.fault("portal-payment-not-posted"):
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
        if not inst.fault("signup-without-package"):
            core.create_subscription(inst, row["id"], data["plan"], "customer-portal")
        return page(
            "Welcome",
            f'<p>Your account number is <span data-testid="new-account">'
            f"{row['external_key']}</span></p>",
        )

    # ---- admin portal ----------------------------------------------------------------
    def staff(inst: core.Instance, request: Request) -> tuple[str, set[str]] | None:
        user = session(inst, request, "admin")
        row = inst.db.one("SELECT roles FROM users WHERE username = ?", user)
        if user is None or row is None:
            return None
        perms: set[str] = set()
        for role in json.loads(row["roles"]):
            found = inst.db.one("SELECT permissions FROM roles WHERE role = ?", role)
            perms |= set(json.loads(found["permissions"])) if found else set()
            if role == "csr" and inst.fault("tickets-page-denied", "csr"):
                perms.add("!tickets")
        return user, perms

    @web.get("/admin/login")
    def admin_login(instance: core.InstanceName) -> Response:
        return page("Admin portal", login_form(f"/{instance}/admin/login"))

    @web.post("/admin/login")
    async def admin_login_post(instance: core.InstanceName, request: Request) -> Response:
        inst, data = instance_of(instance), await form(request)
        user = data.get("username", "")
        row = inst.db.one("SELECT * FROM users WHERE username = ?", user)
        if row is None or not core.password_ok(settings, user, data.get("password", "")):
            return page(
                "Admin portal",
                login_form(f"/{instance}/admin/login", "Invalid username or password"),
                401,
            )
        if row["password_expired"]:
            return page(
                "Admin portal",
                login_form(f"/{instance}/admin/login", "Your password has expired"),
                403,
            )
        return signed_in(inst, user, "admin", f"/{instance}/admin/")

    @web.get("/admin/")
    def admin_home(instance: core.InstanceName, request: Request) -> Response:
        found = staff(instance_of(instance), request)
        if found is None:
            return RedirectResponse(f"/{instance}/admin/login", 303)
        user, perms = found
        links = "".join(
            f'<li><a href="/{instance}/admin/{path}">{label}</a></li>'
            for path, (label, perm) in FUNCTIONS.items()
            if perm in perms
        )
        return page(
            "Admin home",
            f"<p>Signed in as {html.escape(user)}</p>"
            f'<nav aria-label="Main menu"><ul>{links}<li><a href="/{instance}/admin/'
            'events">Event log</a></li></ul></nav>',
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
        label, perm = FUNCTIONS[path]

        def show(instance: core.InstanceName, request: Request) -> Response:
            found = staff(instance_of(instance), request)
            if found is None:
                return RedirectResponse(f"/{instance}/admin/login", 303)
            _, perms = found
            if perm not in perms or (path == "tickets" and "!tickets" in perms):
                return page("Access denied", f"<p>You may not open {label}.</p>", 403)
            return page(
                label, f'<form><p>{label}: ready.</p><button type="button">New</button></form>'
            )

        return show

    for path in FUNCTIONS:
        web.add_api_route(f"/admin/{path}", function_page(path), methods=["GET"])
    return web
