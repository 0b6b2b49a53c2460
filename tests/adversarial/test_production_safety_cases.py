"""Adversarial cases (issue 17, family C): on a production-tier environment nothing
changes the target that the scenario did not allow. ``policy.allow_mutating`` names only
real checklist IDs; no changing method is retried; a browser redirect cannot carry an
allowed session POST to another path. In process against loopback servers, but for one
``golive run`` that stops at collection."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from golive.config import load_scenario
from golive.errors import ScenarioError, TargetResponseError
from golive.fixtures.browser import production_guard
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from tests.conftest import ROOT, Run, replaced

GOOD = (ROOT / "scenarios" / "sandbox.yaml").read_text()
SESSION_POSTS = ["/portal/login"]
ENV = {
    "GOLIVE_SANDBOX_TOKEN": "token-for-the-loader-0123",
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}


@pytest.fixture(scope="session")
def connect_options() -> None:
    """A local browser; the scenario's (``fixtures/browser.py``) is not loaded here."""
    return None


class Target(ThreadingHTTPServer):
    """Answers 503 under /busy; a portal under /portal whose login redirects as the
    query string says (``?to=/portal/pay&status=307``); records every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self, method: str) -> list[str]:
        return [p.split("?")[0] for m, p in self.hits if m == method]


class Handler(BaseHTTPRequestHandler):
    server: Target

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.hits.append((self.command, self.path))
        path, _, query = self.path.partition("?")
        args = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        if path.startswith("/busy"):
            self._answer(503, b'{"error": "busy"}', {"Content-Type": "application/json"})
        elif path == "/portal/login" and self.command == "POST":
            headers = {"Location": args.get("to", "/portal/home"), "Set-Cookie": "sid=s1; Path=/"}
            self._answer(int(args.get("status", "303")), b"", headers)
        else:
            page = (
                f"<html><body><p id=where>{self.command} {path}</p>"
                f"<form method=post action='/portal/login?{query}'>"
                "<button id=go>log in</button></form></body></html>"
            )
            self._answer(200, page.encode(), {"Content-Type": "text/html"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# --- policy.allow_mutating names real checklist IDs ------------------------------------


def scenario_with(tmp_path: Path, allow: str, tier: str = "test") -> Path:
    assert "allow_mutating: []" in GOOD and "tier: test" in GOOD
    text = GOOD.replace("allow_mutating: []", f"allow_mutating: {allow}", 1)
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace("tier: test", f"tier: {tier}", 1))
    return path


def line_of(path: Path, needle: str) -> int:
    text = path.read_text()
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    "allow, shown",
    [
        ('["mtp-08"]', "'mtp-08'"),
        ('["MTP-*"]', "'MTP-*'"),
        ('["MTP-08", "MTP-0?", " MTP-09"]', "'MTP-0?', ' MTP-09'"),
        ('["MTP 08"]', "'MTP 08'"),
        ('["08"]', "'08'"),
        ('[""]', "''"),
    ],
)
def test_an_id_not_in_the_checklist_form_is_refused_at_load(
    tmp_path: Path, allow: str, shown: str
) -> None:
    path = scenario_with(tmp_path, allow, tier="production")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ENV)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_of(path, 'allow_mutating')}: policy.allow_mutating:")
    assert shown in message and "like MTP-08" in message and "no patterns" in message


def test_exact_ids_load(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_with(tmp_path, '["MTP-08", "UPG-12"]'), ENV)
    assert scenario.policy.allow_mutating == ["MTP-08", "UPG-12"]


def test_an_id_no_checklist_item_has_stops_the_run_before_anything_is_contacted(
    golive_cli: Callable[..., Run], tmp_path: Path, target: Target
) -> None:
    path = scenario_with(tmp_path, '["MTP-08", "MTP-99", "ZZZ-1"]', tier="production")
    # every system at a target that records what reaches it (no sandbox started)
    text = replaced(path.read_text(), "enabled: true", "enabled: false")
    path.write_text(re.sub(r"base_url: sandbox", f"base_url: {target.url}", text))
    run = golive_cli("run", "--no-html", "--scenario", str(path), "--tags", "MTP-01")
    assert run.code == 2, run.stdout + run.stderr
    out = run.stdout + run.stderr
    line = line_of(path, "allow_mutating")
    assert (
        f"{path}:{line}: policy.allow_mutating: no checklist item has the ID MTP-99, ZZZ-1" in out
    )
    assert "like MTP-08" in out and "Traceback" not in out
    assert run.signoff["verdict"] == "NO-GO (could not be judged)"
    assert not list(run.run_dir.glob("allure-results/*-result.json"))  # nothing ran
    assert target.hits == []  # nothing was contacted


# --- no changing method is retried on production ----------------------------------------


def client(url: str, tier: str, check: str | None = "MTP-08") -> HttpClient:
    guard = MutationGuard(tier, ["MTP-08"])
    guard.current_check = check
    return HttpClient(
        "target", url, redactor=Redactor([]), guard=guard, run_id="r", retries=2, backoff=0
    )


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH"])
def test_an_allowed_change_on_production_is_sent_once_against_a_503(
    target: Target, method: str
) -> None:
    with pytest.raises(TargetResponseError, match=rf"{method} .*/busy on target: HTTP 503"):
        client(target.url, "production").send_json(method, "/busy", {"a": 1})
    assert target.paths(method) == ["/busy"]


def test_a_read_only_post_on_production_is_sent_once(target: Target) -> None:
    with pytest.raises(TargetResponseError):
        client(target.url, "production", check=None).send_json("POST", "/busy", read_only=True)
    assert target.paths("POST") == ["/busy"]


def test_reads_on_production_are_still_retried(target: Target) -> None:
    with pytest.raises(TargetResponseError, match=r"GET .*/busy on target: HTTP 503"):
        client(target.url, "production").get_json("/busy")
    assert target.paths("GET") == ["/busy"] * 3


@pytest.mark.parametrize("tier", ["test", "staging"])
def test_idempotent_changes_are_retried_off_production(target: Target, tier: str) -> None:
    for method in ("PUT", "DELETE"):
        with pytest.raises(TargetResponseError):
            client(target.url, tier).send_json(method, "/busy")
        assert target.paths(method) == ["/busy"] * 3
    for method in ("POST", "PATCH"):
        with pytest.raises(TargetResponseError):
            client(target.url, tier).send_json(method, "/busy")
        assert target.paths(method) == ["/busy"]


# --- the browser's redirects go through the guard ---------------------------------------


@pytest.fixture
def guarded(browser: Any, target: Target) -> Iterator[tuple[Any, list[str]]]:
    """A page of a production-tier context with the golive guard: no check allowed."""
    guard = MutationGuard("production", ["MTP-08"])
    guard.current_check = "UPG-07"
    refused: list[str] = []
    context = browser.new_context()
    context.route("**/*", production_guard(guard, SESSION_POSTS, refused))
    page = context.new_page()
    yield page, refused
    context.close()


def log_in(page: Any, target: Target, query: str) -> None:
    page.goto(f"{target.url}/portal/start?{query}")
    page.click("#go")
    page.wait_for_load_state()


@pytest.mark.parametrize("status", [307, 308])
def test_a_login_redirect_that_repeats_the_post_elsewhere_is_refused(
    guarded: tuple[Any, list[str]], target: Target, status: int
) -> None:
    page, refused = guarded
    log_in(page, target, f"to=/portal/pay&status={status}")
    assert target.paths("POST") == ["/portal/login"]  # the login, and nothing at /portal/pay
    assert len(refused) == 1
    assert f"answered {status} to {target.url}/portal/pay" in refused[0]


def test_a_login_redirect_to_a_session_path_is_refused_too(
    guarded: tuple[Any, list[str]], target: Target
) -> None:
    """The browser would follow any further hop unseen: no method-keeping redirect at all."""
    page, refused = guarded
    log_in(page, target, "to=/portal/login&status=307")
    assert target.paths("POST") == ["/portal/login"] and len(refused) == 1


def test_a_login_redirected_with_303_reads_the_next_page_and_keeps_the_session(
    guarded: tuple[Any, list[str]], target: Target
) -> None:
    page, refused = guarded
    log_in(page, target, "to=/portal/home&status=303")
    assert page.text_content("#where") == "GET /portal/home"
    assert target.paths("POST") == ["/portal/login"] and refused == []
    assert {c["name"]: c["value"] for c in page.context.cookies()} == {"sid": "s1"}


def test_a_script_post_redirected_with_307_is_refused(
    guarded: tuple[Any, list[str]], target: Target
) -> None:
    page, refused = guarded
    page.goto(f"{target.url}/portal/start")
    outcome = page.evaluate(
        "fetch('/portal/login?to=/portal/pay&status=307', {method: 'POST', body: 'x'})"
        ".then(r => 'answered ' + r.status, e => 'failed')"
    )
    assert outcome == "failed"
    assert "/portal/pay" not in target.paths("POST") and len(refused) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_change_to_another_path_never_leaves_the_browser(
    guarded: tuple[Any, list[str]], target: Target, method: str
) -> None:
    page, refused = guarded
    page.goto(f"{target.url}/portal/start")
    outcome = page.evaluate(
        f"fetch('/portal/pay', {{method: '{method}', body: 'x'}})"
        ".then(r => 'answered ' + r.status, e => 'failed')"
    )
    assert outcome == "failed"
    assert target.paths(method) == [] and refused == [
        f"{method} {target.url}/portal/pay (check UPG-07)"
    ]
