"""The HTTP layer: one ``HttpClient`` (a ``requests.Session``) per system.

Every call has a timeout, for connecting and for each read, and a total ``deadline``: one
call, its retries and their waits included, ends within it, however slowly the target
answers (a body dripped a byte at a time, headers that never end): when it passes, the
call's connection is cut. Each system's ``item_deadline`` bounds how long one checklist
item may go on calling it, counted from the item's start (``ItemClock``): a call it would
outlast is cut at that point and the item is broken (``ItemDeadlineExceeded``). After
``breaker_after`` calls in a row that got no answer (connection failed, timed out), the
system is taken for down: its later calls in the run fail at once, broken, without
waiting out their timeouts; any answer, even a 500, resets the count.

Reads (GET, HEAD, OPTIONS) are retried with backoff on
connection errors, timeouts, 429 (honouring Retry-After, capped) and 502/503/504. On a
test or staging tier PUT and DELETE are retried the same way: HTTP calls them idempotent,
and a sandbox or test system that answers 503 once is worth asking again. On a production
tier no changing method is retried, idempotent or not: a 503 or a timeout does not say the
change was not made, and a second PUT or DELETE on a production system is a second change
nobody reviewed (an adapter's PUT may well not be idempotent in the target's own terms).
POST and PATCH are never retried on any tier, and neither is a ``read_only`` POST. A
mutating call against a production-tier system is refused unless the
scenario allows the running check (``MutationGuard``). Every request carries
``X-Golive-Run: <run id>`` so a target's operators can tell verification traffic apart.
Redirects to another host drop credentials. Each exchange is redacted and handed to the
recorder, which attaches it to the current Allure step.

Adapters call ``get_json``/``send_json``; they decide what a 404 means. Statuses the
adapter did not list in ``ok`` and that say the target cannot be checked (401, 403, 429,
5xx) raise ``TargetResponseError``.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import __version__
from .errors import ItemDeadlineExceeded, MutationRefused, TargetResponseError, TargetUnreachable
from .redact import SENSITIVE_NAME, Redactor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT = SAFE_METHODS | {"PUT", "DELETE"}
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 5.0
MAX_EVIDENCE = 64 * 1024
MAX_QUOTED = 200  # characters of a body quoted in a reason


@dataclass(frozen=True)
class Exchange:
    """One request and its response, already redacted."""

    system: str
    method: str
    url: str
    status: int | None
    elapsed_ms: int
    request_headers: dict[str, str]
    request_body: str
    response_headers: dict[str, str]
    response_body: str
    error: str = ""

    @property
    def title(self) -> str:
        outcome = str(self.status) if self.status is not None else self.error.split(":")[0]
        return f"{self.method} {self.url} -> {outcome} ({self.elapsed_ms} ms)"

    def render(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{k}: {v}" for k, v in self.request_headers.items()]
        if self.request_body:
            lines += ["", self.request_body[:MAX_EVIDENCE]]
        lines += ["", "-" * 60]
        if self.status is None:
            lines.append(f"no response: {self.error}")
        else:
            lines.append(f"HTTP {self.status}")
            lines += [f"{k}: {v}" for k, v in self.response_headers.items()]
            lines += ["", self.response_body[:MAX_EVIDENCE]]
        return "\n".join(lines)


Recorder = Callable[[Exchange], None]


class MutationGuard:
    """Refuses changes to a production-tier system unless the running check is allowed."""

    def __init__(self, tier: str, allowed: Iterable[str]) -> None:
        self.tier = tier
        self.allowed = frozenset(allowed)
        self.current_check: str | None = None

    def permits(self, method: str, read_only: bool = False) -> bool:
        return (
            method in SAFE_METHODS
            or read_only
            or self.tier != "production"
            or (self.current_check is not None and self.current_check in self.allowed)
        )

    def check(self, system: str, method: str, url: str, read_only: bool = False) -> None:
        if not self.permits(method, read_only):
            raise MutationRefused(
                f"refused {method} {url} on {system}: the environment is production and "
                f"check {self.current_check or '(none)'} is not in policy.allow_mutating"
            )


class ItemClock:
    """The checklist item running now and when it started (golive/plugin.py starts and stops
    it around each item): what each system's ``item_deadline`` is counted from."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.started: float | None = None

    def start(self, label: str) -> None:
        self.label, self.started = label, time.monotonic()

    def stop(self) -> None:
        self.label = self.started = None

    def left(self, seconds: float) -> float | None:
        """What is left of ``seconds`` since the item started; None outside an item."""
        return None if self.started is None else self.started + seconds - time.monotonic()


