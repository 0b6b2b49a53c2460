"""Kill Bill (0.24 API): accounts and balances, subscriptions, invoices, payments, the
catalog and security, as the upgrade checklist reads them.

``RestKillBill`` speaks Kill Bill's own REST API (``/1.0/kb``), so it works against a
real Kill Bill as against the sandbox. Configure the system with basic auth and the
tenant's key and secret as headers::

    credentials: {username: ..., password: ..., X-Killbill-ApiKey: ..., X-Killbill-ApiSecret: ...}

Writes send ``X-Killbill-CreatedBy: golive``. Listings are streamed page by page
(``/accounts/pagination``), so a caller never holds more than one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from golive.http import HttpClient

KB = "/1.0/kb"
STATUS_BY_CODE = {
    402: "PAYMENT_FAILURE",  # declined by the gateway
    422: "ABORTED",  # a control plugin aborted it
    502: "PLUGIN_FAILURE",  # could not be submitted
    503: "UNKNOWN",  # no gateway response
    504: "UNKNOWN",  # timed out
}
CREATED_BY = {"X-Killbill-CreatedBy": "golive", "X-Killbill-Reason": "go-live verification"}


@dataclass(frozen=True)
class Account:
    id: str
    key: str
    name: str
    email: str
    currency: str
    balance: float | None
    cba: float | None
    state: str
    country: str
    phone: str
    payment_method_id: str | None

    @property
    def label(self) -> str:
        return f"{self.key} ({self.name})"


@dataclass(frozen=True)
class Subscription:
    id: str
    plan: str
    product: str
    price_list: str
    state: str
    charged_through: str | None


@dataclass(frozen=True)
class PaymentMethod:
    id: str
    key: str
    plugin: str
    is_default: bool


@dataclass(frozen=True)
class InvoiceItem:
    type: str
    plan: str
    description: str
    amount: float
    # what the bill-run reconciliation compares besides (packs/billing_upgrade/billrun)
    id: str = ""
    product: str = ""
    phase: str = ""
    usage: str = ""
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Invoice:
    id: str
    number: str
    date: str
    amount: float
    balance: float
    items: list[InvoiceItem] = field(default_factory=list)
    currency: str = ""


@dataclass(frozen=True)
class Payment:
    id: str
    amount: float
    status: str  # the last transaction's: SUCCESS, PAYMENT_FAILURE, PLUGIN_FAILURE, ...
    error_code: str
    error_message: str
    http_status: int = 200


@dataclass(frozen=True)
class Plan:
    name: str
    product: str
    price_list: str
    prices: dict[str, float]


class AccountNotFound(LookupError):
    pass


class Billing(Protocol):
    def account(self, account_id: str) -> Account: ...

    def account_by_key(self, key: str) -> Account: ...

    def accounts(self, page_size: int = 100) -> Iterator[Account]: ...

    def subscriptions(self, account_id: str) -> list[Subscription]: ...

    def payment_methods(self, account_id: str) -> list[PaymentMethod]: ...

    def invoices(self, account_id: str) -> list[Invoice]: ...

    def payments(self, account_id: str) -> list[Payment]: ...

    def emails(self, account_id: str) -> list[str]: ...

    def purchase(
        self, account_id: str, payment_method_id: str, amount: float, currency: str
    ) -> Payment: ...

    def plans(self) -> list[Plan]: ...

    def role_permissions(self, role: str) -> list[str] | None: ...

    def user_roles(self, username: str) -> list[str] | None: ...


def _account(raw: dict[str, Any]) -> Account:
    return Account(
        id=raw["accountId"],
        key=raw.get("externalKey") or "",
        name=raw.get("name") or "",
        email=raw.get("email") or "",
        currency=raw.get("currency") or "",
        balance=raw.get("accountBalance"),
        cba=raw.get("accountCBA"),
        state=raw.get("state") or "",
        country=raw.get("country") or "",
        phone=raw.get("phone") or "",
        payment_method_id=raw.get("paymentMethodId"),
    )


def _payment(raw: dict[str, Any], http_status: int = 200) -> Payment:
    tx = (raw.get("transactions") or [{}])[-1]
    return Payment(
        id=raw.get("paymentId") or "",
        amount=float(tx.get("amount") or 0),
        status=tx.get("status") or "UNKNOWN",
        error_code=tx.get("gatewayErrorCode") or "",
        error_message=tx.get("gatewayErrorMsg") or "",
        http_status=http_status,
    )


class RestKillBill:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, path: str, what: str, **params: Any) -> Any:
        status, body = self.http.get_json(f"{KB}{path}", params=params or None, ok=(404,))
        if status == 404:
            raise AccountNotFound(f"{what} not found on {self.http.system}")
        return body

    def account(self, account_id: str) -> Account:
        raw = self._get(
            f"/accounts/{account_id}", f"account {account_id}", accountWithBalanceAndCBA="true"
        )
        return _account(raw)

    def account_by_key(self, key: str) -> Account:
        raw = self._get(
            "/accounts", f"account {key}", externalKey=key, accountWithBalanceAndCBA="true"
        )
        return _account(raw)

    def accounts(self, page_size: int = 100) -> Iterator[Account]:
        offset = 0
        while True:
            _, page = self.http.get_json(
                f"{KB}/accounts/pagination",
                params={"offset": offset, "limit": page_size, "accountWithBalanceAndCBA": "true"},
            )
            for raw in page:
                yield _account(raw)
            if len(page) < page_size:
                return
            offset += len(page)

    def subscriptions(self, account_id: str) -> list[Subscription]:
        bundles = self._get(f"/accounts/{account_id}/bundles", f"account {account_id}")
        return [
            Subscription(
                s["subscriptionId"],
                s.get("planName") or "",
                s.get("productName") or "",
                s.get("priceList") or "",
                s.get("state") or "",
                s.get("chargedThroughDate"),
            )
            for b in bundles
            for s in b.get("subscriptions") or []
        ]

    def payment_methods(self, account_id: str) -> list[PaymentMethod]:
        rows = self._get(f"/accounts/{account_id}/paymentMethods", f"account {account_id}")
        return [
            PaymentMethod(
                r["paymentMethodId"],
                r.get("externalKey") or "",
                r.get("pluginName") or "",
                bool(r.get("isDefault")),
            )
            for r in rows
        ]

    def invoices(self, account_id: str) -> list[Invoice]:
        rows = self._get(
            f"/accounts/{account_id}/invoices",
            f"account {account_id}",
            includeInvoiceComponents="true",
        )
        return [
            Invoice(
                r["invoiceId"],
                str(r.get("invoiceNumber") or ""),
                r.get("invoiceDate") or "",
                float(r.get("amount") or 0),
                float(r.get("balance") or 0),
                [
                    InvoiceItem(
                        i.get("itemType") or "",
                        i.get("planName") or "",
                        i.get("description") or "",
                        float(i.get("amount") or 0),
                        i.get("invoiceItemId") or "",
                        i.get("productName") or "",
                        i.get("phaseName") or "",
                        i.get("usageName") or "",
                        i.get("startDate"),
                        i.get("endDate"),
                    )
                    for i in r.get("items") or []
                ],
                r.get("currency") or "",
            )
            for r in rows
        ]

    def payments(self, account_id: str) -> list[Payment]:
        rows = self._get(f"/accounts/{account_id}/payments", f"account {account_id}")
        return [_payment(r) for r in rows]

    def emails(self, account_id: str) -> list[str]:
        rows = self._get(f"/accounts/{account_id}/emails", f"account {account_id}")
        return [r["email"] for r in rows]

    def purchase(
        self, account_id: str, payment_method_id: str, amount: float, currency: str
    ) -> Payment:
        """A PURCHASE; a decline (402) or a processor failure (502/503) is returned, not
        raised, with the transaction's status and the gateway's code and message."""
        response = self.http.request(
            "POST",
            f"{KB}/accounts/{account_id}/payments",
            json_body={"transactionType": "PURCHASE", "amount": amount, "currency": currency},
            params={"paymentMethodId": payment_method_id},
            headers=CREATED_BY,
            ok=(201, 402, 422, 502, 503, 504),
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 201 and not body.get("transactions"):
            location = response.headers.get("Location", "")
            _, body = self.http.get_json(
                location
                if location.startswith("http")
                else f"{KB}/payments/{location.rsplit('/', 1)[-1]}"
            )
        if not isinstance(body, dict) or "transactions" not in body:
            # Kill Bill may answer a failure with an error body instead of the Payment: the
            # status code then says what happened (the spec's 402/422/502/503/504)
            message = body.get("message", "") if isinstance(body, dict) else ""
            status = STATUS_BY_CODE.get(response.status_code, f"HTTP {response.status_code}")
            return Payment("", amount, status, "", str(message), response.status_code)
        return _payment(body, response.status_code)

    def plans(self) -> list[Plan]:
        _, versions = self.http.get_json(f"{KB}/catalog")
        latest = versions[-1] if isinstance(versions, list) else versions
        lists = {p: pl["name"] for pl in latest.get("priceLists") or [] for p in pl["plans"]}
        return [
            Plan(
                plan["name"],
                product["name"],
                lists.get(plan["name"], "DEFAULT"),
                {
                    price["currency"]: float(price["value"])
                    for phase in (plan.get("phases") or [])[-1:]
                    for price in phase.get("prices") or []
                },
            )
            for product in latest.get("products") or []
            for plan in product.get("plans") or []
        ]

    def role_permissions(self, role: str) -> list[str] | None:
        status, body = self.http.get_json(f"{KB}/security/roles/{role}", ok=(404,))
        return None if status == 404 else list(body.get("permissions") or [])

    def user_roles(self, username: str) -> list[str] | None:
        status, body = self.http.get_json(f"{KB}/security/users/{username}/roles", ok=(404,))
        return None if status == 404 else list(body.get("roles") or [])
