"""What every sandbox domain shares: settings, the bearer-token check, and faults.

A domain module (``partners.py``, ...) provides ``SCHEMA`` (SQL), ``load(db, seed)``,
``FAULTS`` and ``router(settings)`` (its ``Routes``); ``domains.py`` lists the modules.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.params import Depends as Dependency
from starlette.routing import BaseRoute

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


class Routes(APIRouter):
    """A domain's routes, recorded as they are declared and built once each, on the app's
    own router (``install``), with the path and dependencies their routers give them.

    FastAPI builds a route (its dependant; a pydantic adapter for every parameter, body
    and response) when it is added to a router; builds it again for every inclusion of
    that router (``include_router`` keeps the router, not its routes, and builds them on
    the first request); and once more when a router is included without a prefix, to
    check its paths. The sandbox's 136 routes were built 349 times, about 0.1 s of CPU of
    every sandbox's start and first request. Replayed onto the app's router, a route is
    what ``include_router`` would make of it (its routers' prefixes and then its own
    path; their dependencies, outermost first, then its own) and is served as the app's
    own routes are. Only API routes (``add_api_route`` and its decorators) and, on a
    router and on ``include_router``, ``prefix`` and ``dependencies`` are carried: what
    the domains use. ``routes`` is for a reader: a tuple (``add_route``, ``mount`` and
    the like fail on it), built on each asking, the included routers' routes among them.
    """

    def __init__(self, *, prefix: str = "", dependencies: Sequence[Dependency] = ()) -> None:
        self.declared: list[_Declared | _Included] = []
        super().__init__(prefix=prefix, dependencies=list(dependencies))

    @property  # type: ignore[override]  # read-only: what install() would add
    def routes(self) -> tuple[BaseRoute, ...]:
        built = APIRouter()
        self.install(built)
        return tuple(built.routes)

    @routes.setter
    def routes(self, routes: list[BaseRoute]) -> None:
        if routes:  # APIRouter.__init__ sets it empty
            raise TypeError("Routes are declared with add_api_route and its decorators")

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.declared.append(_Declared(path, endpoint, kwargs))

    def include_router(  # type: ignore[override]  # Routes only, a prefix only
        self, router: Routes, *, prefix: str = ""
    ) -> None:
        if not isinstance(router, Routes):
            raise TypeError(f"Routes includes Routes only, not {type(router).__name__}")
        self.declared.append(_Included(router, prefix))

    def install(
        self, target: APIRouter, prefix: str = "", dependencies: Sequence[Dependency] = ()
    ) -> None:
        """Add every route to ``target`` in the order declared (the order they match in),
        under ``prefix`` and after ``dependencies``: those of the routers around these."""
        prefix += self.prefix
        around = [*dependencies, *self.dependencies]
        for entry in self.declared:
            if isinstance(entry, _Included):
                entry.routes.install(target, prefix + entry.prefix, around)
                continue
            own = entry.kwargs.get("dependencies") or []
            kwargs = {**entry.kwargs, "dependencies": [*around, *own]}
            target.add_api_route(prefix + entry.path, entry.endpoint, **kwargs)


@dataclass(frozen=True)
class _Declared:
    path: str
    endpoint: Callable[..., Any]
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class _Included:
    routes: Routes
    prefix: str
