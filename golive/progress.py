"""The live progress line for a terminal: items done/total, failures so far, the item
running; each failure gets a permanent line as it happens, naming the item, its subject
and the reason (``FAIL MTP-06 [TP-1003] no buyers set up ...``), and they are listed again
when the run ends. Every line is cut to the terminal's width.

Registered by ``golive run`` only when stderr is a terminal and ``CI`` is unset; pytest's
own terminal output is off then, so this plugin also prints collection errors. Under
pytest-xdist the controller collects nothing: labels come with the reports
(golive.terminal puts them there in the worker).
"""

from __future__ import annotations

import os
from typing import TextIO

import pytest

from .plugin import INFO_KEY
from .terminal import cut, finished, label_of, line_of

FALLBACK_WIDTH = 120


class Progress:
    def __init__(self, stream: TextIO, width: int | None = None) -> None:
        self.stream = stream
        self.fixed_width = width
        self.total = 0
        self.done = 0
        self.failed = 0
        self.labels: dict[str, str] = {}  # node ID -> "MTP-06 [TP-1003]"
        self.titles: dict[str, str] = {}  # node ID -> "MTP-06 [TP-1003] At least one ..."
        self.subjects: dict[str, str] = {}  # node ID -> "TP-1003"
        self.failures: list[str] = []

    @property
    def width(self) -> int:
        if self.fixed_width is not None:
            return self.fixed_width
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        return max(columns - 1, 20) if columns else FALLBACK_WIDTH

    def _draw(self, current: str = "") -> None:
        line = f"[{self.done}/{self.total}] {self.failed} failed"
        if current:
            line += f"  {current}"
        self.stream.write(f"\r\x1b[2K{cut(line, self.width)}")
        self.stream.flush()

    def _say(self, text: str) -> None:
        self.stream.write(f"\r\x1b[2K{text}\n")
        self._draw()

    def _learn(self, nodeid: str, label: str, title: str, subject: str) -> None:
        self.labels[nodeid] = label
        self.subjects[nodeid] = subject
        self.titles[nodeid] = f"{label} {title}".strip()

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._say(
                f"collection error in {report.nodeid or 'the test session'}:\n{report.longreprtext}"
            )

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        for item in session.items:
            info = item.stash.get(INFO_KEY, None)
            if info is not None:
                self._learn(item.nodeid, label_of(info.id, info.subject), info.title, info.subject)
        self._draw()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self.total = len(ids)  # under pytest-xdist the controller itself collects nothing
        self._draw()

    @pytest.hookimpl
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if nodeid in self.titles:  # under xdist a label is known once its set-up reports
            self._draw(self.titles[nodeid])

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        label = getattr(report, "golive_label", "")
        if label:
            title = getattr(report, "golive_title", "")
            self._learn(report.nodeid, label, title, getattr(report, "golive_subject", ""))
        if report.when == "setup" and report.passed:
            self._draw(self.titles.get(report.nodeid, report.nodeid))
            return
        if not finished(report):
            return
        self.done += 1 if report.when != "teardown" else 0
        if report.passed:
            self._draw()
            return
        if report.failed:
            self.failed += 1
        nodeid = report.nodeid
        line = line_of(report, self.labels.get(nodeid, ""), self.subjects.get(nodeid, ""))
        self.failures.append(line)
        self._say(cut(line, self.width))

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        self.stream.write(f"\r\x1b[2K[{self.done}/{self.total}] {self.failed} failed\n")
        for line in self.failures:
            self.stream.write(f"{cut(line, self.width)}\n")
        self.stream.flush()
