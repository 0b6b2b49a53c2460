"""The baseline the bench compares golive with: the same work, no framework.

    python -m bench.baseline RECORDING

Starts a fresh sandbox (no faults, as the recorded run had), then replays a recording of
``bench.recorder``: every HTTP request with one ``requests.Session``, every browser action
of the monitor's web adapter with plain Playwright (one browser, a fresh context per
check, the same locators), and every pause golive's polls made waiting for the target's
asynchronous work (a script checking the same thing has to wait for it too). Prints one
JSON line: the counts of what it sent and the seconds it paused.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import requests

from golive import launcher
from golive.browser import CHROMIUM_ARGS, system_chromium

SKIP_HEADERS = {"content-length", "connection", "accept-encoding"}


def load(path: Path) -> tuple[str, list[dict[str, Any]]]:
    events = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    origin = next(e["url"] for e in events if e["kind"] == "sandbox")
    return origin, [e for e in events if e["kind"] in ("http", "web", "wait")]


class Web:
    """Plain Playwright doing what ``packs.erp_partner_access.monitor_web`` does."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        chromium = self.playwright.chromium
        executable = None
        if not Path(chromium.executable_path).exists():
            found = system_chromium()
            executable = str(found) if found else None
        self.browser = chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        self.context: Any = None
        self.page: Any = None

    def new_context(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context()
        self.page = self.context.new_page()

    def shown(self) -> tuple[str, str]:
        heading = self.page.get_by_role("heading", level=1).first.inner_text()
        alerts = self.page.get_by_role("alert")
        return heading, alerts.first.inner_text() if alerts.count() else ""

    def do(self, base: str, action: str, args: list[Any]) -> None:
        page = self.page
        if action == "log_in":
            page.context.clear_cookies()
            page.goto(f"{base}/login")
            page.get_by_label("Username").fill(args[0])
            page.get_by_label("Password").fill(args[1])
            with page.expect_response(lambda r: r.request.method == "POST"):
                page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            self.shown()
        elif action == "switch_to":
            choice = page.get_by_role("button", name=f"({args[0]})")
            if choice.count() == 1:
                choice.click()
                page.wait_for_url("**/dashboard")
                self.shown()
        elif action == "dashboard_messages":
            page.get_by_role("table", name="Messages").wait_for()
            page.get_by_test_id("message-id").all_inner_texts()
        elif action == "open":
            page.goto(f"{base}{args[0]}")
            self.shown()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.browser.close()
        self.playwright.stop()


def replay(origin: str, events: list[dict[str, Any]], url: str) -> dict[str, float]:
    session = requests.Session()
    web: Web | None = None
    check = None
    counts: dict[str, float] = {"http": 0, "web": 0, "wait": 0.0}
    try:
        for event in events:
            if event["kind"] == "wait":
                time.sleep(event["seconds"])
                counts["wait"] += event["seconds"]
                continue
            if event["kind"] == "http":
                headers = {
                    k: v for k, v in event["headers"].items() if k.lower() not in SKIP_HEADERS
                }
                body = event["body"]
                session.request(
                    event["method"],
                    event["url"].replace(origin, url),
                    headers=headers,
                    data=body.encode("utf-8") if body is not None else None,
                    timeout=30,
                )
            else:
                if web is None:
                    web = Web()
                if event["check"] != check or web.context is None:
                    check = event["check"]
                    web.new_context()
                web.do(event["base_url"].replace(origin, url), event["action"], event["args"])
            counts[event["kind"]] += 1
    finally:
        if web is not None:
            web.close()
        session.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    origin, events = load(Path(args[0]))
    sandbox = launcher.start([])
    try:
        started = time.perf_counter()
        counts = replay(origin, events, sandbox.url)
        seconds = time.perf_counter() - started
    finally:
        sandbox.stop()
    print(json.dumps({**counts, "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
