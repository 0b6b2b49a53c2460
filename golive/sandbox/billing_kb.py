"""The billing sandbox's Kill Bill-compatible API (a subset of Kill Bill 0.24.0).

Paths, parameters, headers, statuses and record shapes follow
``killbill-swagger-0.24.0.yaml``: ``/1.0/kb/accounts`` (by id, by ``externalKey``,
``/pagination`` with ``offset``/``limit`` and the ``X-Killbill-Pagination-*`` headers),
bundles, invoices with their items, payments and payment methods, the catalog,
subscriptions, security roles/users/permissions and audit logs. Reads need basic auth and
the tenant's API key and secret; writes also ``X-Killbill-CreatedBy`` (present; Kill Bill
does not require it to be non-empty).

The operations are a table (``operations``; ``api.py`` says how one is declared), one
handler each on :class:`Handlers`. Errors are Kill Bill's error JSON (``className``,
``code``, ``message``, ``causeClassName``, ``causeMessage``, ``stackTrace``), with the
status codes the spec documents for the operation and those tests/conformance/errata.py
lists where Kill Bill answers what its spec omits (401, and 404 for unknown accounts).
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.responses import JSONResponse

from . import api
from . import billing_core as core
from . import billing_kb_schemas as schemas
from .api import ApiError, Call, Operation, Param
from .common import Routes, Settings

KB_PATH = re.compile(r"^/[^/]+/1\.0/kb/")
CLASS_NAMES = {
    400: "java.lang.IllegalArgumentException",
    401: "org.apache.shiro.authz.UnauthenticatedException",
    402: "org.killbill.billing.payment.api.PaymentApiException",
    404: "org.killbill.billing.ObjectDoesNotExist",
    405: "javax.ws.rs.NotAllowedException",
}


class KillBillDialect:
    """Kill Bill's error JSON."""

    def claims(self, path: str) -> bool:
        return bool(KB_PATH.match(path))

    def error(self, error: ApiError) -> Response:
        body: dict[str, Any] = {
            "className": CLASS_NAMES.get(error.status, "org.killbill.billing.BillingExceptionBase"),
            "code": None,
            "message": error.message,
            "causeClassName": None,
            "causeMessage": None,
            "stackTrace": [],
        }
        return JSONResponse(body, status_code=error.status)


DIALECT = KillBillDialect()


def _dumps(value: Any) -> Response:
    return Response(json.dumps(value, separators=(",", ":")), media_type="application/json")


def date_time(value: str | None) -> str | None:
    """A stored date as the date-time the spec gives (``2025-01-01T00:00:00.000Z``)."""
    if value is None or len(value) != 10:
        return value
    return f"{value}T00:00:00.000Z"


ACCOUNT_ID = Param("accountId", "path", "uuid", required=True)
BALANCE = Param("accountWithBalance", "query", "bool", default=False)
BALANCE_CBA = Param("accountWithBalanceAndCBA", "query", "bool", default=False)
AUDIT = Param("audit", "query", default="NONE", choices=("FULL", "MINIMAL", "NONE"))
CREATED_BY = Param("X-Killbill-CreatedBy", "header", required=True)
PLUGIN_PROPERTY = Param("pluginProperty", "query", "list")


def flags(*names: str) -> tuple[Param, ...]:
    return tuple(Param(n, "query", "bool", default=False) for n in names)


