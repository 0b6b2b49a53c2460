"""What the Allure report shows of a checklist item, loaded as a pytest plugin in every
process of a run (golive.plugin's ``pytest_plugins``):

- its title reads as the signoff's row: ``MTP-06 At least one buyer is set up [TP-1003]``,
  so the tree never shows the same line three times for three subjects;
- its description is the checklist's own (the pack's narrative) and where the item is
  written, not the source document's file name;
- the step that failed carries the evidence of the check: the HTTP exchange that showed
  the wrong value, even when an earlier step fetched it, and a traceback without golive's
  own frames (nor pytest-bdd's plumbing), ending in the step that checked.
"""

from __future__ import annotations

import types
from collections.abc import Generator
from pathlib import Path
from typing import Any

import allure
import pytest

from . import evidence

GOLIVE = Path(__file__).resolve().parent
PLUMBING = ("/_pytest/", "/pytest_bdd/", "/pluggy/", "/allure_pytest_bdd/", "/allure_commons/")
STEP_START = pytest.StashKey[int]()


def title_of(item_id: str, title: str, subject: str) -> str:
    return f"{item_id} {title}{f' [{subject}]' if subject else ''}"


def description_of(info: Any, narrative: str) -> str:
    where = f"features/{info.file}:{info.line}"
    about = f"{info.checklist}: {narrative}" if narrative else info.checklist
    subject = f" for {info.subject}" if info.subject else ""
    return f"{about}\n\nChecklist item {info.id} ({info.severity}){subject}, written in {where}."


def _narrative(request: pytest.FixtureRequest, info: Any) -> str:
    from .plugin import CTX_KEY

    ctx = request.config.stash.get(CTX_KEY, None)
    for active in ctx.packs if ctx is not None else []:
        if active.pack.name == info.pack:
            return str(active.pack.description)
    return ""


@pytest.hookimpl(wrapper=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """After allure-pytest-bdd has started the item's result (and whether or not another
    plugin skips the item here): its title, description and groups."""
    from .plugin import INFO_KEY

    evidence.RECENT.clear()
    try:
        return (yield)
    finally:
        info = request.node.stash.get(INFO_KEY, None)
        if info is not None:
            allure.dynamic.title(title_of(info.id, info.title, info.subject))
            allure.dynamic.description(description_of(info, _narrative(request, info)))
            allure.dynamic.parent_suite(info.checklist)
            allure.dynamic.suite(info.feature)
            allure.dynamic.sub_suite(title_of(info.id, info.title, ""))


@pytest.hookimpl
def pytest_bdd_before_step(request: pytest.FixtureRequest) -> None:
    request.node.stash[STEP_START] = evidence.recorded


@pytest.hookimpl(wrapper=True)
def pytest_bdd_step_error(
    request: pytest.FixtureRequest, exception: BaseException
) -> Generator[None, None, None]:
    """Around Allure's closing of the failed step: give the step the exchange the check
    looked at, and the traceback it prints, without golive's frames (put back after)."""
    node = request.node
    if evidence.recorded == node.stash.get(STEP_START, evidence.recorded) and evidence.RECENT:
        name, text = evidence.RECENT[-1]  # fetched by an earlier step of this check
        evidence.attach_text(f"evidence: {name}", text)
    original = exception.__traceback__
    exception.__traceback__ = without_plumbing(original)
    try:
        return (yield)
    finally:
        exception.__traceback__ = original


def without_plumbing(tb: types.TracebackType | None) -> types.TracebackType | None:
    """A copy of the traceback ``tb`` without golive's own frames and the test runner's:
    what is left is the step (and the pack code) that checked. The frames are new
    traceback objects; ``tb`` itself is left as it is."""
    kept: list[types.TracebackType] = []
    while tb is not None:
        path = tb.tb_frame.f_code.co_filename
        own = Path(path).resolve().is_relative_to(GOLIVE)
        hidden = tb.tb_frame.f_locals.get("__tracebackhide__", False)
        if not own and not hidden and not any(p in path for p in PLUMBING):
            kept.append(tb)
        tb = tb.tb_next
    head = None
    for frame in reversed(kept):
        head = types.TracebackType(head, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return head
