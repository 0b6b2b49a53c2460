"""The billing sandbox's Kill Bill-compatible API (a subset of Kill Bill 0.24.0).

Paths, parameters, headers, statuses and record shapes follow
``killbill-swagger-0.24.0.yaml``: ``/1.0/kb/accounts`` (by id, by ``externalKey``,
``/pagination`` with ``offset``/``limit`` and the ``X-Killbill-Pagination-*`` headers),
bundles, invoices with their items, payments and payment methods, the catalog,
subscriptions, security roles/users/permissions and audit logs. Reads need basic auth and
the tenant's API key and secret; writes also ``X-Killbill-CreatedBy``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from . import billing_core as core
from .common import Settings


def _dumps(value: Any) -> Response:
    return Response(json.dumps(value, separators=(",", ":")), media_type="application/json")


def router(settings: Settings, instance_of: core.InstanceOf) -> APIRouter:
    def authorised(request: Request) -> None:
        key = request.headers.get("x-killbill-apikey", "")
        secret = request.headers.get("x-killbill-apisecret", "")
        if not core.basic_ok(settings, request):
            raise HTTPException(401, "missing or invalid basic credentials")
        if not (
            secrets.compare_digest(key, settings.token)
            and secrets.compare_digest(secret, settings.token)
        ):
            raise HTTPException(401, "unknown tenant: X-Killbill-ApiKey/ApiSecret")

    def created_by(request: Request) -> str:
        who = request.headers.get("x-killbill-createdby", "")
        if not who:
            raise HTTPException(400, "X-Killbill-CreatedBy header is required")
        return who

    api = APIRouter(dependencies=[Depends(authorised)])

    @api.get("/accounts")
    def by_key(
        instance: core.InstanceName,
        externalKey: str,
        accountWithBalance: bool = False,
        accountWithBalanceAndCBA: bool = False,
    ) -> dict[str, Any]:
        inst = instance_of(instance)
        row = inst.db.one("SELECT * FROM accounts WHERE external_key = ?", externalKey)
        if row is None:
            raise HTTPException(404, f"Account does not exist for externalKey {externalKey}")
        return core.account_json(row, accountWithBalance, accountWithBalanceAndCBA)

    @api.get("/accounts/pagination")
    def pagination(
        instance: core.InstanceName,
        offset: int = 0,
        limit: int = 100,
        accountWithBalance: bool = False,
        accountWithBalanceAndCBA: bool = False,
    ) -> Response:
        inst = instance_of(instance)
        limit = max(0, min(limit, 10_000))
        rows = (
            inst.db.connect()
            .execute("SELECT * FROM accounts ORDER BY rid LIMIT ? OFFSET ?", (limit, offset))
            .fetchall()
        )
        total = inst.db.connect().execute("SELECT count(*) FROM accounts").fetchone()[0]
        body = [
            core.account_json(dict(r), accountWithBalance, accountWithBalanceAndCBA) for r in rows
        ]
        response = _dumps(body)
        nxt = offset + len(rows)
        response.headers["X-Killbill-Pagination-CurrentOffset"] = str(offset)
        response.headers["X-Killbill-Pagination-TotalNbRecords"] = str(total)
        response.headers["X-Killbill-Pagination-MaxNbRecords"] = str(total)
        if nxt < total:
            response.headers["X-Killbill-Pagination-NextOffset"] = str(nxt)
            response.headers["X-Killbill-Pagination-NextPageUri"] = (
                f"/1.0/kb/accounts/pagination?offset={nxt}&limit={limit}"
            )
        return response

    @api.get("/accounts/{accountId}")
    def account(
        instance: core.InstanceName,
        accountId: str,
        accountWithBalance: bool = False,
        accountWithBalanceAndCBA: bool = False,
    ) -> dict[str, Any]:
        row = core.account_row(instance_of(instance), accountId)
        return core.account_json(row, accountWithBalance, accountWithBalanceAndCBA)

    @api.post("/accounts", status_code=201)
    async def create_account(instance: core.InstanceName, request: Request) -> JSONResponse:
        inst, who = instance_of(instance), created_by(request)
        row = core.create_account(inst, await request.json(), who)
        return JSONResponse(
            core.account_json(row), 201, {"Location": f"/1.0/kb/accounts/{row['id']}"}
        )

    @api.put("/accounts/{accountId}", status_code=204)
    async def update_account(
        instance: core.InstanceName, accountId: str, request: Request
    ) -> Response:
        inst, who = instance_of(instance), created_by(request)
        core.account_row(inst, accountId)
        body = await request.json()
        for field, column in (("name", "name"), ("phone", "phone"), ("email", "email")):
            if body.get(field) is not None:
                inst.db.execute(
                    f"UPDATE accounts SET {column} = ? WHERE id = ?", body[field], accountId
                )
        core.audit(inst, "ACCOUNT", accountId, "UPDATE", who)
        return Response(status_code=204)

    @api.get("/accounts/{accountId}/emails")
    def emails(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        inst = instance_of(instance)
        core.account_row(inst, accountId)
        rows = inst.db.all("SELECT * FROM account_emails WHERE account_id = ?", accountId)
        return [{"accountId": r["account_id"], "email": r["email"]} for r in rows]

    @api.post("/accounts/{accountId}/emails", status_code=201)
    async def add_email(instance: core.InstanceName, accountId: str, request: Request) -> Response:
        inst, who = instance_of(instance), created_by(request)
        core.account_row(inst, accountId)
        email = (await request.json())["email"]
        inst.db.execute("INSERT INTO account_emails VALUES (?, ?)", accountId, email)
        core.audit(inst, "ACCOUNT_EMAIL", accountId, "INSERT", who)
        return Response(status_code=201)

    @api.get("/accounts/{accountId}/bundles")
    def bundles(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        inst = instance_of(instance)
        core.account_row(inst, accountId)
        out: dict[str, dict[str, Any]] = {}
        for s in inst.db.all("SELECT * FROM subscriptions WHERE account_id = ?", accountId):
            bundle = out.setdefault(
                s["bundle_id"],
                {
                    "accountId": accountId,
                    "bundleId": s["bundle_id"],
                    "externalKey": s["bundle_key"],
                    "subscriptions": [],
                    "auditLogs": [],
                },
            )
            bundle["subscriptions"].append(
                {
                    "accountId": accountId,
                    "bundleId": s["bundle_id"],
                    "bundleExternalKey": s["bundle_key"],
                    "subscriptionId": s["id"],
                    "externalKey": s["id"],
                    "startDate": s["start_date"],
                    "productName": s["product"],
                    "productCategory": "BASE",
                    "billingPeriod": "MONTHLY",
                    "phaseType": "EVERGREEN",
                    "priceList": s["price_list"],
                    "planName": s["plan"],
                    "state": s["state"],
                    "chargedThroughDate": s["charged_through"],
                    "billCycleDayLocal": 1,
                    "events": [],
                    "priceOverrides": [],
                    "auditLogs": [],
                }
            )
        return list(out.values())

    @api.get("/accounts/{accountId}/invoices")
    def invoices(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        inst = instance_of(instance)
        core.account_row(inst, accountId)
        out = []
        for v in inst.db.all(
            "SELECT * FROM invoices WHERE account_id = ? ORDER BY date", accountId
        ):
            items = inst.db.all(
                "SELECT * FROM invoice_items WHERE invoice_id = ? ORDER BY type", v["id"]
            )
            out.append(
                {
                    "invoiceId": v["id"],
                    "accountId": accountId,
                    "invoiceNumber": str(v["number"]),
                    "invoiceDate": v["date"],
                    "targetDate": v["date"],
                    "amount": v["amount"],
                    "balance": v["balance"],
                    "currency": v["currency"],
                    "status": "COMMITTED",
                    "creditAdj": 0,
                    "refundAdj": 0,
                    "credits": [],
                    "auditLogs": [],
                    "items": [
                        {
                            "invoiceItemId": i["id"],
                            "invoiceId": v["id"],
                            "accountId": accountId,
                            "subscriptionId": i["subscription_id"],
                            "planName": i["plan"],
                            "itemType": i["type"],
                            "description": i["description"],
                            "startDate": i["start_date"],
                            "endDate": i["end_date"],
                            "amount": i["amount"],
                            "currency": v["currency"],
                        }
                        for i in items
                    ],
                }
            )
        return out

    @api.get("/accounts/{accountId}/paymentMethods")
    def payment_methods(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        inst = instance_of(instance)
        core.account_row(inst, accountId)
        rows = inst.db.all("SELECT * FROM payment_methods WHERE account_id = ?", accountId)
        return [
            {
                "paymentMethodId": r["id"],
                "externalKey": r["external_key"],
                "accountId": accountId,
                "isDefault": bool(r["is_default"]),
                "pluginName": r["plugin"],
                "pluginInfo": None,
                "auditLogs": [],
            }
            for r in rows
        ]

    @api.get("/accounts/{accountId}/payments")
    def payments(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        inst = instance_of(instance)
        core.account_row(inst, accountId)
        rows = inst.db.all("SELECT * FROM payments WHERE account_id = ? ORDER BY number", accountId)
        return [core.payment_json(r) for r in rows]

    @api.post("/accounts/{accountId}/payments")
    async def pay(
        instance: core.InstanceName,
        accountId: str,
        request: Request,
        paymentMethodId: str = "",
    ) -> JSONResponse:
        inst, who = instance_of(instance), created_by(request)
        account = core.account_row(inst, accountId)
        body = await request.json()
        if body.get("transactionType") != "PURCHASE":
            raise HTTPException(400, "only PURCHASE transactions are supported by the sandbox")
        method = inst.db.one(
            "SELECT * FROM payment_methods WHERE id = ? AND account_id = ?",
            paymentMethodId or account["payment_method_id"],
            accountId,
        )
        if method is None:
            raise HTTPException(400, f"no payment method {paymentMethodId} on {accountId}")
        status, record = core.purchase(inst, account, method, float(body["amount"]), who)
        return JSONResponse(record, status, {"Location": f"/1.0/kb/payments/{record['paymentId']}"})

    @api.get("/payments/{paymentId}")
    def payment(instance: core.InstanceName, paymentId: str) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM payments WHERE id = ?", paymentId)
        if row is None:
            raise HTTPException(404, f"Object id={paymentId} type=PAYMENT doesn't exist!")
        return core.payment_json(row)

    @api.get("/accounts/{accountId}/auditLogs")
    def audit_logs(instance: core.InstanceName, accountId: str) -> list[dict[str, Any]]:
        rows = instance_of(instance).db.all(
            "SELECT * FROM audit WHERE object_id = ? ORDER BY id", accountId
        )
        return [
            {
                "changeType": r["change_type"],
                "changeDate": r["at"],
                "objectType": r["object_type"],
                "objectId": r["object_id"],
                "changedBy": r["changed_by"],
            }
            for r in rows
        ]

    @api.post("/subscriptions", status_code=201)
    async def subscribe(instance: core.InstanceName, request: Request) -> JSONResponse:
        inst, who = instance_of(instance), created_by(request)
        body = await request.json()
        sub = core.create_subscription(inst, body["accountId"], body["planName"], who)
        return JSONResponse(
            {"subscriptionId": sub}, 201, {"Location": f"/1.0/kb/subscriptions/{sub}"}
        )

    @api.get("/catalog")
    def catalog(instance: core.InstanceName) -> list[dict[str, Any]]:
        plans = instance_of(instance).db.all("SELECT * FROM plans ORDER BY name")
        products: dict[str, list[dict[str, Any]]] = {}
        lists: dict[str, list[str]] = {}
        for p in plans:
            products.setdefault(p["product"], []).append(
                {
                    "name": p["name"],
                    "prettyName": p["name"],
                    "billingPeriod": "MONTHLY",
                    "phases": [
                        {
                            "type": "EVERGREEN",
                            "prices": [
                                {"currency": c, "value": p["price"]} for c in ("USD", "EUR")
                            ],
                        }
                    ],
                }
            )
            lists.setdefault(p["price_list"], []).append(p["name"])
        return [
            {
                "name": "sandbox",
                "effectiveDate": "2025-01-01T00:00:00Z",
                "currencies": ["USD", "EUR"],
                "products": [
                    {"type": "BASE", "name": n, "prettyName": n, "plans": ps}
                    for n, ps in products.items()
                ],
                "priceLists": [{"name": n, "plans": ps} for n, ps in lists.items()],
            }
        ]

    @api.get("/security/roles/{role}")
    def role(instance: core.InstanceName, role: str) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM roles WHERE role = ?", role)
        if row is None:
            raise HTTPException(404, f"role {role} does not exist")
        return {"role": role, "permissions": json.loads(row["permissions"])}

    @api.get("/security/users/{username}/roles")
    def user_roles(instance: core.InstanceName, username: str) -> dict[str, Any]:
        row = instance_of(instance).db.one("SELECT * FROM users WHERE username = ?", username)
        if row is None:
            raise HTTPException(404, f"user {username} does not exist")
        return {"username": username, "roles": json.loads(row["roles"])}

    @api.get("/security/permissions")
    def permissions(instance: core.InstanceName) -> list[str]:
        inst = instance_of(instance)
        row = inst.db.one("SELECT roles FROM users WHERE username = ?", core.sandbox_user())
        roles = json.loads(row["roles"]) if row else []
        out: set[str] = set()
        for r in roles:
            found = inst.db.one("SELECT permissions FROM roles WHERE role = ?", r)
            out |= set(json.loads(found["permissions"])) if found else set()
        return sorted(out)

    return api