def operations(h: Handlers) -> tuple[Operation, ...]:
    """The Kill Bill operations the sandbox emulates (paths under ``/1.0/kb``)."""
    return (
        Operation("GET", "/accounts", "getAccountByKey", (200, 400, 404), h.by_key,
                  (Param("externalKey", "query", required=True), BALANCE, BALANCE_CBA, AUDIT)),
        Operation("GET", "/accounts/pagination", "getAccounts", (200, 400), h.pagination,
                  (Param("offset", "query", "int64", default=0),
                   Param("limit", "query", "int64", default=100), BALANCE, BALANCE_CBA, AUDIT)),
        Operation("GET", "/accounts/{accountId}", "getAccount", (200, 400, 404), h.account,
                  (ACCOUNT_ID, BALANCE, BALANCE_CBA, AUDIT)),
        Operation("POST", "/accounts", "createAccount", (201, 400), h.create_account,
                  (CREATED_BY,), schemas.Account, status=201),
        Operation("PUT", "/accounts/{accountId}", "updateAccount", (204, 400, 404),
                  h.update_account,
                  (ACCOUNT_ID, Param("treatNullAsReset", "query", "bool", default=False),
                   CREATED_BY), schemas.Account, status=204),
        Operation("GET", "/accounts/{accountId}/emails", "getEmails", (200, 400, 404), h.emails,
                  (ACCOUNT_ID,)),
        Operation("POST", "/accounts/{accountId}/emails", "addEmail", (201, 400, 404),
                  h.add_email, (ACCOUNT_ID, CREATED_BY), schemas.AccountEmail, status=201),
        Operation("GET", "/accounts/{accountId}/bundles", "getAccountBundles", (200, 400, 404),
                  h.bundles,
                  (ACCOUNT_ID, Param("externalKey", "query"), Param("bundlesFilter", "query"),
                   AUDIT)),
        Operation("GET", "/accounts/{accountId}/invoices", "getInvoicesForAccount",
                  (200, 400, 404), h.invoices,
                  (ACCOUNT_ID, Param("startDate", "query", "date"),
                   Param("endDate", "query", "date"),
                   *flags("withMigrationInvoices", "unpaidInvoicesOnly", "includeVoidedInvoices",
                          "includeInvoiceComponents"),
                   Param("invoicesFilter", "query"), AUDIT)),
        Operation("GET", "/accounts/{accountId}/paymentMethods", "getPaymentMethodsForAccount",
                  (200, 400, 404), h.payment_methods,
                  (ACCOUNT_ID, *flags("withPluginInfo", "includedDeleted"), PLUGIN_PROPERTY,
                   AUDIT)),
        Operation("GET", "/accounts/{accountId}/payments", "getPaymentsForAccount",
                  (200, 400, 404), h.payments,
                  (ACCOUNT_ID, *flags("withAttempts", "withPluginInfo"), PLUGIN_PROPERTY, AUDIT)),
        Operation("POST", "/accounts/{accountId}/payments", "processPayment",
                  (201, 400, 402, 404, 422, 502, 503, 504), h.pay,
                  (ACCOUNT_ID, Param("paymentMethodId", "query", "uuid"),
                   Param("controlPluginName", "query", "list"), PLUGIN_PROPERTY, CREATED_BY),
                  schemas.PaymentTransaction, status=201),
        Operation("GET", "/payments/{paymentId}", "getPayment", (200, 400, 404), h.payment,
                  (Param("paymentId", "path", "uuid", required=True),
                   *flags("withPluginInfo", "withAttempts"), PLUGIN_PROPERTY, AUDIT)),
        Operation("GET", "/accounts/{accountId}/auditLogs", "getAccountAuditLogs", (200, 404),
                  h.audit_logs, (ACCOUNT_ID,)),
        Operation("POST", "/subscriptions", "createSubscription", (201, 400, 404), h.subscribe,
                  (Param("entitlementDate", "query", "date"),
                   Param("billingDate", "query", "date"),
                   Param("renameKeyIfExistsAndUnused", "query", "bool", default=True),
                   *flags("migrated", "skipResponse", "callCompletion"),
                   Param("callTimeoutSec", "query", "int64", default=3), PLUGIN_PROPERTY,
                   CREATED_BY), schemas.Subscription, status=201),
        Operation("GET", "/catalog", "getCatalogJson", (200, 400), h.catalog,
                  (Param("requestedDate", "query", "date-time"),
                   Param("accountId", "query", "uuid"))),
        Operation("GET", "/security/roles/{role}", "getRoleDefinition", (200,), h.role,
                  (Param("role", "path", required=True),)),
        Operation("GET", "/security/users/{username}/roles", "getUserRoles", (200, 404),
                  h.user_roles, (Param("username", "path", required=True),)),
        Operation("GET", "/security/permissions", "getCurrentUserPermissions", (200,),
                  h.permissions),
    )  # fmt: skip