class _Connections:
    """The connections a client's requests hold, so that a deadline can cut them: shut
    down, a connection wakes whatever read or write waits on it, at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: set[Any] = set()

    def pool(self, base: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
        held, lock = self.held, self.lock

        class Connection(base.ConnectionCls):  # type: ignore[name-defined]
            def _new_conn(self) -> socket.socket:
                # kept here too: an HTTP/1.0 answer leaves the connection without its
                # socket (http.client hands it to the response) while the body is read
                self.golive_socket: socket.socket = super()._new_conn()
                return self.golive_socket

        class Pool(base):  # type: ignore[valid-type,misc]
            ConnectionCls = Connection

            def _get_conn(self, timeout: float | None = None) -> Any:
                conn = super()._get_conn(timeout)
                with lock:
                    held.add(conn)
                return conn

            def _put_conn(self, conn: Any) -> None:
                with lock:
                    held.discard(conn)
                super()._put_conn(conn)

        return Pool

    def cut(self) -> None:
        with self.lock:
            held = list(self.held)
            self.held.clear()
        for conn in held:
            sock = getattr(conn, "golive_socket", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[threading.Event]:
        """Cut the connections if the block is still running after ``seconds``; the event
        says whether it was cut (what was read of a cut answer may look complete)."""
        cut, done = threading.Event(), threading.Event()
        end = time.monotonic() + max(seconds, 0.0)

        def watch() -> None:
            # Sleeps, not ``threading.Timer``: a timer waits on a lock whose deadline the
            # kernel keeps on its own clock, so under a faked clock (libfaketime, as the
            # self-tests run) it would never fire; ``time.sleep`` follows the faked one.
            while not done.is_set():
                left = end - time.monotonic()
                if left <= 0:
                    cut.set()
                    self.cut()
                    return
                time.sleep(min(left, 0.05))

        threading.Thread(target=watch, daemon=True, name="golive-deadline").start()
        try:
            yield cut
        finally:
            done.set()


class _Adapter(HTTPAdapter):
    def __init__(self, connections: _Connections) -> None:
        self.connections = connections
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": self.connections.pool(HTTPConnectionPool),
            "https": self.connections.pool(HTTPSConnectionPool),
        }


class _Session(requests.Session):
    def rebuild_auth(self, prepared_request: Any, response: Any) -> None:
        """Drop every credential header, not only Authorization, on a cross-host redirect."""
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in list(prepared_request.headers):
                if SENSITIVE_NAME.search(name):
                    del prepared_request.headers[name]
        super().rebuild_auth(prepared_request, response)


class HttpClient:
    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        redactor: Redactor,
        guard: MutationGuard,
        run_id: str,
        recorder: Recorder | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        verify_tls: bool = True,
        backoff: float = 0.2,
        deadline: float = 30.0,
        item_deadline: float = 120.0,
        breaker_after: int = 3,
        items: ItemClock | None = None,
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.redactor = redactor
        self.guard = guard
        self.recorder = recorder
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.deadline = deadline
        self.item_deadline = item_deadline
        self.breaker_after = breaker_after  # 0: never taken for down
        self.items = items
        self.failures = 0  # calls in a row that got no answer
        self.last_failure = ""
        self.connections = _Connections()
        self.session = _Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _Adapter(self.connections))
        self.session.trust_env = False  # no proxies or netrc credentials from the machine
        self.session.verify = verify_tls
        self.session.headers.update(
            {"User-Agent": f"golive/{__version__}", "X-Golive-Run": run_id, **(headers or {})}
        )
        if auth is not None:
            # UTF-8, as RFC 7617 recommends (requests would send Latin-1, and fail on
            # anything beyond it)
            user, password = auth
            self.session.auth = requests.auth.HTTPBasicAuth(user.encode(), password.encode())

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        ok: Iterable[int] = (),
        read_only: bool = False,
    ) -> requests.Response:
        """``read_only=True`` declares that this call changes nothing although its method
        says otherwise (a search or lookup an API spells POST): the production guard lets
        it through. Only an adapter that knows the API's semantics says so, per call; it
        is still never retried."""
        method = method.upper()
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        if params:
            url = str(requests.Request(method, url, params=params).prepare().url)
            params = None
        shown = self.redactor.url(url)
        self.guard.check(self.system, method, shown, read_only)
        if self.breaker_after and self.failures >= self.breaker_after:
            raise TargetUnreachable(
                f"{method} {shown}: {self.system} unreachable after {self.failures} failures"
                f" in a row (last: {self.last_failure}); not contacted again in this run"
                f" (systems.{self.system}.breaker_after)"
            )
        budget, by_item = self.deadline, False
        left = self.items.left(self.item_deadline) if self.items is not None else None
        if left is not None and left < budget:
            budget, by_item = left, True
        end = time.monotonic() + budget
        attempts = 1 + (self.retries if self._retryable(method, read_only) else 0)
        allowed = frozenset(ok)
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            if started >= end:
                raise self._gave_up(method, shown, "no time left", attempt - 1, True, by_item)
            try:
                with self.connections.deadline(end - started) as cut:
                    response = self.session.request(
                        method,
                        url,
                        json=json_body,
                        params=params,
                        headers=headers,
                        timeout=min(self.timeout, end - started),
                    )
                if cut.is_set():
                    raise requests.exceptions.ConnectionError("cut at the deadline")
            except requests.RequestException as exc:
                late = time.monotonic() >= end
                was_cut = late and not isinstance(exc, requests.exceptions.Timeout)
                reason = "cut at the deadline" if was_cut else _reason(exc)
                self._record(method, shown, None, started, headers, json_body, error=reason)
                wait = self.backoff * 2 ** (attempt - 1)
                if attempt < attempts and time.monotonic() + wait < end:
                    time.sleep(wait)
                    continue
                raise self._gave_up(method, shown, reason, attempt, late, by_item) from None
            self.failures = 0  # an answer, whatever it says: the system is up
            self._record(method, shown, response, started, headers, json_body)
            status = response.status_code
            if status in RETRY_STATUSES and status not in allowed and attempt < attempts:
                wait = _retry_after(response) or self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + wait < end:
                    time.sleep(wait)
                    continue
            if status not in allowed and (status in (401, 403, 429) or status >= 500):
                raise TargetResponseError(
                    f"{method} {shown} on {self.system}: HTTP {status} {response.reason}"
                    f"{_detail(response, self.redactor)}",
                    status,
                )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _gave_up(
        self, method: str, shown: str, reason: str, attempts: int, late: bool, by_item: bool
    ) -> Exception:
        """The error of a call that got no answer; counted towards ``breaker_after`` unless
        it was the item's own deadline that cut it."""
        tries = f"after {attempts} attempt{'s' * (attempts > 1)}"
        if late and by_item:
            item = self.items.label if self.items is not None else None
            return ItemDeadlineExceeded(
                f"{item or 'the item'} did not finish within its {self.item_deadline:g} s"
                f" deadline (systems.{self.system}.item_deadline): {method} {shown} on"
                f" {self.system} was cut ({reason}, {tries})"
            )
        self.failures += 1
        self.last_failure = f"{method} {shown}: {reason}"
        if late:
            return TargetUnreachable(
                f"{method} {shown} on {self.system}: no complete answer within the"
                f" {self.deadline:g} s deadline (systems.{self.system}.deadline; {reason},"
                f" {tries})"
            )
        return TargetUnreachable(f"{method} {shown} on {self.system}: {reason} ({tries})")

    def _retryable(self, method: str, read_only: bool) -> bool:
        if method in SAFE_METHODS:
            return True
        return not read_only and method in IDEMPOTENT and self.guard.tier != "production"

    def get_json(
        self, path: str, *, params: dict[str, Any] | None = None, ok: Iterable[int] = ()
    ) -> tuple[int, Any]:
        response = self.request("GET", path, params=params, ok=ok)
        return response.status_code, self._decode(response)

    def send_json(
        self,
        method: str,
        path: str,
        body: Any = None,
        ok: Iterable[int] = (),
        *,
        read_only: bool = False,
    ) -> tuple[int, Any]:
        response = self.request(method, path, json_body=body, ok=ok, read_only=read_only)
        return response.status_code, self._decode(response)

    def _decode(self, response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            snippet = _quoted(response, self.redactor)
            raise TargetResponseError(
                f"{response.request.method} {self.redactor.url(response.url)} on {self.system}:"
                f" HTTP {response.status_code} with a body that is not JSON: {snippet!r}",
                response.status_code,
            ) from None

    def _record(
        self,
        method: str,
        url: str,
        response: requests.Response | None,
        started: float,
        headers: dict[str, str] | None,
        body: Any,
        error: str = "",
    ) -> None:
        if self.recorder is None:
            return
        r = self.redactor
        sent = {**self.session.headers, **(headers or {})}
        if self.session.auth is not None:
            sent["Authorization"] = "Basic ..."
        exchange = Exchange(
            system=self.system,
            method=method,
            url=url,
            status=response.status_code if response is not None else None,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            request_headers=r.headers({k: str(v) for k, v in sent.items()}),
            request_body=r.body(json.dumps(body), "json") if body is not None else "",
            response_headers=r.headers(dict(response.headers)) if response is not None else {},
            response_body=(
                r.body(response.content, response.headers.get("content-type", ""))
                if response is not None
                else ""
            ),
            error=r.text(error),
        )
        self.recorder(exchange)


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate not accepted"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "timed out waiting for the response"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the response was cut short (connection closed mid-body)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "refused" in text.lower():
            return "connection refused"
        return "connection failed"
    return type(exc).__name__


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        seconds = (parsed - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def _quoted(response: requests.Response, redactor: Redactor) -> str:
    """The start of a body for a message: redacted first, then cut, so that a secret the
    cut would fall inside is masked whole (cut first, its first characters would show)."""
    return redactor.text(response.text[:MAX_EVIDENCE])[:MAX_QUOTED]


def _detail(response: requests.Response, redactor: Redactor) -> str:
    text = _quoted(response, redactor).strip()
    return f": {text}" if text else ""
