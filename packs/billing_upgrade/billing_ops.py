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

from golive.answers import Answer as Read
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


def _ticket(raw: Read) -> Ticket:
    return Ticket(
        raw.integer("id"),
        raw.text("account"),
        raw.text("subject"),
        raw.text("status"),
        raw.opt_text("body") or "",
    )


def _job(raw: Read) -> Job:
    return Job(
        raw.integer("id"),
        raw.text("workflow"),
        raw.text("system"),
        raw.text("account"),
        raw.text("state"),
        raw.opt_text("error") or "",
    )


def _objects(rows: Read, *keys: str) -> list[dict[str, Any]]:
    """A list of records the steps read by key: objects, each with the text ``keys``."""
    out = []
    for r in rows.items():
        for key in keys:
            r.text(key)
        out.append(dict(r.expect("object")))
    return out


class RestBillingOps:
    """Reads every answer through ``golive.answers.Answer`` (here ``Read``, this module's
    ``Answer`` being what an extension answered): a wrong shape is a broken item naming
    the field and the URL."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _get(self, path: str, **params: Any) -> Read:
        return Read.of(self.http, self.http.request("GET", path, params=params or None))

    def _send(self, method: str, path: str, body: Any) -> Read:
        return Read.of(self.http, self.http.request(method, path, json_body=body))

    def release(self) -> Release:
        raw = self._get(f"{EXT}/release")
        features = _objects(raw.field("features"), "name")
        return Release(raw.text("version"), raw.text("upgraded_at"), features)

    def events(self, since: str) -> list[Event]:
        rows = self._get(f"{EXT}/events", since=since)
        return [
            Event(r.text("at"), r.text("level"), r.text("source"), r.text("message"))
            for r in rows.items()
        ]

    def create_ticket(self, account: str, subject: str, body: str) -> Ticket:
        raw = self._send(
            "POST", f"{EXT}/tickets", {"account": account, "subject": subject, "body": body}
        )
        return _ticket(raw)

    def edit_ticket(self, ticket_id: int, changes: dict[str, str]) -> Ticket:
        return _ticket(self._send("PATCH", f"{EXT}/tickets/{ticket_id}", changes))

    def ticket(self, ticket_id: int) -> Ticket:
        return _ticket(self._get(f"{EXT}/tickets/{ticket_id}"))

    def usage(self, account: str) -> list[dict[str, Any]]:
        raw = self._get(f"{EXT}/reports/usage", account=account)
        return [dict(r.expect("object")) for r in raw.array("rows")]

    def extensions(self) -> list[dict[str, Any]]:
        return _objects(self._get(f"{EXT}/extensions"), "name")

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
        raw = self._send(
            "POST", f"{EXT}/imports", {"kind": kind, "filename": filename, "csv": text}
        )
        errors = [dict(e.expect("object")) for e in raw.opt_array("errors")]
        return ImportResult(raw.integer("accepted"), raw.integer("rejected"), errors)

    def workflows(self) -> list[dict[str, Any]]:
        return _objects(self._get(f"{EXT}/provisioning/workflows"), "name")

    def run_workflow(self, name: str, account: str) -> Job:
        raw = self._send("POST", f"{EXT}/provisioning/workflows/{name}/runs", {"account": account})
        return _job(raw)

    def job(self, job_id: int) -> Job:
        return _job(self._get(f"{EXT}/provisioning/jobs/{job_id}"))

    def provisioned(self, system: str, account: str) -> list[dict[str, Any]]:
        rows = self._get(f"{EXT}/provisioning/systems/{system}/records", account=account)
        return _objects(rows, "kind", "value")
