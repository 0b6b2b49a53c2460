"""The start-up baseline: plain pytest-bdd collecting the same feature files.

``write_plain_project(features, target)`` copies the feature files into a throwaway
project whose step definitions are no-ops, one per distinct step text (registered for
given, when and then, so ``And``/``But`` bind too), and a test module that binds every
feature with ``scenarios``. Collecting it costs what pytest-bdd itself costs; collecting
``features`` in golive adds golive's plugin, the scenario, the fixtures and the steps.
"""

from __future__ import annotations

import shutil
from pathlib import Path

KEYWORDS = ("Given ", "When ", "Then ", "And ", "But ", "* ")


def step_texts(features: Path) -> list[str]:
    texts: set[str] = set()
    for path in features.rglob("*.feature"):
        for line in path.read_text("utf-8").splitlines():
            stripped = line.strip()
            for keyword in KEYWORDS:
                if stripped.startswith(keyword):
                    texts.add(stripped[len(keyword) :].strip())
    return sorted(texts)


def write_plain_project(features: Path, target: Path) -> int:
    """Write the project; returns the number of step definitions."""
    shutil.copytree(features, target / "features", ignore=shutil.ignore_patterns("*.py"))
    texts = step_texts(features)
    lines = [
        "from pytest_bdd import given, scenarios, then, when",
        "",
        'scenarios("features")',
        "",
    ]
    for index, text in enumerate(texts):
        lines += [
            f"@given({text!r})",
            f"@when({text!r})",
            f"@then({text!r})",
            f"def step_{index}():",
            "    pass",
            "",
        ]
    (target / "test_plain.py").write_text("\n".join(lines), "utf-8")
    (target / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n", "utf-8")
    return len(texts)
