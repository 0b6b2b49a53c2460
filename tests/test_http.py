"""The HTTP layer against a real local server: timeouts, retries, redirects, redaction,
the production guard and the verification header."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from golive.errors import MutationRefused, TargetResponseError, TargetUnreachable
from golive.http import Exchange, HttpClient, MutationGuard
from golive.redact import Redactor

SECRET = "s3cr3t-Canary-7f2a"


class Target(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[tuple[str, str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Target

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: str = "{}", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        self.server.hits.append((self.command, self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path == "/slow":
            time.sleep(1.0)
            self._answer(200)
        elif path == "/busy":
            self._answer(503, '{"error": "busy"}')
        elif path == "/throttled":
            hits = sum(1 for h in self.server.hits if h[1] == "/throttled")
            self._answer(429 if hits == 1 else 200, "{}", {"Retry-After": "0"})
        elif path == "/echo":
            self._answer(200, json.dumps({"path": self.path, "headers": dict(self.headers)}))
        elif path == "/html":
            self._answer(200, "<html>gateway error page</html>")
        elif path == "/away":
            port = self.server.server_address[1]
            self._answer(302, "", {"Location": f"http://localhost:{port}/landing"})
        else:
            self._answer(200, '{"ok": true}')

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client(url: str, tier: str = "test", **kw: Any) -> tuple[HttpClient, list[Exchange]]:
    seen: list[Exchange] = []
    redactor = Redactor([SECRET])
    http = HttpClient(
        "target",
        url,
        redactor=redactor,
        guard=MutationGuard(tier, ["MTP-08"]),
        run_id="run-42",
        recorder=seen.append,
        backoff=0.01,
        headers={
            "Authorization": f"Bearer {SECRET}",
            "Cookie": f"sid={SECRET}",
            "X-Api-Key": SECRET,
        },
        **kw,
    )
    return http, seen


def test_every_request_carries_the_verification_header(target: Target) -> None:
    http, _ = client(target.url)
    http.get_json("/ok")
    assert target.hits[0][2]["X-Golive-Run"] == "run-42"


def test_a_slow_target_times_out_in_bounded_time(target: Target) -> None:
    http, _ = client(target.url, timeout=0.2, retries=1)
    with pytest.raises(
        TargetUnreachable,
        match=r"GET .*/slow on target: timed out waiting for "
        r"the response \(after 2 attempts\)",
    ):
        http.get_json("/slow")
    assert len(target.hits) == 2


def test_reads_are_retried_and_changes_never(target: Target) -> None:
    http, _ = client(target.url, retries=2)
    with pytest.raises(TargetResponseError, match=r"GET .*/busy on target: HTTP 503"):
        http.get_json("/busy")
    assert len(target.hits) == 3
    target.hits.clear()
    with pytest.raises(TargetResponseError, match=r"POST .*/busy on target: HTTP 503"):
        http.send_json("POST", "/busy", {"a": 1})
    assert len(target.hits) == 1


def test_429_is_retried_after_the_servers_delay(target: Target) -> None:
    http, _ = client(target.url)
    assert http.get_json("/throttled") == (200, {})
    assert len(target.hits) == 2


def test_connection_refused(target: Target) -> None:
    port = target.server_address[1]
    target.shutdown()
    target.server_close()
    http, seen = client(f"http://127.0.0.1:{port}", retries=0)
    with pytest.raises(TargetUnreachable, match="connection refused"):
        http.get_json("/ok")
    assert seen[0].status is None and "connection refused" in seen[0].render()


def test_a_body_that_is_not_json_is_a_target_error(target: Target) -> None:
    http, _ = client(target.url)
    with pytest.raises(TargetResponseError, match="with a body that is not JSON: '<html>gateway"):
        http.get_json("/html")


def test_redirect_to_another_host_drops_credentials(target: Target) -> None:
    http, _ = client(target.url)
    http.get_json("/away")
    landing = target.hits[-1]
    assert landing[1] == "/landing"
    sent = {k.lower() for k in landing[2]}
    assert {"authorization", "cookie", "x-api-key"} & sent == set()
    assert "x-golive-run" in sent


def test_evidence_is_redacted_by_name_and_by_value(target: Target) -> None:
    http, seen = client(target.url)
    http.get_json("/echo", params={"api_key": SECRET, "q": "fine"})
    text = seen[0].render()
    assert SECRET not in text  # the server echoed it back in its body, too
    assert "api_key=***" in seen[0].url and "q=fine" in seen[0].url
    assert "Authorization: ***" in text


def test_production_refuses_changes_unless_the_check_is_allowed(target: Target) -> None:
    http, _ = client(target.url, tier="production")
    http.get_json("/ok")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        with pytest.raises(MutationRefused, match=f"refused {method} .* production"):
            http.request(method, "/change")
    assert [h[0] for h in target.hits] == ["GET"]
    http.guard.current_check = "MTP-08"
    http.send_json("POST", "/change", {})
    assert [h[0] for h in target.hits] == ["GET", "POST"]
