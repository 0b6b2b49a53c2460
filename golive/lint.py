"""Checks of the checklists themselves: every step has exactly one definition.

pytest-bdd lets a later definition of the same phrase silently shadow an earlier one, and
reports an undefined step only when the scenario runs. ``check(features_dir, modules)``
finds both up front, with file and line: duplicate phrases among the step modules,
steps that no definition matches, steps that more than one definition matches, and
steps written before a feature's first scenario (Gherkin reads them as the feature's
description, so they would silently never run). ``golive.plugin`` runs it before a run
collects the checklists: such a run stops with exit 2 and these lines.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.parser import FeatureParser
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry


@dataclass(frozen=True)
class Definition:
    type: str | None
    phrase: str
    where: str
    context: StepFunctionContext


def definitions(modules: Iterable[str]) -> list[Definition]:
    """The step definitions the given modules register (importing them)."""
    wanted = set(modules)
    for name in wanted:
        importlib.import_module(name)
    found = []
    for context in list(step_function_context_registry.values()):
        func = context.step_func
        if func.__module__ not in wanted:
            continue
        code = func.__code__
        where = f"{code.co_filename}:{code.co_firstlineno}"
        found.append(Definition(context.type, context.parser.name, where, context))
    return sorted(found, key=lambda d: d.where)


STEP_LINE = re.compile(r"^(Given|When|Then|And|But)\b")
SECTION = re.compile(r"^(@|Background:|Scenario|Rule:|Example)")


def stray_steps(path: Path) -> list[str]:
    """Steps between ``Feature:`` and the first scenario, with file and line."""
    problems, in_description = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if text.startswith("Feature:"):
            in_description = True
        elif in_description and SECTION.match(text):
            break
        elif in_description and STEP_LINE.match(text):
            problems.append(
                f"{path}:{number}: step {text!r} before the first scenario: Gherkin reads it"
                " as the feature's description and it would never run"
            )
    return problems


def tags(features_dir: Path) -> set[str]:
    """Every tag of every scenario and feature under ``features_dir`` (without ``@``), as
    the collection will see them; a file that does not parse is left to ``check``."""
    found: set[str] = set()
    for path in sorted(features_dir.rglob("*.feature")):
        try:
            parser = FeatureParser(str(features_dir), str(path.relative_to(features_dir)))
            feature = parser.parse()
        except GherkinParseError:
            continue
        found |= feature.tags
        for scenario in feature.scenarios.values():
            found |= scenario.tags
    return found


def check(features_dir: Path, modules: Iterable[str]) -> list[str]:
    """Problems, one line each, naming file and line; empty when all is well."""
    defs = definitions(modules)
    problems = []
    seen: dict[tuple[str | None, str], Definition] = {}
    for d in defs:
        key = (d.type, d.phrase)
        if key in seen:
            problems.append(
                f"{d.where}: step phrase {d.phrase!r} is already defined at {seen[key].where}"
            )
        else:
            seen[key] = d
    for path in sorted(features_dir.rglob("*.feature")):
        problems += stray_steps(path)
        try:
            parser = FeatureParser(str(features_dir), str(path.relative_to(features_dir)))
            feature = parser.parse()
        except GherkinParseError as exc:  # a `Then:` typo, a scenario starting with And
            problems.append(f"{path}:{exc.line}: {exc.message} ({exc.line_content.strip()!r})")
            continue
        steps = [s for sc in feature.scenarios.values() for s in sc.steps]
        if feature.background is not None:
            steps += list(feature.background.steps)
        for step in steps:
            matches = [
                d
                for d in defs
                if d.type in (None, step.type) and d.context.parser.is_matching(step.name)
            ]
            where = f"{path}:{step.line_number}"
            if not matches:
                problems.append(f"{where}: undefined step: {step.type.capitalize()} {step.name}")
            elif len({m.phrase for m in matches}) > 1:
                phrases = ", ".join(repr(m.phrase) for m in matches)
                problems.append(
                    f"{where}: step {step.name!r} matches several definitions: {phrases}"
                )
    return sorted(set(problems))


SEVERITY_TAGS = ("blocker", "critical", "normal", "minor")
ID_FORM = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")


def tag_problems(features_dir: Path, prefixes: Iterable[str]) -> list[str]:
    """Each scenario has exactly one checklist ID of its pack (``@MTP-06`` for prefix MTP),
    used once in the pack, and one severity tag; problems name file and line."""
    wanted = tuple(f"{p}-" for p in prefixes)
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(features_dir.rglob("*.feature")):
        try:
            parser = FeatureParser(str(features_dir), str(path.relative_to(features_dir)))
            feature = parser.parse()
        except GherkinParseError:
            continue  # check() reports it
        for scenario in feature.scenarios.values():
            where = f"{path}:{scenario.line_number}"
            ids = sorted(t for t in scenario.tags if ID_FORM.match(t))
            severities = sorted(t for t in scenario.tags | feature.tags if t in SEVERITY_TAGS)
            if len(ids) != 1:
                problems.append(
                    f"{where}: scenario {scenario.name!r} needs exactly one checklist ID tag"
                    f" ({', '.join('@' + p + '01' for p in wanted)}), got {ids or 'none'}"
                )
            elif not ids[0].startswith(wanted):
                problems.append(
                    f"{where}: checklist ID {ids[0]} is not one of this pack's"
                    f" ({', '.join(p + '*' for p in wanted)})"
                )
            elif ids[0] in seen:
                problems.append(
                    f"{where}: checklist ID {ids[0]} is used again (first at {seen[ids[0]]})"
                )
            else:
                seen[ids[0]] = where
            if len(severities) != 1:
                problems.append(
                    f"{where}: scenario {scenario.name!r} needs one severity tag"
                    f" ({', '.join('@' + s for s in SEVERITY_TAGS)}), got {severities or 'none'}"
                )
    return problems
