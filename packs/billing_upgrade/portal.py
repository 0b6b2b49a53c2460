"""A web portal driven in a real browser, configured entirely from the scenario file.

The scenario names the login page (its ``username``/``password`` fields, the submit
button and the element that proves the login worked), a map of pages (path, form fields,
submit, success marker, error element, and what each page must show), the element the
portal's pages say what went wrong in, what a refused page looks like, and where the menu
is; each element by label, role and name, test id or text (``settings.py``). So the same
steps drive a portal we did not write: describe its pages, not new code. What a portal
must offer is in docs/portal.md. Like every adapter it never asserts: it returns what the
page showed, and ``None`` where an element never appeared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from golive.errors import TargetError

from .settings import Locator, Portal, PortalPage, Refusal

WAIT_MS = 5000
# how many times a page is read again while what it shows keeps changing underneath it
STEADY_TRIES = 3

Page = TypeVar("Page")
Source = TypeVar("Source")


def read_while_steady(
    read_page: Callable[[], Page],
    read_source: Callable[[], Source],
    subject: str,
    tries: int = STEADY_TRIES,
) -> tuple[Page, Source]:
    """A page and the record it shows, read so that they can be compared: the page is read
    between two reads of the record that agree. Another check, or a user, may change the
    record meanwhile (a payment on the same account, in a parallel run): then both are read
    again. A record that changes every time cannot be compared with its page, which is
    ``TargetError`` (the item is broken, not failed)."""
    before = read_source()
    for _ in range(tries):
        page = read_page()
        after = read_source()
        if after == before:
            return page, after
        before = after
    raise TargetError(
        f"{subject} changed while its page was read, {tries} times in a row: the page"
        " cannot be compared with it"
    )


@dataclass(frozen=True)
class PageOutcome:
    """The end of a form submission or login: did the success marker appear, what the
    page said instead (its error element, or its heading), and where the browser ended."""

    ok: bool
    shown: str
    url: str


@dataclass(frozen=True)
class Visit:
    """A function's page opened: the HTTP status of the page the browser ended on, where
    that was, how the page refused (``""``: it did not), whether the element that proves
    it opened appeared, and what the page said (its error element, or its heading)."""

    status: int | None
    url: str
    refused: str
    opened: bool
    shown: str

    @property
    def outcome(self) -> str:
        """``refused``, ``opened`` or ``neither`` (a page that did not open and did not
        refuse the way the portal refuses: an error page, a wrong page)."""
        return "refused" if self.refused else "opened" if self.opened else "neither"

    def describe(self) -> str:
        said = f", {self.shown!r}" if self.shown and self.shown not in self.refused else ""
        how = f"; {self.refused}" if self.refused else ""
        return f"{self.status} at {urlsplit(self.url).path}{how}{said}"


def refusal(refused: Refusal, status: int | None, on_login_page: bool, text: str | None) -> str:
    """How a page refused, by the portal's definition (``""``: it did not): a status it
    lists, the login page it sent the browser to, or its refusal text on the page."""
    if status is not None and status in refused.status:
        return f"status {status}"
    if refused.login_redirect and on_login_page:
        return "sent to the login page"
    if refused.text is not None and text is not None:
        return f"says {text!r}"
    return ""


class WebPortal:
    def __init__(self, page: Any, base_url: str, config: Portal) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.config = config

    def locate(self, spec: Locator, within: Any = None) -> Any:
        p = self.page if within is None else within
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

    def said(self, error: Locator | None = None) -> str:
        """What the page says went wrong: its error element's text, else its heading."""
        element = self.locate(error or self.config.error).first
        if element.count() and element.is_visible():
            return str(element.inner_text()).strip()
        return self.heading()

    def _outcome(self, spec: PortalPage) -> PageOutcome:
        if spec.success is None:
            self.page.wait_for_load_state()
            return PageOutcome(True, "", self.page.url)
        marker = self.locate(spec.success).first
        error = self.locate(spec.error or self.config.error).first
        try:
            marker.or_(error).first.wait_for(timeout=WAIT_MS)
        except Exception:  # neither appeared: report the heading the page has
            return PageOutcome(False, self.heading(), self.page.url)
        if marker.is_visible():
            return PageOutcome(True, marker.inner_text().strip(), self.page.url)
        return PageOutcome(False, self.said(spec.error), self.page.url)

    def login(self, username: str, password: str) -> PageOutcome:
        login = self.config.login
        self.goto(login.path)
        self.locate(login.fields["username"]).fill(username)
        self.locate(login.fields["password"]).fill(password)
        if login.submit is not None:
            self.locate(login.submit).click()
        return self._outcome(login)

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
        return self._outcome(spec)

    def heading(self) -> str:
        headings = self.page.get_by_role("heading", level=1)
        return headings.first.inner_text().strip() if headings.count() else self.page.title()

    def menu(self) -> list[str] | None:
        """The link texts of the menu, on the configured menu page (default: the page the
        browser is on), inside the configured menu element (default: the whole page);
        None when the menu element never appeared."""
        if self.config.menu_page is not None:
            self.goto(self.page_config(self.config.menu_page).path)
        scope = self.page
        if self.config.menu is not None:
            scope = self.locate(self.config.menu).first
            try:
                scope.wait_for(timeout=WAIT_MS)
            except Exception:
                return None
        return [" ".join(t.split()) for t in scope.get_by_role("link").all_inner_texts()]

    def open_function(self, path: str, opens: Locator, refused: Refusal | None = None) -> Visit:
        """Open a function's page and tell how it ended: refused (as the portal refuses),
        opened (the element that proves it appeared), or neither."""
        refused = refused or self.config.refused
        status = self.goto(path)
        url = self.page.url
        on_login = urlsplit(url).path == urlsplit(self.base_url + self.config.login.path).path
        early = refusal(refused, status, on_login, None)
        if early:
            return Visit(status, url, early, False, self.said())
        marker = self.locate(opens).first
        denial = self.locate(refused.text).first if refused.text is not None else None
        try:
            (marker if denial is None else marker.or_(denial).first).wait_for(timeout=WAIT_MS)
        except Exception:  # neither appeared
            return Visit(status, url, "", False, self.said())
        text = None
        if denial is not None and denial.is_visible():
            text = str(denial.inner_text()).strip()
        how = refusal(refused, status, on_login, text)
        return Visit(status, url, how, not how and marker.is_visible(), self.said())
