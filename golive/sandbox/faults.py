"""Named faults. Each breaks exactly one checklist item, the way real systems go wrong.

A data fault changes rows after the healthy data is loaded; a behaviour fault is a flag
the application consults (``app.state.faults``). ``golive sandbox --list-faults`` prints
this table; the harness's self-tests run every fault and expect its item, and only its
item, to fail with a reason that names the offending value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .db import Database


@dataclass(frozen=True)
class Fault:
    name: str
    breaks: str  # the checklist ID this fault makes fail
    subject: str  # the subject it breaks, as named in scenarios/sandbox.yaml
    description: str
    apply: Callable[[Database], None] | None = None  # None: a behaviour flag


def _sql(statement: str, *args: object) -> Callable[[Database], None]:
    def apply(db: Database) -> None:
        db.execute(statement, *args)

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault(
        "change-request-open",
        "MTP-01",
        "TP-1002",
        "a change request with configuration instructions is still in progress",
        _sql("UPDATE change_requests SET state = 'in_progress' WHERE id = 'CR-1002-2'"),
    ),
    Fault(
        "business-rep-alerts-off",
        "MTP-02",
        "TP-1002",
        "the business rep assigned to the partner no longer receives alert emails",
        _sql(
            "UPDATE staff SET receives_alert_emails = 0"
            " WHERE username = (SELECT business_rep FROM partners WHERE id = 'TP-1002')"
        ),
    ),
    Fault(
        "implementer-unassigned",
        "MTP-03",
        "TP-1003",
        "no implementer is assigned to the partner",
        _sql("UPDATE partners SET implementer = NULL WHERE id = 'TP-1003'"),
    ),
    Fault(
        "notification-email-wrong",
        "MTP-04",
        "TP-1001",
        "a processed-document notification address has a typo in its domain",
        _sql(
            "UPDATE partners SET notification_emails = json_set(notification_emails, '$[1]',"
            " replace(json_extract(notification_emails, '$[1]'), '.example', '.exmaple'))"
            " WHERE id = 'TP-1001'"
        ),
    ),
    Fault(
        "auto-assign-key-under-review",
        "MTP-05",
        "TP-1002",
        "the partner's auto-assign key is under review",
        _sql("UPDATE partners SET auto_assign_key_state = 'under_review' WHERE id = 'TP-1002'"),
    ),
    Fault(
        "buyers-empty",
        "MTP-06",
        "TP-1003",
        "the partner's buyer list was emptied",
        _sql("UPDATE partners SET buyers = '[]' WHERE id = 'TP-1003'"),
    ),
    Fault(
        "status-information-required",
        "MTP-07",
        "TP-1001",
        "the partner was put back to Information Required",
        _sql("UPDATE partners SET status = 'Information Required' WHERE id = 'TP-1001'"),
    ),
    Fault(
        "move-not-persisted",
        "MTP-08",
        "TP-1002",
        "Move to Production answers success but the status is not saved",
    ),
    Fault(
        "customer-service-not-notified",
        "MTP-09",
        "TP-1001",
        "the move-to-production email leaves out Customer Service",
    ),
    Fault(
        "external-recipient-kept",
        "MTP-10",
        "TP-1003",
        "the move-to-production email ignores the deleted external addresses",
    ),
)

BY_NAME = {f.name: f for f in FAULTS}


def resolve(names: list[str]) -> list[Fault]:
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        known = ", ".join(sorted(BY_NAME))
        raise SystemExit(f"golive sandbox: unknown fault {', '.join(unknown)} (known: {known})")
    return [BY_NAME[n] for n in names]
