"""Issue 17, family F: targets that hold a check forever. Real servers on loopback that drip
a body or headers a byte at a time, accept and never answer, answer 503 to everything, or
are down; against them a call ends within its system's ``deadline``, an item within its
``item_deadline`` (broken, the run goes on), and a system that stopped answering is not
waited on again once ``breaker_after`` calls in a row got nothing. Each case shows first
what the per-read timeout alone lets through. Outcomes and reasons are asserted, never
durations: the deadlines are short, so each test ends quickly."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from golive.config import System
from golive.errors import ItemDeadlineExceeded, TargetResponseError, TargetUnreachable
from golive.http import HttpClient, ItemClock, MutationGuard
from golive.redact import Redactor
from golive.results import category_of
from tests.conftest import ROOT, Run, golive_env, replaced

GAP = 0.05  # between two bytes of a drip: far below any read timeout used here


class Target(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[str] = []
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Target

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        with contextlib.suppress(OSError):  # the client cut the connection
            if self.path.startswith("/drip-body"):
                size = int(self.path.rsplit("/", 1)[1])
                self.send_response(200)
                self.send_header("Content-Length", str(size + 2))
                self.end_headers()
                self.wfile.write(b'"')
                for _ in range(size):
                    if self.server.stop.wait(GAP):
                        return
                    self.wfile.write(b"x")
                    self.wfile.flush()
                self.wfile.write(b'"')
            elif self.path == "/drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while not self.server.stop.wait(GAP):
                    self.wfile.write(b"X-Slow: x\r\n")
                    self.wfile.flush()
            elif self.path == "/busy":
                self.send_response(503)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            else:
                self.send_response(200)
                self.send_header("Content-Length", "12")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


class Silent:
    """Accepts connections and never answers; counts them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.sock.accept()[0])

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


def client(url: str, **options: Any) -> HttpClient:
    settings: dict[str, Any] = {"timeout": 5.0, "retries": 0, "backoff": 0.01, **options}
    return HttpClient(
        "partners",
        url,
        redactor=Redactor([]),
        guard=MutationGuard("test", []),
        run_id="deadline-test",
        **settings,
    )


# --- a call's total deadline -----------------------------------------------------------


def test_a_drip_slower_than_nothing_but_faster_than_the_read_timeout_is_not_cut_by_it(
    target: Target,
) -> None:
    # the attack's premise: every byte comes well within the read timeout, so it never fires
    status, body = client(target.url, timeout=1.0).get_json("/drip-body/8")
    assert (status, body) == (200, "x" * 8)


def test_a_body_dripped_a_byte_at_a_time_ends_at_the_deadline(target: Target) -> None:
    http = client(target.url, timeout=1.0, deadline=0.3)
    with pytest.raises(TargetUnreachable) as caught:
        http.get_json("/drip-body/100000")  # 100,000 bytes: over an hour at this pace
    message = str(caught.value)
    assert "no complete answer within the 0.3 s deadline" in message
    assert "systems.partners.deadline" in message


def test_headers_that_never_end_are_cut_at_the_deadline(target: Target) -> None:
    with pytest.raises(TargetUnreachable, match=r"within the 0\.3 s deadline"):
        client(target.url, timeout=1.0, deadline=0.3).get_json("/drip-headers")


def test_a_target_that_accepts_and_never_answers_is_cut_at_the_deadline_not_the_timeout(
    silent: Silent,
) -> None:
    http = client(silent.url, timeout=60.0, retries=2, deadline=0.3)  # 3 x 60 s unbounded
    with pytest.raises(TargetUnreachable) as caught:
        http.get_json("/anything")
    assert "within the 0.3 s deadline" in str(caught.value)


def test_retries_and_their_waits_stay_within_the_deadline(target: Target) -> None:
    # 0.1 s doubling 10 times would wait 102 s; the deadline ends it. Whether the last
    # answer was the 503 or the cut depends on how busy the machine is: both are broken.
    http = client(target.url, retries=10, backoff=0.1, deadline=1.0)
    with pytest.raises((TargetResponseError, TargetUnreachable), match=r"HTTP 503|deadline"):
        http.get_json("/busy")
    assert 1 <= len(target.hits) < 11  # gave up before the retries ran out


# --- the circuit breaker -------------------------------------------------------------------


def test_a_system_that_stopped_answering_is_not_waited_on_again(silent: Silent) -> None:
    http = client(silent.url, deadline=0.2, breaker_after=2)
    for _ in range(2):
        with pytest.raises(TargetUnreachable, match="deadline"):
            http.get_json("/a")
    contacted = len(silent.accepted)
    with pytest.raises(TargetUnreachable) as caught:
        http.get_json("/b")
    assert "partners unreachable after 2 failures in a row" in str(caught.value)
    assert "not contacted again in this run (systems.partners.breaker_after)" in str(caught.value)
    assert "GET " in str(caught.value) and "/a: cut at the deadline" in str(caught.value)
    assert len(silent.accepted) == contacted  # failed at once, without connecting


