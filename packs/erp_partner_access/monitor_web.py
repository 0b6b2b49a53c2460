"""The EDI monitor's web UI as a person uses it, driven through a Playwright page.

The page object behind the browser checks: log in, switch to a customer, read the
dashboard, open a page and see whether it was refused. Locators by role, label and test
id; Playwright's auto-waiting, no sleeps. Like an adapter it never asserts: it reports
what the browser showed.

The password is typed with ``fill``; Playwright records that value (and the input's value
in DOM snapshots) in its trace, so ``golive.tracing`` scrubs every saved trace.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page


@dataclass(frozen=True)
class Shown:
    """A page as the browser showed it."""

    url: str
    status: int | None
    heading: str
    alert: str


class MonitorWeb:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    def _shown(self, status: int | None) -> Shown:
        heading = self.page.get_by_role("heading", level=1).first.inner_text()
        alerts = self.page.get_by_role("alert")
        alert = alerts.first.inner_text() if alerts.count() else ""
        return Shown(self.page.url, status, heading, alert)

    def log_in(self, username: str, password: str) -> Shown:
        """Log in on a fresh session; returns the page shown after submitting."""
        self.page.context.clear_cookies()
        self.page.goto(f"{self.base_url}/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        with self.page.expect_response(lambda r: r.request.method == "POST") as answer:
            self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()
        return self._shown(answer.value.status)

    def customers(self) -> list[str]:
        """The customers offered by the customer switch."""
        return self.page.get_by_role("button").all_inner_texts()

    def switch_to(self, customer_id: str) -> Shown | None:
        """Choose the customer in the switch; None when the switch does not offer it."""
        choice = self.page.get_by_role("button", name=f"({customer_id})")
        if choice.count() != 1:
            return None
        choice.click()
        self.page.wait_for_url("**/dashboard")
        return self._shown(200)

    def dashboard_messages(self) -> list[str]:
        self.page.get_by_role("table", name="Messages").wait_for()
        return self.page.get_by_test_id("message-id").all_inner_texts()

    def open(self, path: str) -> Shown:
        response = self.page.goto(f"{self.base_url}{path}")
        return self._shown(response.status if response is not None else None)