def router(settings: Settings, instance_of: core.InstanceOf) -> Routes:
    handlers = Handlers(settings, instance_of)
    return api.Emulation(operations(handlers), DIALECT, handlers.authorised).router()


def subscription_json(s: dict[str, Any]) -> dict[str, Any]:
    """A subscription row as Kill Bill's Subscription record."""
    return {
        "accountId": s["account_id"],
        "bundleId": s["bundle_id"],
        "bundleExternalKey": s["bundle_key"],
        "subscriptionId": s["id"],
        "externalKey": s["id"],
        "startDate": date_time(s["start_date"]),
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


def not_found(what: str) -> ApiError:
    return ApiError(404, what)


class Handlers:
    """One method per operation, over the instance the request's path names."""

    def __init__(self, settings: Settings, instance_of: core.InstanceOf) -> None:
        self.settings = settings
        self.instance_of = instance_of

    def authorised(self, request: Request) -> None:
        key = request.headers.get("x-killbill-apikey", "")
        secret = request.headers.get("x-killbill-apisecret", "")
        if not core.basic_ok(self.settings, request):
            raise ApiError(401, "missing or invalid basic credentials")
        if not (
            secrets.compare_digest(key, self.settings.token)
            and secrets.compare_digest(secret, self.settings.token)
        ):
            raise ApiError(401, "unknown tenant: X-Killbill-ApiKey/ApiSecret")

    def inst(self, call: Call) -> core.Instance:
        try:
            return self.instance_of(call.request.url.path.split("/", 2)[1])
        except HTTPException as exc:
            raise ApiError(404, str(exc.detail)) from None

    def account_row(self, inst: core.Instance, account_id: str) -> dict[str, Any]:
        try:
            return core.account_row(inst, account_id)
        except HTTPException as exc:
            raise not_found(str(exc.detail)) from None

    def by_key(self, call: Call) -> Any:
        row = self.inst(call).db.one(
            "SELECT * FROM accounts WHERE external_key = ?", call["externalKey"]
        )
        if row is None:
            raise not_found(f"Account does not exist for externalKey {call['externalKey']}")
        return core.account_json(row, call["accountWithBalance"], call["accountWithBalanceAndCBA"])

    def pagination(self, call: Call) -> Response:
        inst = self.inst(call)
        offset, limit = call["offset"], call["limit"]
        offset, limit = max(offset, 0), max(0, min(limit, 10_000))  # as Kill Bill clamps
        conn = inst.db.connect()
        total = conn.execute("SELECT count(*) FROM accounts").fetchone()[0]
        rows = []
        if offset < total:
            rows = conn.execute(
                "SELECT * FROM accounts ORDER BY rid LIMIT ? OFFSET ?", (limit, offset)
            ).fetchall()
        body = [
            core.account_json(dict(r), call["accountWithBalance"], call["accountWithBalanceAndCBA"])
            for r in rows
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

    def account(self, call: Call) -> Any:
        row = self.account_row(self.inst(call), call["accountId"])
        return core.account_json(row, call["accountWithBalance"], call["accountWithBalanceAndCBA"])

    def create_account(self, call: Call) -> Response:
        inst = self.inst(call)
        given = call.body.model_dump(exclude_unset=True)
        key = given.get("externalKey")
        if key and inst.db.one("SELECT 1 AS x FROM accounts WHERE external_key = ?", key):
            raise ApiError(409, f"Account already exists for key {key}")
        row = core.create_account(inst, given, call["X-Killbill-CreatedBy"])
        return JSONResponse(
            core.account_json(row), 201, {"Location": f"/1.0/kb/accounts/{row['id']}"}
        )

    def update_account(self, call: Call) -> Response:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        given = call.body.model_dump(exclude_unset=True)
        with inst.db.transaction() as tx:
            for field in ("name", "phone", "email"):
                if given.get(field) is not None:
                    tx.execute(
                        f"UPDATE accounts SET {field} = ? WHERE id = ?", (given[field], account_id)
                    )
        core.audit(inst, "ACCOUNT", account_id, "UPDATE", call["X-Killbill-CreatedBy"])
        # the operation produces application/json, its 204 included (Swagger's `produces`)
        return Response(status_code=204, headers={"Content-Type": "application/json"})

    def emails(self, call: Call) -> Any:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        rows = inst.db.all("SELECT * FROM account_emails WHERE account_id = ?", account_id)
        return [{"accountId": r["account_id"], "email": r["email"]} for r in rows]

    def add_email(self, call: Call) -> Response:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        email = call.body.email
        if inst.db.one(
            "SELECT 1 AS x FROM account_emails WHERE account_id = ? AND email = ?",
            account_id,
            email,
        ):
            raise ApiError(400, f"Email {email} already exists for account {account_id}")
        inst.db.execute("INSERT INTO account_emails VALUES (?, ?)", account_id, email)
        core.audit(inst, "ACCOUNT_EMAIL", account_id, "INSERT", call["X-Killbill-CreatedBy"])
        rows = inst.db.all("SELECT * FROM account_emails WHERE account_id = ?", account_id)
        return JSONResponse(
            [{"accountId": r["account_id"], "email": r["email"]} for r in rows], 201
        )

    def bundles(self, call: Call) -> Any:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        out: dict[str, dict[str, Any]] = {}
        for s in inst.db.all("SELECT * FROM subscriptions WHERE account_id = ?", account_id):
            bundle = out.setdefault(
                s["bundle_id"],
                {
                    "accountId": account_id,
                    "bundleId": s["bundle_id"],
                    "externalKey": s["bundle_key"],
                    "subscriptions": [],
                    "auditLogs": [],
                },
            )
            bundle["subscriptions"].append(subscription_json(s))
        return list(out.values())

    def invoices(self, call: Call) -> Any:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        invoices = inst.db.all(
            "SELECT * FROM invoices WHERE account_id = ? ORDER BY date", account_id
        )
        # the account's items in one query, not one per invoice
        items: dict[str, list[dict[str, Any]]] = {v["id"]: [] for v in invoices}
        for i in inst.db.all(
            "SELECT * FROM invoice_items WHERE invoice_id IN"
            " (SELECT id FROM invoices WHERE account_id = ?) ORDER BY type, rowid",
            account_id,
        ):
            items[i["invoice_id"]].append(i)
        return [
            {
                "invoiceId": v["id"],
                "accountId": account_id,
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
                "items": [_item_json(i, account_id, v["currency"]) for i in items[v["id"]]],
            }
            for v in invoices
        ]

    def payment_methods(self, call: Call) -> Any:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        rows = inst.db.all("SELECT * FROM payment_methods WHERE account_id = ?", account_id)
        return [
            {
                "paymentMethodId": r["id"],
                "externalKey": r["external_key"],
                "accountId": account_id,
                "isDefault": bool(r["is_default"]),
                "pluginName": r["plugin"],
                "pluginInfo": None,
                "auditLogs": [],
            }
            for r in rows
        ]

    def payments(self, call: Call) -> Any:
        inst, account_id = self.inst(call), call["accountId"]
        self.account_row(inst, account_id)
        rows = inst.db.all(
            "SELECT * FROM payments WHERE account_id = ? ORDER BY number", account_id
        )
        return [core.payment_json(r) for r in rows]

    def pay(self, call: Call) -> Response:
        inst, account_id = self.inst(call), call["accountId"]
        account = self.account_row(inst, account_id)
        body: schemas.PaymentTransaction = call.body
        if body.transactionType != "PURCHASE":
            raise ApiError(400, "only PURCHASE transactions are supported by the sandbox")
        if body.amount is None or not 0 < body.amount < 1e12:
            raise ApiError(400, "a PURCHASE needs a positive amount")
        method_id = call["paymentMethodId"] or account["payment_method_id"]
        method = inst.db.one(
            "SELECT * FROM payment_methods WHERE id = ? AND account_id = ?", method_id, account_id
        )
        if method is None:
            raise ApiError(400, f"no payment method {method_id} on {account_id}")
        status, record = core.purchase(
            inst, account, method, float(body.amount), call["X-Killbill-CreatedBy"]
        )
        return JSONResponse(record, status, {"Location": f"/1.0/kb/payments/{record['paymentId']}"})

    def payment(self, call: Call) -> Any:
        payment_id = call["paymentId"]
        row = self.inst(call).db.one("SELECT * FROM payments WHERE id = ?", payment_id)
        if row is None:
            raise not_found(f"Object id={payment_id} type=PAYMENT doesn't exist!")
        return core.payment_json(row)

    def audit_logs(self, call: Call) -> Any:
        rows = self.inst(call).db.all(
            "SELECT * FROM audit WHERE object_id = ? ORDER BY id", call["accountId"]
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

    def subscribe(self, call: Call) -> Response:
        inst = self.inst(call)
        body: schemas.Subscription = call.body
        if body.accountId is None:
            raise ApiError(400, "accountId is required")
        self.account_row(inst, body.accountId)
        try:
            sub = core.create_subscription(
                inst, body.accountId, body.planName, call["X-Killbill-CreatedBy"]
            )
        except HTTPException as exc:
            raise ApiError(exc.status_code, str(exc.detail)) from None
        row = inst.db.one("SELECT * FROM subscriptions WHERE id = ?", sub)
        assert row is not None
        return JSONResponse(
            subscription_json(row), 201, {"Location": f"/1.0/kb/subscriptions/{sub}"}
        )

    def catalog(self, call: Call) -> Any:
        plans = self.inst(call).db.all("SELECT * FROM plans ORDER BY name")
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

    def role(self, call: Call) -> Any:
        """A role's definition; Kill Bill answers 200 with no permissions for a role it
        does not know (the spec documents 200 only)."""
        role = call["role"]
        row = self.inst(call).db.one("SELECT * FROM roles WHERE role = ?", role)
        return {"role": role, "permissions": json.loads(row["permissions"]) if row else []}

    def user_roles(self, call: Call) -> Any:
        username = call["username"]
        row = self.inst(call).db.one("SELECT * FROM users WHERE username = ?", username)
        if row is None:
            raise not_found(f"user {username} does not exist")
        return {"username": username, "password": None, "roles": json.loads(row["roles"])}

    def permissions(self, call: Call) -> Any:
        inst = self.inst(call)
        row = inst.db.one("SELECT roles FROM users WHERE username = ?", core.sandbox_user())
        roles = json.loads(row["roles"]) if row else []
        out: set[str] = set()
        for r in roles:
            found = inst.db.one("SELECT permissions FROM roles WHERE role = ?", r)
            out |= set(json.loads(found["permissions"])) if found else set()
        return sorted(out)


def _item_json(item: dict[str, Any], account_id: str, currency: str) -> dict[str, Any]:
    """An invoice item as Kill Bill writes it; the usage's name and the item an
    adjustment is linked to only where the item has them."""
    out = {
        "invoiceItemId": item["id"],
        "invoiceId": item["invoice_id"],
        "accountId": account_id,
        "subscriptionId": item["subscription_id"],
        "planName": item["plan"],
        "itemType": item["type"],
        "description": item["description"],
        "startDate": item["start_date"],
        "endDate": item["end_date"],
        "amount": item["amount"],
        "currency": currency,
    }
    if item["usage"] is not None:
        out["usageName"] = item["usage"]
    if item["linked_item_id"] is not None:
        out["linkedInvoiceItemId"] = item["linked_item_id"]
    return out
