"""What a person reads in a terminal or a CI log: each failure as one line that names the
item, its subject and the reason (``FAIL MTP-06 [TP-1003] no buyers set up (the buyer
list is empty); expected at least one buyer``), never a node ID or golive's own frames.

A pytest plugin, loaded in every process of a run (golive.plugin's ``pytest_plugins``):

- in the process that runs a check (an xdist worker too) it puts the item's label, subject
  and title on each report (``golive_label``, ``golive_subject``, ``golive_title``:
  pytest-xdist carries a report's attributes to the controller), and names the failure
  section after the item (``MTP-06 [TP-1003] At least one buyer is set up``);
- in the process that prints (the controller), without a terminal (CI), it ends pytest's
  output with the checklist items that did not pass, one line each. On a terminal
  golive.progress prints them.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from .results import reason_of

MARKS = {"failed": "FAIL", "broken": "BROKEN", "skipped": "NOT RUN"}
FAILED_TYPES = ("CheckFailed", "AssertionError", "Failed")


def label_of(item_id: str, subject: str) -> str:
    return f"{item_id} [{subject}]" if subject else item_id


def status_of(report: pytest.TestReport) -> str:
    """failed, broken or skipped, as Allure (and so the verdict) will call it: a check that
    saw something wrong failed; one that could not complete (an error, a failed set-up)
    broke."""
    if report.skipped:
        return "skipped"
    if report.when != "call":
        return "broken"
    message = crash_message(report)
    if message.startswith("assert "):  # pytest's own words for a failed assert
        return "failed"
    head = message.split(":", 1)[0]
    return "failed" if head.rsplit(".", 1)[-1] in FAILED_TYPES else "broken"


def crash_message(report: pytest.TestReport) -> str:
    """The exception's one-line message (``CheckFailed: TP-1003 (...): ...``)."""
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: why")
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    lines = report.longreprtext.strip().splitlines()
    last = lines[-1].strip() if lines else ""
    return last[2:].strip() if last.startswith("E ") else last  # pytest's "E   " prefix


def reason_text(report: pytest.TestReport, subject: str) -> str:
    """The failure's reason on one line, the subject it starts with left out (the label
    names it)."""
    from .signoff import split_subject

    reason = reason_of(crash_message(report))
    if reason.startswith("Skipped: "):
        reason = reason[len("Skipped: ") :]
    return split_subject(subject, reason)[1]


def line_of(report: pytest.TestReport, label: str = "", subject: str = "") -> str:
    """``FAIL MTP-06 [TP-1003] reason`` for a report that did not pass; ``label`` and
    ``subject`` where the report does not carry them (golive.terminal not loaded)."""
    label = getattr(report, "golive_label", "") or label or report.nodeid
    subject = getattr(report, "golive_subject", "") or subject
    reason = reason_text(report, subject)
    return f"{MARKS[status_of(report)]} {label}{f' {reason}' if reason else ''}"


def cut(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters (an ellipsis where cut)."""
    text = " ".join(text.splitlines())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def finished(report: pytest.TestReport) -> bool:
    """The report that decides the item: its call, or a set-up that did not pass, or a
    teardown that failed."""
    return (
        report.when == "call"
        or (report.when == "setup" and not report.passed)
        or (report.when == "teardown" and report.failed)
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    from .plugin import INFO_KEY

    info = item.stash.get(INFO_KEY, None)
    if info is not None:
        label = label_of(info.id, info.subject)
        report.golive_label = label  # type: ignore[attr-defined]
        report.golive_subject = info.subject  # type: ignore[attr-defined]
        report.golive_title = info.title  # type: ignore[attr-defined]
        path, line, _ = report.location
        report.location = (path, line, f"{label} {info.title}")  # the failure's heading
    return report


class Summary:
    """Without a terminal (CI): the failures again at the end, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        labelled = bool(getattr(report, "golive_label", ""))  # a checklist item's
        if labelled and finished(report) and not report.passed:
            self.lines.append(line_of(report))

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.lines:
            return
        many = len(self.lines) != 1
        heading = f"golive: {len(self.lines)} item{'s' if many else ''} did not pass"
        terminalreporter.write_sep("=", heading)
        for line in self.lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(tryfirst=True)  # before pytest's terminal reporter reads -r
def pytest_configure(config: pytest.Config) -> None:
    # printed only where pytest's terminal output is on: not on a terminal, where
    # golive.progress prints the same lines, and not in an xdist worker
    if hasattr(config, "workerinput"):
        return
    config.pluginmanager.register(Summary(), "golive-summary")
    option = config.option
    if getattr(option, "golive_run_dir", None) and getattr(option, "reportchars", "") == "fE":
        # a golive run: its summary names the items; pytest's default one names node IDs
        # (an explicit -r... after `golive run --` still has its way)
        option.reportchars = "N"
