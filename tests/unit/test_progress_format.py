"""The live progress line (golive/progress.py), driven with stand-in pytest objects and
written to a StringIO: counts, labels, failure lines and truncation."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest

from golive.plugin import INFO_KEY
from golive.progress import Progress

CLEAR = "\r\x1b[2K"


def item(nodeid: str, id: str | None = None, subject: str = "", title: str = "") -> Any:
    stash = pytest.Stash()
    if id is not None:
        info = SimpleNamespace(id=id, subject=subject, title=title or f"title of {id}")
        stash[INFO_KEY] = info  # type: ignore[assignment]
    return SimpleNamespace(nodeid=nodeid, stash=stash)


def report(nodeid: str, when: str, outcome: str, text: str = "") -> Any:
    return SimpleNamespace(
        nodeid=nodeid,
        when=when,
        passed=outcome == "passed",
        failed=outcome == "failed",
        skipped=outcome == "skipped",
        longreprtext=text,
    )


def started(*items: Any) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.pytest_collection_finish(SimpleNamespace(items=list(items)))  # type: ignore[arg-type]
    return progress, stream


def last_frame(stream: io.StringIO) -> str:
    return stream.getvalue().rsplit(CLEAR, 1)[-1]


def test_collection_sets_total_and_labels() -> None:
    progress, stream = started(item("a", "MTP-06", "TP-1003"), item("b", "ERP-01"), item("c"))
    assert progress.total == 3
    assert progress.labels == {"a": "MTP-06 [TP-1003]", "b": "ERP-01"}
    assert stream.getvalue() == f"{CLEAR}[0/3] 0 failed"


def test_running_item_is_shown_by_its_label_or_node_id() -> None:
    progress, stream = started(item("a", "MTP-06", "TP-1003"), item("tests/x.py::y"))
    progress.pytest_runtest_logstart("a")
    assert last_frame(stream) == "[0/2] 0 failed  MTP-06 [TP-1003] title of MTP-06"
    progress.pytest_runtest_logstart("tests/x.py::y")  # no label: no node ID shown either
    assert last_frame(stream) == "[0/2] 0 failed  MTP-06 [TP-1003] title of MTP-06"


def test_a_pass_counts_once_and_prints_no_line() -> None:
    progress, stream = started(item("a", "MTP-01"))
    for when in ("setup", "call", "teardown"):
        progress.pytest_runtest_logreport(report("a", when, "passed"))
    assert (progress.done, progress.failed) == (1, 0)
    assert "\n" not in stream.getvalue()
    assert last_frame(stream) == "[1/1] 0 failed"


def test_a_failure_gets_a_permanent_line_with_item_subject_and_reason() -> None:
    progress, stream = started(item("a", "MTP-06", "TP-1003"), item("b", "MTP-07"))
    text = "Traceback...\n  more\nCheckFailed: TP-1003: no buyers\n"
    progress.pytest_runtest_logreport(report("a", "call", "failed", text))
    assert (progress.done, progress.failed) == (1, 1)
    assert f"{CLEAR}FAIL MTP-06 [TP-1003] no buyers\n" in stream.getvalue()
    assert last_frame(stream) == "[1/2] 1 failed"


def test_a_setup_error_or_skip_finishes_the_item() -> None:
    progress, stream = started(item("a", "MTP-01"), item("b", "MTP-02"))
    progress.pytest_runtest_logreport(report("a", "setup", "failed", "E fixture broke"))
    progress.pytest_runtest_logreport(report("b", "setup", "skipped"))
    assert (progress.done, progress.failed) == (2, 1)
    assert f"{CLEAR}NOT RUN MTP-02\n" in stream.getvalue()
    assert f"{CLEAR}BROKEN MTP-01 fixture broke\n" in stream.getvalue()  # a set-up broke


def test_a_teardown_failure_is_a_failure_but_not_another_item() -> None:
    progress, _ = started(item("a", "MTP-01"))
    progress.pytest_runtest_logreport(report("a", "call", "passed"))
    progress.pytest_runtest_logreport(report("a", "teardown", "failed", "E cleanup"))
    assert (progress.done, progress.failed) == (1, 1)


def test_long_lines_are_cut_to_the_width() -> None:
    progress, stream = started(item("a", "MTP-01", title="X" * 200))
    progress.pytest_runtest_logstart("a")
    assert len(last_frame(stream)) == 120  # not a terminal: 120 columns
    progress.pytest_runtest_logreport(report("a", "call", "failed", "E " + "y" * 500))
    fail_line = next(ln for ln in stream.getvalue().split(CLEAR) if ln.startswith("BROKEN"))
    assert fail_line == ("BROKEN MTP-01 " + "y" * 500)[:119] + "…\n"


def test_failure_with_no_text() -> None:
    progress, stream = started(item("a", "MTP-01"))
    progress.pytest_runtest_logreport(report("a", "call", "failed", ""))
    assert f"{CLEAR}BROKEN MTP-01\n" in stream.getvalue()


def test_xdist_controller_takes_the_total_from_the_workers() -> None:
    progress, stream = started()
    progress.pytest_xdist_node_collection_finished(object(), ["a", "b", "c", "d"])
    assert last_frame(stream) == "[0/4] 0 failed"


def test_collection_error_is_printed_in_full() -> None:
    progress, stream = started()
    bad = SimpleNamespace(failed=True, nodeid="", longreprtext="ImportError: steps.x")
    progress.pytest_collectreport(bad)  # type: ignore[arg-type]
    progress.pytest_collectreport(SimpleNamespace(failed=False, nodeid="ok"))  # type: ignore[arg-type]
    text = stream.getvalue()
    assert "collection error in the test session:\nImportError: steps.x\n" in text
    assert "ok" not in text


def test_session_finish_leaves_the_final_count_on_its_own_line() -> None:
    progress, stream = started(item("a", "MTP-01"))
    progress.pytest_runtest_logreport(report("a", "call", "failed", "E no"))
    progress.pytest_sessionfinish()
    assert stream.getvalue().endswith(f"{CLEAR}[1/1] 1 failed\nBROKEN MTP-01 no\n")
