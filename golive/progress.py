"""The live progress line for a terminal: items done/total and failures so far.

Registered by ``golive run`` only when stderr is a terminal and ``CI`` is unset; pytest's
own terminal output is off then, so this plugin also prints collection errors. Each
failure gets a permanent line as it happens; the counter redraws in place.
"""

from __future__ import annotations

from typing import TextIO

import pytest

from .plugin import INFO_KEY


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.failed = 0
        self.labels: dict[str, str] = {}

    def _draw(self, current: str = "") -> None:
        line = f"[{self.done}/{self.total}] {self.failed} failed"
        if current:
            line += f"  {current}"
        self.stream.write(f"\r\x1b[2K{line[:120]}")
        self.stream.flush()

    def _say(self, text: str) -> None:
        self.stream.write(f"\r\x1b[2K{text}\n")
        self._draw()

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
                self.labels[item.nodeid] = info.id + (f" [{info.subject}]" if info.subject else "")
        self._draw()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self.total = len(ids)  # under pytest-xdist the controller itself collects nothing
        self._draw()

    @pytest.hookimpl
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._draw(self.labels.get(nodeid, nodeid))

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        finished = report.when == "call" or (report.when == "setup" and not report.passed)
        if report.when == "teardown" and report.failed:
            finished = True
        if not finished:
            return
        self.done += 1 if report.when != "teardown" else 0
        label = self.labels.get(report.nodeid, report.nodeid)
        if report.failed:
            self.failed += 1
            message = report.longreprtext.strip().splitlines()
            self._say(f"FAIL {label}: {message[-1] if message else ''}"[:300])
        elif report.skipped:
            self._say(f"NOT RUN {label}")
        else:
            self._draw()

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        self.stream.write(f"\r\x1b[2K[{self.done}/{self.total}] {self.failed} failed\n")
        self.stream.flush()
