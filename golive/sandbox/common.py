"""What every sandbox domain shares: settings, the bearer-token check, and faults.

A domain module (``partners.py``, ...) provides ``SCHEMA`` (SQL), ``load(db, seed)``,
``FAULTS`` and ``router(settings)``; ``domains.py`` lists the modules.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, HTTPException, Request

from .db import Database


@dataclass(frozen=True)
class Fault:
    """A named fault that makes exactly one checklist item fail, for one subject.

    A data fault has ``apply`` (it changes rows after the healthy data is loaded); a
    behaviour fault has none and the domain's code asks ``settings.fault_on(name)``.
    """

    name: str
    breaks: str  # the checklist ID it makes fail
    subject: str  # the subject it breaks, as named in scenarios/sandbox.yaml ("" if none)
    description: str
    apply: Callable[[Database], None] | None = None
    shows: str = ""  # text the failure reason must contain: the offending value


def later(delay: float, action: Callable[..., None], *args: object) -> None:
    """Run ``action(*args)`` on a daemon thread after ``delay`` seconds (a job finishing, a
    document being sent). A sleeping thread, not ``threading.Timer``: a timer waits on a
    lock with a deadline, which the kernel measures on its own clock, so under a faked
    clock (libfaketime, as the self-tests run) it never fires; ``time.sleep`` follows it."""

    def run() -> None:
        time.sleep(delay)
        action(*args)

    threading.Thread(target=run, daemon=True, name="sandbox-later").start()


def sql_fault(statement: str, *args: object) -> Callable[[Database], None]:
    def apply(db: Database) -> None:
        db.execute(statement, *args)

    return apply


@dataclass
class Settings:
    db: Database
    token: str
    smtp_host: str
    smtp_port: int
    faults: list[Fault] = field(default_factory=list)

    def fault_on(self, fault: Fault | str, subject: str | None = None) -> bool:
        """Whether ``fault`` is injected, for ``subject`` when given. Domains pass the Fault
        object; a name (the billing domain's, not converted yet) must be a fault's name,
        else this raises: a typo fails loudly instead of a fault that never fires (and
        tests/unit/test_sandbox_faults.py finds such a name before anything runs)."""
        if isinstance(fault, str):
            from .domains import BY_NAME  # here: domains imports every domain module

            if fault not in BY_NAME:
                raise LookupError(f"no sandbox fault named {fault!r}")
            fault = BY_NAME[fault]
        return any(f.name == fault.name and subject in (None, f.subject) for f in self.faults)


def bearer(settings: Settings) -> Any:
    """A dependency that requires ``Authorization: Bearer <the sandbox token>``."""

    def authorised(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token, settings.token):
            raise HTTPException(401, "missing or invalid bearer token")

    return Depends(authorised)
