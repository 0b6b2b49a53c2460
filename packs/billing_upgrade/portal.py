"""A web portal driven in a real browser, configured entirely from the scenario file.

The scenario names the login page (its ``username``/``password`` fields, the submit
button and the element that proves the login worked) and a map of pages (path, form
fields, submit, success marker, and what each page must show), each element by label,
role and name, test id or text (``golive/upgrade_config.py``). So the same steps drive a
portal we did not write: describe its pages, not new code. Like every adapter it never
asserts: it returns what the page showed, and ``None`` where an element never appeared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .settings import Locator, Portal, PortalPage

WAIT_MS = 5000


@dataclass(frozen=True)
class PageOutcome:
    """The end of a form submission or login: did the success marker appear, what the
    page said instead (an alert, or its heading), and where the browser ended up."""

    ok: bool
    shown: str
    url: str


class WebPortal:
    def __init__(self, page: Any, base_url: str, config: Portal) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.config = config

    def locate(self, spec: Locator) -> Any:
        p = self.page
        if spec.label is not None:
            return p.get_by_label(spec.label, exact=True)
        if spec.role is not None:
            return (
                p.get_by_role(spec.role, name=spec.name) if spec.name else p.get_by_role(spec.role)
            )
        if spec.test_id is not None:
            return p.get_by_test_id(spec.test_id)
        return p.get_by_text(spec.text or "")

    def page_config(self, name: str) -> PortalPage:
        if name not in self.config.pages:
            raise KeyError(
                f"portal page {name!r} is not configured (known: "
                f"{', '.join(sorted(self.config.pages)) or 'none'})"
            )
        return self.config.pages[name]

    def goto(self, path: str) -> int | None:
        response = self.page.goto(self.base_url + path)
        return response.status if response is not None else None

    def _outcome(self, success: Locator | None) -> PageOutcome:
        if success is None:
            self.page.wait_for_load_state()
            return PageOutcome(True, "", self.page.url)
        marker = self.locate(success).first
        alert = self.page.get_by_role("alert").first
        try:
            marker.or_(alert).first.wait_for(timeout=WAIT_MS)
        except Exception:  # neither appeared: report the heading the page has
            return PageOutcome(False, self.heading(), self.page.url)
        if marker.is_visible():
            return PageOutcome(True, marker.inner_text().strip(), self.page.url)
        return PageOutcome(False, alert.inner_text().strip(), self.page.url)

    def login(self, username: str, password: str) -> PageOutcome:
        login = self.config.login
        self.goto(login.path)
        self.locate(login.fields["username"]).fill(username)
        self.locate(login.fields["password"]).fill(password)
        if login.submit is not None:
            self.locate(login.submit).click()
        return self._outcome(login.success)

    def read(self, name: str) -> dict[str, str | None]:
        """Open a configured page and read every element it must show (None: missing)."""
        spec = self.page_config(name)
        self.goto(spec.path)
        shown: dict[str, str | None] = {}
        for key, loc in spec.shows.items():
            element = self.locate(loc).first
            try:
                element.wait_for(timeout=WAIT_MS)
                shown[key] = element.inner_text().strip()
            except Exception:
                shown[key] = None
        return shown

    def submit(self, name: str, values: dict[str, str]) -> PageOutcome:
        """Open a configured page, fill its form and submit it."""
        spec = self.page_config(name)
        self.goto(spec.path)
        for key, value in values.items():
            element = self.locate(spec.fields[key])
            if element.evaluate("e => e.tagName") == "SELECT":
                element.select_option(value)
            else:
                element.fill(value)
        if spec.submit is not None:
            self.locate(spec.submit).click()
        return self._outcome(spec.success)

    def heading(self) -> str:
        headings = self.page.get_by_role("heading", level=1)
        return headings.first.inner_text().strip() if headings.count() else self.page.title()

    def has_link(self, name: str) -> bool:
        return bool(self.page.get_by_role("link", name=name, exact=True).count())

    def visit(self, path: str) -> tuple[int | None, str]:
        """Open a path: the HTTP status and the page's heading."""
        status = self.goto(path)
        return status, self.heading()
