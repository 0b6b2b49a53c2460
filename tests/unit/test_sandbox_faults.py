"""The sandbox's behaviour faults are referenced by their Fault objects; where a domain
still names one by a string (``inst.fault("...")``), that string is a declared fault's
name, so a typo cannot make a fault that silently never fires."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from golive.sandbox import domains
from golive.sandbox.common import Settings

SANDBOX = Path(domains.__file__).parent
NAMED = re.compile(r"""\.fault(?:_on)?\(\s*["']([^"']*)["']""")


def test_every_fault_named_by_a_string_is_declared() -> None:
    named = {
        (path.name, name)
        for path in sorted(SANDBOX.glob("*.py"))
        for name in NAMED.findall(path.read_text(encoding="utf-8"))
    }
    unknown = sorted((file, name) for file, name in named if name not in domains.BY_NAME)
    assert unknown == []


def test_fault_names_are_unique_and_every_fault_is_listed_once() -> None:
    names = [f.name for f in domains.FAULTS]
    assert len(names) == len(set(names))


def test_an_undeclared_name_is_refused_and_objects_are_matched_by_subject() -> None:
    fault = domains.BY_NAME["move-not-persisted"]
    settings = Settings(None, "t", "", 0, [fault])  # type: ignore[arg-type]
    assert settings.fault_on(fault)
    assert settings.fault_on(fault, fault.subject)
    assert not settings.fault_on(fault, "another subject")
    assert settings.fault_on("move-not-persisted")
    with pytest.raises(LookupError, match="move-not-persistd"):
        settings.fault_on("move-not-persistd")