def test_a_refused_connection_counts_towards_the_breaker(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    http = client(f"http://127.0.0.1:{port}", breaker_after=1)
    with pytest.raises(TargetUnreachable, match="connection refused"):
        http.get_json("/x")
    with pytest.raises(TargetUnreachable, match="unreachable after 1 failures in a row"):
        http.get_json("/x")


def test_any_answer_resets_the_breaker(target: Target, silent: Silent) -> None:
    http = client(silent.url, deadline=0.2, breaker_after=2)
    for _ in range(3):
        with pytest.raises(TargetUnreachable, match="deadline"):
            http.get_json("/hang")
        http.base_url = target.url
        assert http.get_json("/ok")[0] == 200  # an answer: the count starts again
        http.base_url = silent.url
    assert http.failures == 0


def test_a_breaker_of_zero_never_opens(silent: Silent) -> None:
    http = client(silent.url, deadline=0.1, breaker_after=0)
    for _ in range(3):
        with pytest.raises(TargetUnreachable, match="deadline"):
            http.get_json("/hang")
    assert len(silent.accepted) == 3


# --- an item's deadline --------------------------------------------------------------------


def test_an_item_is_broken_at_its_deadline_and_the_next_item_runs(
    target: Target, silent: Silent
) -> None:
    items = ItemClock()
    slow = client(silent.url, deadline=60.0, item_deadline=0.3, items=items)
    items.start("MTP-06 [TP-1003]")
    with pytest.raises(ItemDeadlineExceeded) as caught:
        slow.get_json("/hang")  # its own deadline (60 s) would have let it wait on
    message = str(caught.value)
    assert message.startswith("MTP-06 [TP-1003] did not finish within its 0.3 s deadline")
    assert "(systems.partners.item_deadline)" in message
    with pytest.raises(ItemDeadlineExceeded, match="no time left"):
        slow.get_json("/hang")  # the item's time is gone: no further call waits
    assert slow.failures == 0  # the item's deadline says nothing about the system
    items.stop()
    items.start("MTP-07 [TP-1003]")
    slow.base_url = target.url
    assert slow.get_json("/ok")[0] == 200
    items.stop()


def test_an_item_deadline_reads_as_the_environment_not_a_harness_error() -> None:
    message = "golive.errors.ItemDeadlineExceeded: MTP-06 did not finish within its 1 s"
    assert category_of("broken", message) == "environment unreachable"


def test_the_system_block_takes_the_three_keys_with_sane_defaults() -> None:
    system = System(adapter="partner-platform", base_url="https://partners.example")
    assert (system.deadline, system.item_deadline, system.breaker_after) == (30.0, 120.0, 3)
    with pytest.raises(ValueError, match="deadline"):
        System(adapter="a", base_url="https://x.example", deadline=0)
    with pytest.raises(ValueError, match="breaker_after"):
        System(adapter="a", base_url="https://x.example", breaker_after=-1)


def test_a_run_whose_items_outlast_their_deadline_ends_with_them_broken(
    golive_cli: Any, tmp_path: Path
) -> None:
    """End to end: the partner platform's items get no time at all; they are broken with
    the deadline as their reason, the monitor's item still passes, the run ends NO-GO."""
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    text = replaced(
        text,
        "    adapter: partner-platform\n",
        "    adapter: partner-platform\n    item_deadline: 0.001\n",
        1,
    )
    scenario = tmp_path / "deadline.yaml"
    scenario.write_text(text)
    shutil.copytree(ROOT / "scenarios" / "data", tmp_path / "data")  # what it names
    run: Run = golive_cli(
        "run", "--no-html", "--scenario", str(scenario), "--tags", "MTP-05 or ERP-01",
        env=golive_env(),
    )  # fmt: skip
    assert run.code == 1, run.stdout + run.stderr
    items = run.signoff["items"]
    partners = [i for i in items if i["id"] == "MTP-05"]
    assert partners and all(i["status"] == "broken" for i in partners)
    assert all("0.001 s deadline (systems.partners.item_deadline)" in i["reason"] for i in partners)
    assert all(i["category"] == "environment unreachable" for i in partners)
    monitor = [i["status"] for i in items if i["id"] == "ERP-01"]
    assert monitor and set(monitor) == {"passed"}  # the run went on, other systems unhurt


def test_a_cut_call_leaves_no_connection_held(target: Target) -> None:
    http = client(target.url, timeout=1.0, deadline=0.2)
    with pytest.raises(TargetUnreachable):
        http.get_json("/drip-body/100000")
    assert http.connections.held == set()
    assert http.get_json("/ok")[0] == 200  # and the client goes on working


def test_a_run_against_a_silent_system_breaks_its_items_without_waiting_on_each(
    golive_cli: Any, tmp_path: Path, silent: Silent
) -> None:
    """End to end: the partner platform accepts connections and never answers. The first
    calls are cut at the deadline; after ``breaker_after`` of them the remaining partner
    items are broken at once, without another connection; the run ends NO-GO."""
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    text = replaced(
        text,
        "    adapter: partner-platform\n    base_url: sandbox\n",
        f"    adapter: partner-platform\n    base_url: {silent.url}\n"
        "    deadline: 0.3\n    breaker_after: 2\n",
        1,
    )
    scenario = tmp_path / "silent.yaml"
    scenario.write_text(text)
    shutil.copytree(ROOT / "scenarios" / "data", tmp_path / "data")
    run: Run = golive_cli("run", "--no-html", "--scenario", str(scenario), "--tags", "MTP-05")
    assert run.code == 1, run.stdout + run.stderr
    items = [i for i in run.signoff["items"] if i["id"] == "MTP-05"]
    assert len(items) >= 3 and all(i["status"] == "broken" for i in items)
    reasons = [i["reason"] for i in items]
    assert sum("within the 0.3 s deadline" in r for r in reasons) >= 1
    opened = [r for r in reasons if "partners unreachable after 2 failures in a row" in r]
    assert opened, reasons
    assert len(silent.accepted) <= 2  # no connection after the breaker opened
