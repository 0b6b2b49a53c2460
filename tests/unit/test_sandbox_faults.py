"""The sandbox's behaviour faults are referenced by their Fault objects; where a domain
still names one by a string (``inst.fault("...")``), that string is a declared fault's
name, so a typo cannot make a fault that silently never fires. Asked for a fault it does
not have, the sandbox says so before it loads anything."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from golive import launcher
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


def test_the_sandbox_answers_for_its_faults_before_it_loads_anything(tmp_path: Path) -> None:
    """What the launcher asks for (``GOLIVE_SANDBOX_FAULT_ANSWER``): a line of its own on
    stdout, then exit 3 for a name no fault has, with no database made; by hand, no line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_")}
    env.update({launcher.FAULT_ANSWER_VAR: "1", "TMPDIR": str(tmp_path)})
    cmd = [sys.executable, "-m", "golive.sandbox", "--fault", "buyers-empty", "--fault", "nope"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout) == {
        "unknown_faults": ["nope"],
        "known": [f.name for f in domains.FAULTS],  # as --list-faults lists them
    }
    assert not list(tmp_path.iterdir())  # refused before its database folder was made
    del env[launcher.FAULT_ANSWER_VAR]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("golive sandbox: unknown fault nope (known: ")
