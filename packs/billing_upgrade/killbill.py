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

from golive.answers import Answer
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


def _account(raw: Answer) -> Account:
    return Account(
        id=raw.text("accountId"),
        key=raw.opt_text("externalKey") or "",
        name=raw.opt_text("name") or "",
        email=raw.opt_text("email") or "",
        currency=raw.opt_text("currency") or "",
        balance=raw.opt_number("accountBalance"),
        cba=raw.opt_number("accountCBA"),
        state=raw.opt_text("state") or "",
        country=raw.opt_text("country") or "",
        phone=raw.opt_text("phone") or "",
        payment_method_id=raw.opt_text("paymentMethodId"),
    )


def _payment(raw: Answer, http_status: int = 200) -> Payment:
    transactions = raw.array("transactions")  # a Payment is its transactions
    tx = transactions[-1] if transactions else None
    return Payment(
        id=raw.text("paymentId"),
        amount=(tx.opt_number("amount") if tx else None) or 0.0,
        status=(tx.opt_text("status") if tx else None) or "UNKNOWN",
        error_code=(tx.opt_text("gatewayErrorCode") if tx else None) or "",
        error_message=(tx.opt_text("gatewayErrorMsg") if tx else None) or "",
        http_status=http_status,
    )


class RestKillBill:
    """Reads every answer through ``golive.answers.Answer``: one without a field the
    checks need is a broken item naming the field and the URL."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _read(self, path: str, **params: Any) -> Answer:
        response = self.http.request("GET", path, params=params or None, ok=(404,))
        return Answer.of(self.http, response)

    def _get(self, path: str, what: str, **params: Any) -> Answer:
        answer = self._read(f"{KB}{path}", **params)
        if answer.status == 404:
            raise AccountNotFound(f"{what} not found on {self.http.system}")
        return answer

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
            page = self._get(
                "/accounts/pagination",
                "the account listing",
                offset=offset,
                limit=page_size,
                accountWithBalanceAndCBA="true",
            ).items()
            for raw in page:
                yield _account(raw)
            if len(page) < page_size:
                return
            offset += len(page)

    def subscriptions(self, account_id: str) -> list[Subscription]:
        bundles = self._get(f"/accounts/{account_id}/bundles", f"account {account_id}")
        return [
            Subscription(
                s.text("subscriptionId"),
                s.opt_text("planName") or "",
                s.opt_text("productName") or "",
                s.opt_text("priceList") or "",
                s.opt_text("state") or "",
                s.opt_text("chargedThroughDate"),
            )
            for b in bundles.items()
            if b.text("accountId")  # the one field the spec requires of a Bundle
            for s in b.opt_array("subscriptions")
        ]

    def payment_methods(self, account_id: str) -> list[PaymentMethod]:
        rows = self._get(f"/accounts/{account_id}/paymentMethods", f"account {account_id}")
        return [
            PaymentMethod(
                r.text("paymentMethodId"),
                r.opt_text("externalKey") or "",
                r.opt_text("pluginName") or "",
                r.opt_flag("isDefault"),
            )
            for r in rows.items()
        ]

    def invoices(self, account_id: str) -> list[Invoice]:
        rows = self._get(
            f"/accounts/{account_id}/invoices",
            f"account {account_id}",
            includeInvoiceComponents="true",
        )
        return [
            Invoice(
                r.text("invoiceId"),
                r.opt_text("invoiceNumber") or "",
                r.opt_text("invoiceDate") or "",
                r.opt_number("amount") or 0.0,
                r.opt_number("balance") or 0.0,
                [
                    InvoiceItem(
                        i.opt_text("itemType") or "",
                        i.opt_text("planName") or "",
                        i.opt_text("description") or "",
                        i.opt_number("amount") or 0.0,
                        i.opt_text("invoiceItemId") or "",
                        i.opt_text("productName") or "",
                        i.opt_text("phaseName") or "",
                        i.opt_text("usageName") or "",
                        i.opt_text("startDate"),
                        i.opt_text("endDate"),
                    )
                    for i in r.opt_array("items")
                ],
                r.opt_text("currency") or "",
            )
            for r in rows.items()
        ]

    def payments(self, account_id: str) -> list[Payment]:
        rows = self._get(f"/accounts/{account_id}/payments", f"account {account_id}")
        return [_payment(r) for r in rows.items()]

    def emails(self, account_id: str) -> list[str]:
        rows = self._get(f"/accounts/{account_id}/emails", f"account {account_id}")
        return [r.text("email") for r in rows.items()]

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
        if response.status_code == 201 and not (
            isinstance(body, dict) and body.get("transactions")
        ):
            location = response.headers.get("Location", "")
            fetched = self._read(
                location
                if location.startswith("http")
                else f"{KB}/payments/{location.rsplit('/', 1)[-1]}"
            )
            return _payment(fetched, response.status_code)
        if not isinstance(body, dict) or "transactions" not in body:
            # Kill Bill may answer a failure with an error body instead of the Payment: the
            # status code then says what happened (the spec's 402/422/502/503/504)
            message = body.get("message", "") if isinstance(body, dict) else ""
            status = STATUS_BY_CODE.get(response.status_code, f"HTTP {response.status_code}")
            return Payment("", amount, status, "", str(message), response.status_code)
        return _payment(Answer.of(self.http, response), response.status_code)

    def plans(self) -> list[Plan]:
        versions = self._read(f"{KB}/catalog")
        latest = versions.items()[-1] if isinstance(versions.value, list) else versions
        lists = {
            plan: pl.text("name")
            for pl in latest.opt_array("priceLists")
            for plan in pl.texts("plans")
        }
        return [
            Plan(
                plan.text("name"),
                product.text("name"),
                lists.get(plan.text("name"), "DEFAULT"),
                {
                    price.text("currency"): price.number("value")
                    for phase in plan.opt_array("phases")[-1:]
                    for price in phase.opt_array("prices")
                },
            )
            for product in latest.array("products")
            for plan in product.opt_array("plans")
        ]

    def role_permissions(self, role: str) -> list[str] | None:
        body = self._read(f"{KB}/security/roles/{role}")
        return None if body.status == 404 else body.texts("permissions", required=True)

    def user_roles(self, username: str) -> list[str] | None:
        body = self._read(f"{KB}/security/users/{username}/roles")
        return None if body.status == 404 else body.texts("roles", required=True)
