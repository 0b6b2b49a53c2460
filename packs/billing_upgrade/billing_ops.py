"""Billing operations Kill Bill has no API for: release notes, the event log, tickets,
usage reports, custom extensions, the regular data import and provisioning to external
systems.

``RestBillingOps`` speaks the sandbox's ``/sandbox-ext`` API (``golive/sandbox/
billing_ext.py``). A platform with its own ticketing, provisioning or import tools is
checked by writing a class with the same methods and naming it in the scenario
(``adapter: package.module:Class``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from golive.http import HttpClient

EXT = "/sandbox-ext"


@dataclass(frozen=True)
class Release:
    version: str
    upgraded_at: str
    features: list[dict[str, Any]]


@dataclass(frozen=True)
class Event:
    at: str
    level: str
    source: str
    message: str


@dataclass(frozen=True)
class Ticket:
    id: int
    account: str
    subject: str
    status: str
    body: str


@dataclass(frozen=True)
class Answer:
    """What a custom extension or an import answered: the status and the body."""

    status: int
    body: Any


@dataclass(frozen=True)
class Job:
    id: int
    workflow: str
    system: str
    account: str
    state: str  # queued | done | failed
    error: str


@dataclass(frozen=True)
class ImportResult:
    accepted: int
    rejected: int
    errors: list[dict[str, Any]] = field(default_factory=list)


class BillingOps(Protocol):
    def release(self) -> Release: ...

    def events(self, since: str) -> list[Event]: ...

    def create_ticket(self, account: str, subject: str, body: str) -> Ticket: ...

    def edit_ticket(self, ticket_id: int, changes: dict[str, str]) -> Ticket: ...

    def ticket(self, ticket_id: int) -> Ticket: ...

    def usage(self, account: str) -> list[dict[str, Any]]: ...

    def extensions(self) -> list[dict[str, Any]]: ...

    def invoke(self, name: str, account: str) -> Answer: ...

    def import_file(self, kind: str, filename: str, text: str) -> ImportResult: ...

    def workflows(self) -> list[dict[str, Any]]: ...

    def run_workflow(self, name: str, account: str) -> Job: ...

    def job(self, job_id: int) -> Job: ...

    def provisioned(self, system: str, account: str) -> list[dict[str, Any]]: ...


def _ticket(raw: dict[str, Any]) -> Ticket:
    return Ticket(raw["id"], raw["account"], raw["subject"], raw["status"], raw["body"])


def _job(raw: dict[str, Any]) -> Job:
    return Job(
        raw["id"], raw["workflow"], raw["system"], raw["account"], raw["state"], raw["error"]
    )


class RestBillingOps:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def release(self) -> Release:
        _, raw = self.http.get_json(f"{EXT}/release")
        return Release(raw["version"], raw["upgraded_at"], list(raw.get("features") or []))

    def events(self, since: str) -> list[Event]:
        _, rows = self.http.get_json(f"{EXT}/events", params={"since": since})
        return [Event(r["at"], r["level"], r["source"], r["message"]) for r in rows]

    def create_ticket(self, account: str, subject: str, body: str) -> Ticket:
        _, raw = self.http.send_json(
            "POST", f"{EXT}/tickets", {"account": account, "subject": subject, "body": body}
        )
        return _ticket(raw)

    def edit_ticket(self, ticket_id: int, changes: dict[str, str]) -> Ticket:
        _, raw = self.http.send_json("PATCH", f"{EXT}/tickets/{ticket_id}", changes)
        return _ticket(raw)

    def ticket(self, ticket_id: int) -> Ticket:
        _, raw = self.http.get_json(f"{EXT}/tickets/{ticket_id}")
        return _ticket(raw)

    def usage(self, account: str) -> list[dict[str, Any]]:
        _, raw = self.http.get_json(f"{EXT}/reports/usage", params={"account": account})
        return list(raw.get("rows") or [])

    def extensions(self) -> list[dict[str, Any]]:
        _, rows = self.http.get_json(f"{EXT}/extensions")
        return list(rows)

    def invoke(self, name: str, account: str) -> Answer:
        response = self.http.request(
            "POST",
            f"{EXT}/extensions/{name}/invoke",
            json_body={"account": account, "dry_run": True},
            ok=(400, 404, 500, 502, 503),
            read_only=True,  # a dry run: the extension answers and changes nothing
        )
        try:
            body: Any = response.json()
        except ValueError:
            body = self.http.redactor.text(response.text)[:300]  # masked, then cut
        return Answer(response.status_code, body)

    def import_file(self, kind: str, filename: str, text: str) -> ImportResult:
        _, raw = self.http.send_json(
            "POST", f"{EXT}/imports", {"kind": kind, "filename": filename, "csv": text}
        )
        return ImportResult(raw["accepted"], raw["rejected"], list(raw.get("errors") or []))

    def workflows(self) -> list[dict[str, Any]]:
        _, rows = self.http.get_json(f"{EXT}/provisioning/workflows")
        return list(rows)

    def run_workflow(self, name: str, account: str) -> Job:
        _, raw = self.http.send_json(
            "POST", f"{EXT}/provisioning/workflows/{name}/runs", {"account": account}
        )
        return _job(raw)

    def job(self, job_id: int) -> Job:
        _, raw = self.http.get_json(f"{EXT}/provisioning/jobs/{job_id}")
        return _job(raw)

    def provisioned(self, system: str, account: str) -> list[dict[str, Any]]:
        _, rows = self.http.get_json(
            f"{EXT}/provisioning/systems/{system}/records", params={"account": account}
        )
        return list(rows)
