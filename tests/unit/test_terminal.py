"""Failures as a person reads them (golive/terminal.py, golive/progress.py): one line that
names the item, its subject and the reason, from reports as pytest (and pytest-xdist's
transport between processes) hands them over; lines cut to the terminal's width."""

from __future__ import annotations

import io

import pytest
from _pytest.reports import TestReport, _report_kwargs_from_json, _report_to_json

from golive.errors import CheckFailed, TargetUnreachable
from golive.progress import Progress
from golive.terminal import Summary, cut, line_of

NODE = "features/test_checklists.py::test_at_least_one_buyer_is_set_up[TP-1003]"
REASON = "TP-1003 (Smith-Sanchez): no buyers set up (the buyer list is empty); expected one"


def raised(exc: BaseException) -> object:
    def frame_of_golive() -> None:
        raise exc

    try:
        frame_of_golive()
    except BaseException:
        return pytest.ExceptionInfo.from_current().getrepr(style="short")
    raise AssertionError("not raised")


def report(
    outcome: str = "failed",
    when: str = "call",
    exc: BaseException | None = None,
    nodeid: str = NODE,
    labelled: bool = True,
) -> TestReport:
    longrepr = None
    if outcome == "failed":
        longrepr = raised(exc or CheckFailed(REASON))
    elif outcome == "skipped":
        longrepr = ("x.py", 1, "Skipped: MTP-08 changes the target; not allowed on production")
    made = TestReport(nodeid, ("x.py", 1, "test"), {}, outcome, longrepr, when)  # type: ignore[arg-type]
    if labelled:  # as golive.terminal's makereport leaves it in the process that ran it
        made.golive_label = "MTP-06 [TP-1003]"  # type: ignore[attr-defined]
        made.golive_subject = "TP-1003"  # type: ignore[attr-defined]
        made.golive_title = "At least one buyer is set up"  # type: ignore[attr-defined]
    return made


def over_xdist(made: TestReport) -> TestReport:
    """The report as the controller receives it from a worker."""
    return TestReport(**_report_kwargs_from_json(_report_to_json(made)))


def test_a_failed_check_reads_as_item_subject_and_reason() -> None:
    line = line_of(report())
    assert line == (
        "FAIL MTP-06 [TP-1003] no buyers set up (the buyer list is empty); expected one"
    )


def test_the_label_survives_the_trip_from_an_xdist_worker() -> None:
    assert line_of(over_xdist(report())) == line_of(report())


def test_an_unreachable_system_is_broken_and_a_skip_not_run() -> None:
    broken = report(exc=TargetUnreachable("GET http://x/api: connection refused"))
    assert line_of(broken) == "BROKEN MTP-06 [TP-1003] GET http://x/api: connection refused"
    assert line_of(report("failed", when="setup")).startswith("BROKEN MTP-06 [TP-1003] ")
    assert line_of(report("skipped", when="setup")) == (
        "NOT RUN MTP-06 [TP-1003] MTP-08 changes the target; not allowed on production"
    )


def test_without_a_label_the_caller_names_the_item() -> None:
    bare = report(labelled=False)
    assert line_of(bare, "MTP-06 [TP-1003]", "TP-1003").startswith("FAIL MTP-06 [TP-1003] no")
    assert line_of(bare).startswith(f"FAIL {NODE} TP-1003 (Smith-Sanchez): no buyers")


def test_cut_keeps_one_line_within_the_width() -> None:
    assert cut("a\nb  c", 80) == "a b  c"
    assert cut("x" * 30, 10) == "x" * 9 + "…"


def test_progress_under_xdist_names_the_item_and_cuts_to_the_width() -> None:
    stream = io.StringIO()
    progress = Progress(stream, width=50)
    progress.pytest_xdist_node_collection_finished(object(), [NODE, "other"])
    progress.pytest_runtest_logreport(over_xdist(report("passed", when="setup")))
    progress.pytest_runtest_logreport(over_xdist(report()))
    progress.pytest_runtest_logreport(over_xdist(report("passed", when="teardown")))
    progress.pytest_sessionfinish()
    out = stream.getvalue()
    assert "[0/2] 0 failed  MTP-06 [TP-1003] At least one buy…" in out
    fail = "FAIL MTP-06 [TP-1003] no buyers set up (the buyer…"
    assert f"\r\x1b[2K{fail}\n" in out  # as it happens
    assert out.endswith(f"[1/2] 1 failed\n{fail}\n")  # and again at the end
    assert "test_at_least_one_buyer" not in out
    assert all(len(line.split("\x1b[2K")[-1]) <= 50 for line in out.splitlines())


class Reporter:
    def __init__(self) -> None:
        self.out: list[str] = []

    def write_sep(self, sep: str, title: str) -> None:
        self.out.append(f"{sep * 3} {title} {sep * 3}")

    def write_line(self, line: str) -> None:
        self.out.append(line)


def test_a_log_without_a_terminal_ends_with_one_line_per_failure() -> None:
    summary = Summary()
    for made in (report("passed", when="setup"), report(), report("passed", when="teardown")):
        summary.pytest_runtest_logreport(over_xdist(made))
    summary.pytest_runtest_logreport(over_xdist(report("skipped", when="setup")))
    reporter = Reporter()
    summary.pytest_terminal_summary(reporter)
    assert reporter.out == [
        "=== golive: 2 items did not pass ===",
        "FAIL MTP-06 [TP-1003] no buyers set up (the buyer list is empty); expected one",
        "NOT RUN MTP-06 [TP-1003] MTP-08 changes the target; not allowed on production",
    ]
