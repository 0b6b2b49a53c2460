"""Every step of golive's own packs has exactly one definition; the check itself can fail."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from golive.lint import check
from tests.conftest import OWN_PACKS


def test_the_project_has_no_duplicate_undefined_or_ambiguous_step() -> None:
    modules = [m for p in OWN_PACKS for m in p.plugins]
    assert [m for m in modules if m.startswith("steps.")]
    for pack in OWN_PACKS:
        assert check(pack.features, modules) == []


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A step package with a duplicated phrase and a feature with an undefined step."""
    package = tmp_path / "planted_steps"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text(
        "from pytest_bdd import given, then\n\n"
        "@given('a thing')\ndef _() -> None: ...\n\n"
        "@then('it works')\ndef _() -> None: ...\n"
    )
    (package / "two.py").write_text(
        "from pytest_bdd import then\n\n@then('it works')\ndef _() -> None: ...\n"
    )
    features = tmp_path / "features" / "demo"
    features.mkdir(parents=True)
    (features / "demo.feature").write_text(
        "Feature: demo\n\n  Scenario: one\n    Given a thing\n    Then it works\n    And it flies\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("planted_steps")]:
        del sys.modules[name]


def test_a_duplicate_phrase_and_an_undefined_step_are_reported(planted: Path) -> None:
    problems = check(planted / "features", ["planted_steps.one", "planted_steps.two"])
    assert any(
        "two.py:3: step phrase 'it works' is already defined at" in p and "one.py" in p
        for p in problems
    ), problems
    assert any(p.endswith("demo.feature:6: undefined step: Then it flies") for p in problems), (
        problems
    )
    assert len(problems) == 2
