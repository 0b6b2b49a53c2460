"""What the billing sandbox's API and its portals share: the instance, Kill Bill-shaped
records, and the operations both channels run (payments, signup, contact changes), so the
portal goes through the same code path the API does, as a real portal calls its billing.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from . import billing_data
from .common import Fault, Settings
from .db import Database

USER_VAR = "GOLIVE_SANDBOX_USER"


@dataclass
class Instance:
    """One billing instance: its name, database and the run's faults (candidate only)."""

    name: str
    db: Database
    settings: Settings

    def fault(self, fault: Fault | str, subject: str | None = None) -> bool:
        """Whether ``fault`` is injected (faults change the candidate only)."""
        return self.name == "candidate" and self.settings.fault_on(fault, subject)


InstanceOf = Callable[[str], Instance]


def _instance_name(request: Request) -> str:
    """The instance a request is for: the first segment of its path (``/candidate/...``).

    Each domain router is mounted under literal prefixes, one per instance, so no
    catch-all path parameter can shadow another domain's routes."""
    return request.url.path.split("/", 2)[1]


InstanceName = Annotated[str, Depends(_instance_name)]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sandbox_user() -> str:
    return os.environ.get(USER_VAR) or "golive"


def password_ok(settings: Settings, username: str, password: str) -> bool:
    return secrets.compare_digest(password, settings.token) and bool(username)


def basic_ok(settings: Settings, request: Request) -> bool:
    import base64

    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return False
    return user == sandbox_user() and secrets.compare_digest(password, settings.token)


def account_row(inst: Instance, account_id: str) -> dict[str, Any]:
    row = inst.db.one("SELECT * FROM accounts WHERE id = ?", account_id)
    if row is None:
        raise HTTPException(404, f"Object id={account_id} type=ACCOUNT doesn't exist!")
    return row


def account_json(row: dict[str, Any], balance: bool = True, cba: bool = False) -> dict[str, Any]:
    out = {
        "accountId": row["id"],
        "name": row["name"],
        "externalKey": row["external_key"],
        "email": row["email"],
        "currency": row["currency"],
        "billCycleDayLocal": row["bcd"],
        "paymentMethodId": row["payment_method_id"],
        "referenceTime": row["reference_time"],
        "timeZone": "UTC",
        "state": row["state"],
        "country": row["country"],
        "phone": row["phone"],
        "isMigrated": False,
        "auditLogs": [],
    }
    if balance or cba:
        out["accountBalance"] = row["balance"]
    if cba:
        out["accountCBA"] = row["cba"]
    return out


def audit(inst: Instance, kind: str, object_id: str, change: str, by: str) -> None:
    inst.db.execute(
        "INSERT INTO audit (object_type, object_id, change_type, changed_by, at)"
        " VALUES (?, ?, ?, ?, ?)",
        kind,
        object_id,
        change,
        by,
        now(),
    )


def create_account(inst: Instance, body: dict[str, Any], by: str) -> dict[str, Any]:
    key = body.get("externalKey") or f"W-{uuid.uuid4().hex[:8]}"
    account_id = str(uuid.uuid4())
    with inst.db.transaction() as tx:
        tx.execute(
            "INSERT INTO accounts (id, external_key, name, email, phone, currency, bcd,"
            " state, country, reference_time, balance, cba, payment_method_id)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0, 0, NULL)",
            (
                account_id,
                key,
                body.get("name") or "",
                body.get("email") or "",
                body.get("phone") or "",
                body.get("currency") or "USD",
                body.get("state") or "CA",
                body.get("country") or "US",
                now(),
            ),
        )
    audit(inst, "ACCOUNT", account_id, "INSERT", by)
    return account_row(inst, account_id)


def create_subscription(inst: Instance, account_id: str, plan_name: str, by: str) -> str:
    plan = inst.db.one("SELECT * FROM plans WHERE name = ?", plan_name)
    if plan is None:
        raise HTTPException(400, f"Could not find a plan matching spec: (plan: '{plan_name}')")
    account = account_row(inst, account_id)
    sub = str(uuid.uuid4())
    inst.db.execute(
        "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
        sub,
        str(uuid.uuid4()),
        f"{account['external_key']}-bundle",
        account_id,
        plan["name"],
        plan["product"],
        plan["price_list"],
        now()[:10],
        billing_data.NEXT_BILL,
    )
    audit(inst, "SUBSCRIPTION", sub, "INSERT", by)
    return sub


