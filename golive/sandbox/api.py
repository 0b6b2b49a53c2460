"""A published API emulated by the sandbox, declared as a table of operations.

An emulated API (Storecove's in ``storecove.py``, Kill Bill's in ``billing_kb.py``) is a
tuple of :class:`Operation`: the spec's method, path and ``operationId``, the status codes
the spec documents, the parameters with their types and ranges, one body schema (a
pydantic model) and one handler. Adding an operation means adding one entry, one schema
and one handler; :func:`router` turns the table into FastAPI routes.

Why not FastAPI's own parameter parsing: its errors answer ``422 {"detail": [...]}`` or
``400 There was an error parsing the body``, which neither API ever sends. Here every
input is checked before a handler runs, against the constraints the spec gives (integer
ranges, so an id of 2^63 never reaches SQLite; UUID, date and date-time formats; enums;
lengths; required fields; JSON types), and every refusal is rendered by the API's
:class:`Dialect` in that API's own error shape, with a status code its spec documents for
the operation:

- an input that breaks the schema: the operation's first documented code of 400, 422 and
  404 (``Operation.invalid``);
- a path parameter that cannot name anything (not a UUID, out of range): 404 where
  documented, else as above (``Operation.unknown``);
- a missing or wrong credential: 401.

One route is registered per path with all of that path's methods, so a method the path
does not have answers 405 with an ``Allow`` header listing exactly the methods it has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from .common import Routes

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)

Kind = Literal["str", "int64", "int32", "bool", "uuid", "date", "date-time", "list"]


class ApiError(Exception):
    """A refusal, rendered by the API's dialect. ``problems`` are ``(source, details)``."""

    def __init__(self, status: int, message: str, problems: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = list(problems) or [("", message)]


class Dialect(Protocol):
    """How one API words its errors, and which request paths are that API's."""

    def claims(self, path: str) -> bool: ...

    def error(self, error: ApiError) -> Response: ...


@dataclass(frozen=True)
class Param:
    """A path, query or header parameter as the spec declares it."""

    name: str
    where: Literal["path", "query", "header"]
    kind: Kind = "str"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """What a handler gets: the checked parameters by name, the checked body, the request."""

    args: Mapping[str, Any]
    body: Any
    request: Request

    def __getitem__(self, name: str) -> Any:
        return self.args[name]


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as the spec writes it, under the API's prefix
    operation_id: str  # the spec's operationId
    statuses: tuple[int, ...]  # the codes the spec documents (401 comes with auth)
    handler: Handler
    params: tuple[Param, ...] = ()
    body: type[BaseModel] | None = None
    status: int = 200  # the success code

    @property
    def invalid(self) -> int:
        return next((s for s in (400, 422, 404) if s in self.statuses), 400)

    @property
    def unknown(self) -> int:
        return 404 if 404 in self.statuses else self.invalid


@dataclass
class Emulation:
    """One emulated API: its operations, its dialect and its credential check."""

    operations: tuple[Operation, ...]
    dialect: Dialect
    authorised: Callable[[Request], None]  # raises ApiError(401, ...)

    def router(self) -> Routes:
        api = Routes()
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        statics = {p: sorted(ops) for p, ops in by_path.items() if "{" not in p}
        for path, ops in by_path.items():
            endpoint = self._endpoint(path, ops, statics)
            api.add_api_route(path, endpoint, methods=list(ops), include_in_schema=False)
        return api

    def _endpoint(
        self, template: str, ops: dict[str, Operation], statics: dict[str, list[str]]
    ) -> Callable[[Request], Any]:
        depth = template.count("/")

        async def endpoint(request: Request) -> Response:
            op = ops[request.method]
            # ``PUT /accounts/pagination`` matches ``/accounts/{accountId}`` but names the
            # static path, which has no PUT: 405 with the methods that path has
            tail = "/" + "/".join(request.url.path.rstrip("/").split("/")[-depth:])
            if "{" in template and tail in statics:
                answer = self.dialect.error(
                    ApiError(405, f"{request.method} is not allowed on {tail}")
                )
                answer.headers["Allow"] = ", ".join(statics[tail])
                return answer
            try:
                self.authorised(request)
                args = parse_params(op, request)
                body = await parse_body(op, request)
                result = await run_in_threadpool(op.handler, Call(args, body, request))
            except ApiError as error:
                return self.dialect.error(error)
            if isinstance(result, Response):
                return result
            return JSONResponse(result, status_code=op.status)

        return endpoint


def parse_params(op: Operation, request: Request) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for p in op.params:
        if p.where == "path":
            raw: Any = request.path_params.get(p.name)
        elif p.where == "query":
            values = request.query_params.getlist(p.name)
            raw = values if p.kind == "list" else (values[-1] if values else None)
        else:
            raw = request.headers.get(p.name)
        if raw is None or raw == []:
            if p.required:
                raise ApiError(op.invalid, f"{p.name} is required", [(p.name, "is required")])
            args[p.name] = p.default
            continue
        try:
            args[p.name] = convert(p, raw)
        except ValueError as exc:
            status = op.unknown if p.where == "path" else op.invalid
            raise ApiError(status, f"{p.name}: {exc}", [(p.name, str(exc))]) from None
    return args


def convert(p: Param, raw: Any) -> Any:
    if p.kind == "list":
        return list(raw)
    text = str(raw)
    if p.choices and text not in p.choices:
        raise ValueError(f"{text!r} is not one of {', '.join(p.choices)}")
    if p.kind in ("int64", "int32"):
        low, high = INT64 if p.kind == "int64" else INT32
        if not re.fullmatch(r"-?\d{1,20}", text) or not low <= int(text) <= high:
            raise ValueError(f"{text!r} is not a {p.kind} integer")
        return int(text)
    if p.kind == "bool":
        if text not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text == "true"
    if p.kind == "uuid" and not UUID.fullmatch(text):
        raise ValueError(f"{text!r} is not a UUID")
    if p.kind == "date":
        check_date(text)
    if p.kind == "date-time":
        check_date_time(text)
    return text


def check_date(text: str) -> str:
    if not DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    date.fromisoformat(text)  # an impossible date raises ValueError
    return text


def check_date_time(text: str) -> str:
    if not DATE_TIME.fullmatch(text):
        raise ValueError(f"{text!r} is not an RFC 3339 date-time")
    datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    return text


def well_formed(value: Any) -> Any:
    """``value`` with each lone UTF-16 surrogate (valid JSON, ``"\\ud800"``, but no
    character: SQLite cannot store it) replaced by U+FFFD, as a UTF-8 database would."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [well_formed(v) for v in value]
    if isinstance(value, dict):
        return {well_formed(k): well_formed(v) for k, v in value.items()}
    return value


async def parse_body(op: Operation, request: Request) -> Any:
    if op.body is None:
        return None
    raw = await request.body()
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(op.invalid, "the body is not JSON", [("body", "is not JSON")]) from None
    if not isinstance(decoded, dict):
        raise ApiError(op.invalid, "the body is not a JSON object", [("body", "not an object")])
    try:
        return op.body.model_validate(well_formed(decoded))
    except ValidationError as exc:
        problems = [
            (".".join(str(part) for part in e["loc"]) or "body", e["msg"]) for e in exc.errors()
        ]
        first = problems[0]
        raise ApiError(op.invalid, f"{first[0]}: {first[1]}", problems) from None
