"""The EDI monitor's server-rendered web UI (sandbox).

Login, the customer switch a partner user makes, the dashboard with the chosen customer's
messages, a message's detail and the company's partner-users admin page. A page
the user lacks the permission for answers 403 with a page that says which permission.
Templates are plain ``string.Template`` files under ``templates/``: no engine needed.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .common import Routes
from .monitor_faults import (
    DASHBOARD_LEAKS_OTHER_CUSTOMER,
    PARTNER_USERS_PAGE_OPEN,
    REVOKED_USER_CAN_LOG_IN,
)

if TYPE_CHECKING:
    from .monitor import Monitor

COOKIE = "monitor_session"


@cache
def template(name: str) -> Template:
    text = resources.files("golive.sandbox").joinpath(f"templates/monitor_{name}.html")
    return Template(text.read_text(encoding="utf-8"))


def render(instance: str, title: str, name: str, status: int = 200, **values: str) -> HTMLResponse:
    body = template(name).substitute(values)
    page = template("layout").substitute(
        title=escape(title), instance=instance, who=values.get("who", ""), body=body
    )
    return HTMLResponse(page, status_code=status)


def denied(instance: str, what: str, reason: str) -> HTMLResponse:
    return render(
        instance, "Access denied", "denied", 403, what=escape(what), reason=escape(reason)
    )


def router(monitor: Monitor) -> Routes:
    web = Routes(prefix="/{instance}")
    db = monitor.db
    admin_user = os.environ.get("GOLIVE_SANDBOX_USER", "golive")

    def session(request: Request, instance: str) -> dict[str, Any] | None:
        sid = request.cookies.get(COOKIE, "")
        return db.one("SELECT * FROM monitor_sessions WHERE id = ? AND instance = ?", sid, instance)

    def to_login(instance: str) -> Response:
        return RedirectResponse(f"/monitor/{instance}/login", status_code=303)

    def grant(s: dict[str, Any]) -> dict[str, Any] | None:
        """The partner user's grant for the customer the session switched to."""
        grants = monitor.grants(s["instance"], s["username"], fault=REVOKED_USER_CAN_LOG_IN)
        return next((g for g in grants if g["customer_id"] == s["customer_id"]), None)

    @web.get("/login")
    def login_form(instance: str) -> Response:
        monitor.instance(instance)
        return render(instance, "Log in", "login", error="", action=f"/monitor/{instance}/login")

    @web.post("/login")
    async def login(instance: str, request: Request) -> Response:
        monitor.instance(instance)
        form = parse_qs((await request.body()).decode())
        username = form.get("username", [""])[0]
        password = form.get("password", [""])[0]
        is_admin = username == admin_user
        grants = monitor.grants(instance, username, fault=REVOKED_USER_CAN_LOG_IN)
        if not monitor.password_ok(password) or not (is_admin or grants):
            error = (
                '<p role="alert">Login failed: wrong username or password, or access revoked.</p>'
            )
            action = f"/monitor/{instance}/login"
            return render(instance, "Log in", "login", 401, error=error, action=action)
        sid = secrets.token_urlsafe(24)
        db.execute(
            "INSERT INTO monitor_sessions VALUES (?, ?, ?, ?, NULL)",
            sid,
            instance,
            username,
            int(is_admin),
        )
        response = RedirectResponse(f"/monitor/{instance}/switch", status_code=303)
        response.set_cookie(COOKIE, sid, httponly=True, samesite="lax")
        return response

    @web.get("/switch")
    def switch_form(instance: str, request: Request) -> Response:
        s = session(request, instance)
        if s is None:
            return to_login(instance)
        if s["admin"]:
            ids = [r["customer_id"] for r in db.all("SELECT customer_id FROM monitor_onboarding")]
        else:
            ids = [g["customer_id"] for g in monitor.grants(instance, s["username"], fault=None)]
        buttons = "\n".join(
            f'<button name="customer" value="{escape(c)}">'
            f"{escape(monitor.company(c)['name'])} ({escape(c)})</button>"
            for c in ids
        )
        return render(
            instance, "Select a customer", "switch", buttons=buttons,
            action=f"/monitor/{instance}/switch", who=escape(s["username"]),
        )  # fmt: skip

    @web.post("/switch")
    async def switch(instance: str, request: Request) -> Response:
        s = session(request, instance)
        if s is None:
            return to_login(instance)
        customer = parse_qs((await request.body()).decode()).get("customer", [""])[0]
        if not s["admin"] and grant({**s, "customer_id": customer}) is None:
            return denied(instance, f"open the monitor of {customer}", "No partner access.")
        db.execute("UPDATE monitor_sessions SET customer_id = ? WHERE id = ?", customer, s["id"])
        return RedirectResponse(f"/monitor/{instance}/dashboard", status_code=303)

    def current(request: Request, instance: str) -> tuple[dict[str, Any] | None, Response | None]:
        s = session(request, instance)
        if s is None:
            return None, to_login(instance)
        if s["customer_id"] is None:
            return None, RedirectResponse(f"/monitor/{instance}/switch", status_code=303)
        if not s["admin"] and grant(s) is None:
            return None, denied(instance, "use this monitor", "Your access was revoked.")
        return s, None

    @web.get("/dashboard")
    def dashboard(instance: str, request: Request) -> Response:
        s, early = current(request, instance)
        if s is None:
            return early or to_login(instance)
        companies = [s["customer_id"]]
        if monitor.settings.fault_on(DASHBOARD_LEAKS_OTHER_CUSTOMER, s["customer_id"]):
            companies += ["C-100"]
        rows = "\n".join(
            f'<tr data-testid="message-row"><td><a data-testid="message-id"'
            f' href="/monitor/{instance}/messages/{m["id"]}">{m["id"]}</a></td>'
            f"<td>{escape(m['company_id'])}</td><td>{m['document']}</td>"
            f"<td>{escape(m['trading_partner'])}</td><td>{m['state']}</td>"
            f"<td>{m['received_at']}</td></tr>"
            for m in monitor.messages(instance, companies)
        )
        name = escape(monitor.company(s["customer_id"])["name"])
        return render(
            instance, "Dashboard", "dashboard", customer=name, rows=rows,
            switch=f"/monitor/{instance}/switch", who=escape(s["username"]),
        )  # fmt: skip

    @web.get("/messages/{message_id}")
    def message(instance: str, message_id: str, request: Request) -> Response:
        s, early = current(request, instance)
        if s is None:
            return early or to_login(instance)
        g = grant(s)
        if not s["admin"] and (g is None or "view_message_content" not in g["permissions"]):
            return denied(instance, "view message content", "Required: view_message_content.")
        m = db.one(
            "SELECT * FROM monitor_messages WHERE instance = ? AND id = ? AND company_id = ?",
            instance,
            message_id,
            s["customer_id"],
        )
        if m is None:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        values = {k: escape(str(m[k])) for k in ("id", "state", "document", "content")}
        return render(instance, f"Message {message_id}", "message", 200, **values)

    @web.get("/company/partner-users")
    def partner_users(instance: str, request: Request) -> Response:
        s, early = current(request, instance)
        if s is None:
            return early or to_login(instance)
        open_ = monitor.settings.fault_on(PARTNER_USERS_PAGE_OPEN, s["customer_id"])
        if not s["admin"] and not open_:
            return denied(instance, "manage partner users", "Only the customer's admin users can.")
        rows = "\n".join(
            f"<tr><td>{escape(u['username'])}</td><td>{escape(u['partner_company'])}</td>"
            f"<td>{escape(', '.join(u['permissions']))}</td><td>{u['expires_at'] or ''}</td>"
            f"<td>{'yes' if u['enabled'] else 'no'}</td></tr>"
            for u in monitor.users(instance, s["customer_id"])
        )
        return render(instance, "Partner users", "partner_users", rows=rows)

    return web