def _recompute(tx: Any, account_id: str) -> None:
    tx.execute(
        "UPDATE accounts SET balance = round(coalesce((SELECT sum(balance) FROM invoices"
        " WHERE account_id = ?), 0) - cba, 2) WHERE id = ?",
        (account_id, account_id),
    )


def purchase(
    inst: Instance, account: dict[str, Any], method: dict[str, Any], amount: float, by: str
) -> tuple[int, dict[str, Any]]:
    """A PURCHASE on the method's processor: (HTTP status, Kill Bill Payment record).

    201 approved; 402 declined (PAYMENT_FAILURE, the processor's decline code); 502 when
    the processor cannot be reached (PLUGIN_FAILURE), as Kill Bill answers.
    """
    processor = inst.db.one("SELECT * FROM processors WHERE plugin = ?", method["plugin"])
    if processor is None or not processor["up"]:
        status, code, message = (
            "PLUGIN_FAILURE",
            "GATEWAY_UNREACHABLE",
            (f"{method['plugin']}: connection to the processor gateway refused"),
        )
    elif str(method["instrument"]).endswith(billing_data.DECLINED_SUFFIX):
        status, code, message = "PAYMENT_FAILURE", "DECLINED", "do not honor"
    else:
        status, code, message = "SUCCESS", "", ""
    payment_id = str(uuid.uuid4())
    with inst.db.transaction() as tx:
        number = tx.execute("SELECT coalesce(max(number), 0) + 1 FROM payments").fetchone()[0]
        tx.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payment_id,
                number,
                account["id"],
                method["id"],
                amount,
                account["currency"],
                status,
                f"{code}: {message}" if code else "",
                now(),
            ),
        )
        if status == "SUCCESS":
            left = amount
            for inv in tx.execute(
                "SELECT id, balance FROM invoices WHERE account_id = ? AND balance > 0"
                " ORDER BY date",
                (account["id"],),
            ).fetchall():
                take = min(left, inv[1])
                tx.execute(
                    "UPDATE invoices SET balance = round(balance - ?, 2) WHERE id = ?",
                    (take, inv[0]),
                )
                left -= take
            tx.execute(
                "UPDATE accounts SET cba = round(cba + ?, 2) WHERE id = ?",
                (max(left, 0.0), account["id"]),
            )
            _recompute(tx, account["id"])
    audit(inst, "PAYMENT", payment_id, "INSERT", by)
    row = inst.db.one("SELECT * FROM payments WHERE id = ?", payment_id)
    assert row is not None
    http = {"SUCCESS": 201, "PAYMENT_FAILURE": 402}.get(status, 502)
    return http, payment_json(row)


def payment_json(row: dict[str, Any]) -> dict[str, Any]:
    ok = row["status"] == "SUCCESS"
    code, _, message = str(row["error"] or "").partition(": ")
    return {
        "accountId": row["account_id"],
        "paymentId": row["id"],
        "paymentNumber": str(row["number"]),
        "paymentExternalKey": row["id"],
        "authAmount": 0,
        "capturedAmount": 0,
        "purchasedAmount": row["amount"] if ok else 0,
        "refundedAmount": 0,
        "creditedAmount": 0,
        "currency": row["currency"],
        # a payment taken outside Kill Bill is on the account's __EXTERNAL_PAYMENT__ method
        "paymentMethodId": row["payment_method_id"]
        or str(uuid.uuid5(uuid.NAMESPACE_URL, f"external-payment:{row['account_id']}")),
        "transactions": [
            {
                "transactionId": row["id"],
                "paymentId": row["id"],
                "transactionType": "PURCHASE",
                "amount": row["amount"],
                "currency": row["currency"],
                "effectiveDate": row["created"],
                "status": row["status"],
                "gatewayErrorCode": code or None,
                "gatewayErrorMsg": message or None,
            }
        ],
        "auditLogs": [],
    }
