"""Issue 17, family A: the plan is never guessed from what pytest kept after deselecting.
When golive cannot tell what ``--tags`` selects, the run stops, or writes no plan (so it
cannot be judged), instead of taking the items left after ``-k`` or ``--deselect`` as its
plan (a deselected failure would vanish from the verdict). In process, on the plugin's
hooks."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from golive import plugin


class Config(SimpleNamespace):
    """What the hooks read of pytest's config: options, the stash, no xdist worker."""

    def getoption(self, name: str) -> object:
        return getattr(self.option, name)


def config(tmp_path: Path, markexpr: str) -> Config:
    return Config(option=SimpleNamespace(markexpr=markexpr, golive_run_dir=str(tmp_path)),
                  stash=pytest.Stash())  # fmt: skip


def test_without_a_plan_the_items_pytest_kept_are_not_taken_for_one(tmp_path: Path) -> None:
    cfg = config(tmp_path, "MTP-05 or (")
    kept = SimpleNamespace(stash=pytest.Stash())  # what -k left: it would have been the plan
    session = SimpleNamespace(config=cfg, items=[kept])
    try:
        plugin.pytest_collection_finish(session)  # type: ignore[arg-type]
    finally:
        gc.unfreeze()
    assert not (tmp_path / "plan.json").exists()  # the gate: "no plan", exit 2


def test_a_pytest_whose_mark_expressions_golive_cannot_read_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "_pytest.mark.expression", None)  # import fails
    with pytest.raises(pytest.UsageError, match="cannot tell which items --tags 'MTP-05'"):
        plugin._tagged(config(tmp_path, "MTP-05"), [])  # type: ignore[arg-type]


def test_a_readable_expression_still_gives_the_plan(tmp_path: Path) -> None:
    assert plugin._tagged(config(tmp_path, "MTP-05"), []) == []  # type: ignore[arg-type]
    assert plugin._tagged(config(tmp_path, "MTP-05 or ("), []) is None  # type: ignore[arg-type]
