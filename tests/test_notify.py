"""The verdict reaches people: an email through real SMTP (the sandbox's capture) and a
chat webhook (a local receiver), with the webhook's token kept out of every report."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from golive import launcher
from tests.conftest import ROOT, Run, golive_env

HOOK_TOKEN = "T0KEN-hook-5e5e"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Hook)
        self.posts: list[tuple[str, dict[str, Any]]] = []


class Hook(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append((self.path, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_and_chat_webhook_carry_the_verdict(
    golive_cli: Callable[..., Run],
    sandbox: launcher.RunningSandbox,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    port = receiver.server_address[1]
    scenario = (
        (ROOT / "scenarios" / "sandbox.yaml").read_text()
        + f"""
notify:
  report_url: https://ci.example/golive
  email:
    smtp_host: 127.0.0.1
    smtp_port: {sandbox.smtp_port}
    sender: golive@wagner.example
    to: [release@wagner.example]
  webhook:
    format: teams
    credentials:
      url: ${{HOOK_URL}}
"""
    )
    path = tmp_path / "notify.yaml"
    path.write_text(scenario)
    env = golive_env(HOOK_URL=f"http://127.0.0.1:{port}/hook/{HOOK_TOKEN}")
    run = golive_cli(
        "run",
        "--no-html",
        "--scenario",
        str(path),
        "--tags",
        "MTP-06",
        "--sandbox-fault",
        "buyers-empty",
        env=env,
    )
    assert run.code == 1
    mails = requests.get(
        f"{sandbox.url}/mailbox/messages",
        params={"subject": "golive NO-GO"},
        headers={"Authorization": f"Bearer {os.environ[launcher.TOKEN_VAR]}"},
        timeout=5,
    ).json()
    assert len(mails) == 1 and mails[0]["recipients"] == ["release@wagner.example"]
    assert "MTP-06 [TP-1003] failed (blocker)" in mails[0]["body"]
    link = f"https://ci.example/golive/{run.signoff['run']['run_id']}/signoff.html"
    assert link in mails[0]["body"]
    [(hook_path, card)] = receiver.posts
    assert hook_path == f"/hook/{HOOK_TOKEN}" and card["@type"] == "MessageCard"
    assert card["summary"].startswith("golive NO-GO: sandbox") and link in card["text"]
    leaked = [
        p for p in run.run_dir.rglob("*") if p.is_file() and HOOK_TOKEN.encode() in p.read_bytes()
    ]
    assert leaked == [] and HOOK_TOKEN not in run.stdout + run.stderr


def test_an_unreachable_webhook_is_a_warning_not_a_verdict(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "notify.yaml"
    path.write_text(
        (ROOT / "scenarios" / "sandbox.yaml").read_text()
        + "notify:\n  webhook:\n    credentials:\n      url: ${HOOK_URL}\n"
    )
    run = golive_cli(
        "run",
        "--no-html",
        "--scenario",
        str(path),
        "--tags",
        "MTP-06",
        env=golive_env(HOOK_URL="http://127.0.0.1:9/hook/x-secret-x"),
    )
    assert run.code == 0
    assert "golive: warning: slack webhook not reached: ConnectionError" in run.stderr
    assert "x-secret-x" not in run.stderr + run.stdout
