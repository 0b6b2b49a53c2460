"""Checklist packs: the unit a team adds, and how the core finds and loads them.

A pack is one declared unit (a ``Pack`` object), published under the entry-point group
``golive.packs`` with its name as the entry point's name::

    [project.entry-points."golive.packs"]
    orders = "packs.orders:PACK"

It holds the pack's features folder (with a ``narrative.md``: its title and a paragraph),
the plugin modules that define its steps and fixtures, the pydantic model of its slice of
the scenario (``packs.<name>`` in the scenario file), the systems it talks to with the
Protocol each system's adapter must follow, its built-in adapters, and the subject kinds
its ``@each_<kind>`` features run over.

The core knows no pack. It finds them in two places, by the same declaration:

- installed distributions' entry points (golive's own built-in packs are declared in its
  pyproject.toml exactly like this);
- the ``pyproject.toml`` of the project golive runs in (the current directory), so a team's
  suite made with ``golive init`` works from its checkout without installing it first.

The scenario's ``packs:`` mapping says which packs run. A selected pack whose systems are
not all in the scenario is *not applicable*: it is shown as such and does not run; it
never makes a run NO-GO by itself. A pack that is not selected is not loaded at all.

Packs import only the core's public API: ``golive.packs``, ``golive.checks``,
``golive.evidence``, ``golive.http``, ``golive.errors``, ``golive.context``,
``golive.config``, ``golive.systems``, ``golive.mailbox``, ``golive.browser``,
``golive.fixtures.*`` (import contracts in pyproject.toml). Their modules live in PEP 420
namespace packages (``packs``, ``steps``, ``fixtures`` have no ``__init__.py``), so a
team's ``steps/orders`` and golive's ``steps/einvoicing`` import side by side.
"""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError, ScenarioError

GROUP = "golive.packs"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
NARRATIVE = "narrative.md"


class NoSettings(BaseModel):
    """The settings of a pack that needs none: ``packs: {name: {}}``."""

    model_config = {"extra": "forbid", "frozen": True}


@dataclass(frozen=True)
class Pack:
    """A checklist pack. ``features`` is the folder of its feature files; ``plugins`` the
    modules pytest loads for it (steps and fixtures); ``settings`` the model of its slice
    of the scenario; ``systems`` maps each scenario system it needs to the Protocol its
    adapter must follow; ``adapters`` its built-in adapters by name (``"module:attr"``,
    imported only when a scenario uses them); ``subjects`` maps each ``@each_<kind>`` kind
    to a function of the settings giving the subjects' IDs; ``ids`` the prefixes of its
    checklist IDs (``MTP`` for ``@MTP-06``)."""

    name: str
    features: Path
    plugins: tuple[str, ...]
    ids: tuple[str, ...]
    settings: type[BaseModel] = NoSettings
    systems: Mapping[str, type] = field(default_factory=dict)
    adapters: Mapping[str, str] = field(default_factory=dict)
    subjects: Mapping[str, Callable[[Any], Iterable[str]]] = field(default_factory=dict)
    # which scenario system is used for which role, when a pack lets the team name them
    # (the upgrade's two billing instances): a function of the settings
    system_names: Callable[[Any], Mapping[str, str]] | None = None

    @cached_property
    def narrative(self) -> tuple[str, str]:
        """(title, description) from ``narrative.md`` beside the features."""
        path = self.features / NARRATIVE
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise InputError(
                f"{path}: pack {self.name!r} has no narrative (expected a {NARRATIVE} whose"
                " first line is '# Title' and whose next paragraph describes the checklist)"
            ) from None
        lines = text.strip().splitlines()
        if not lines or not lines[0].startswith("# "):
            raise InputError(f"{path}:1: expected the checklist's title as '# Title'")
        paragraphs = "\n".join(lines[1:]).strip().split("\n\n")
        description = " ".join(paragraphs[0].split()) if paragraphs and paragraphs[0] else ""
        return lines[0][2:].strip(), description

    @property
    def title(self) -> str:
        return self.narrative[0]

    @property
    def description(self) -> str:
        return self.narrative[1]

    @cached_property
    def folder(self) -> Path:
        """``features`` resolved once: every item asks which pack its feature is in."""
        return self.features.resolve()

    def feature_files(self) -> list[Path]:
        return sorted(self.features.rglob("*.feature"))

    def needed_systems(self, settings: Any) -> dict[str, type]:
        """Scenario system name -> the Protocol its adapter must follow."""
        if self.system_names is None:
            return dict(self.systems)
        names = self.system_names(settings)
        return {names.get(role, role): proto for role, proto in self.systems.items()}


@dataclass(frozen=True)
class Found:
    """A pack found by its declaration, not yet imported."""

    name: str
    value: str  # "module:attr"
    origin: str  # the distribution or project that declares it

    def load(self) -> Pack:
        module_name, _, attr = self.value.partition(":")
        where = f"pack {self.name!r} ({self.value}, declared by {self.origin})"
        try:
            module = importlib.import_module(module_name)
            pack = getattr(module, attr) if attr else module
        except ImportError as exc:
            raise InputError(f"{where} cannot be imported: {exc}") from None
        except AttributeError:
            raise InputError(f"{where}: module {module_name} has no {attr!r}") from None
        if not isinstance(pack, Pack):
            raise InputError(f"{where}: expected a golive.packs.Pack, got {type(pack).__name__}")
        if pack.name != self.name:
            raise InputError(f"{where}: the Pack object is named {pack.name!r}")
        return pack


def discover(project: Path | None = None) -> dict[str, Found]:
    """Every declared pack by name: installed entry points, then the project's own
    pyproject.toml (which wins, so a team's checkout runs what it has on disk)."""
    found: dict[str, Found] = {}
    for ep in metadata.entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else "an installed distribution"
        found[ep.name] = Found(ep.name, ep.value, dist)
    project = project if project is not None else Path.cwd()
    for name, value in declared(project).items():
        found[name] = Found(name, value, str(project / "pyproject.toml"))
    for name in found:
        if not NAME.match(name):
            raise InputError(
                f"pack name {name!r} ({found[name].origin}): expected lower case letters,"
                " digits and underscores, starting with a letter"
            )
    return dict(sorted(found.items()))


def declared(project: Path) -> dict[str, str]:
    """The packs a project's own pyproject.toml declares: name -> ``module:attr``."""
    path = project / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from None
    declared = data.get("project", {}).get("entry-points", {}).get(GROUP, {})
    if not isinstance(declared, dict) or not all(isinstance(v, str) for v in declared.values()):
        raise InputError(f'{path}: [project.entry-points."{GROUP}"]: expected name = "module:attr"')
    if declared and str(project) not in sys.path:
        sys.path.insert(0, str(project))  # the project's own packs import from its checkout
    return dict(declared)


@dataclass(frozen=True)
class Active:
    """A pack the scenario selects, with its validated settings."""

    pack: Pack
    settings: Any
    missing: tuple[str, ...]  # systems the pack needs that the scenario does not configure

    @property
    def applicable(self) -> bool:
        return not self.missing

    def subjects(self, kind: str) -> list[str] | None:
        subjects = self.pack.subjects.get(kind)
        return None if subjects is None else [str(s) for s in subjects(self.settings)]


def select(
    scenario: Any, found: Mapping[str, Found] | None = None, root: Any = None
) -> list[Active]:
    """The packs the scenario's ``packs:`` names, loaded, their settings validated
    (``ScenarioError`` with file, key path, line and what was expected)."""
    from .config import _check_credentials, _line, key_line

    found = discover() if found is None else found
    file = str(scenario.source)

    def line(loc: tuple[Any, ...]) -> int | None:
        return _line(root, loc) if root is not None else key_line(scenario.source, loc)

    active = []
    for name, raw in scenario.packs.items():
        if name not in found:
            known = ", ".join(found) or "none"
            raise ScenarioError(
                file,
                f"packs.{name}",
                f"no such pack; installed packs: {known}",
                line(("packs", name)),
            )
        pack = found[name].load()
        try:
            settings = pack.settings.model_validate(
                raw if raw is not None else {},
                # the scenario's systems, each with the names of its credentials
                context={
                    "systems": {n: frozenset(s.credentials) for n, s in scenario.systems.items()}
                },
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ("packs", name, *err["loc"])
            from .config import _explain

            raise ScenarioError(
                file, ".".join(str(p) for p in loc), _explain(err), line(loc)
            ) from None
        _check_credentials(settings, file, root, ("packs", name))
        missing = tuple(s for s in pack.needed_systems(settings) if s not in scenario.systems)
        active.append(Active(pack, settings, missing))
    _check_prefixes(active)
    return active


def load(path: str | Path, env: dict[str, str] | None = None) -> tuple[Any, list[Active]]:
    """A scenario file read and validated whole: the core's part (``load_scenario``) and
    each selected pack's settings. ``ScenarioError`` names file, line, key and what was
    expected; ``InputError`` a pack that cannot be loaded."""
    from .config import load_scenario

    scenario = load_scenario(path, env)
    return scenario, select(scenario)


def _check_prefixes(active: list[Active]) -> None:
    owner: dict[str, str] = {}
    for a in active:
        for prefix in a.pack.ids:
            if prefix in owner:
                raise InputError(
                    f"packs {owner[prefix]!r} and {a.pack.name!r} both claim the checklist ID"
                    f" prefix {prefix}: IDs must be unique across the packs of a run"
                )
            owner[prefix] = a.pack.name


def pack_of(active: Iterable[Active], feature_file: str | Path) -> Active | None:
    path = Path(feature_file).resolve()
    for a in active:
        if path.is_relative_to(a.pack.folder):
            return a
    return None


# The packs this process runs, set by golive.plugin when pytest is configured, read when
# features/test_checklists.py binds their feature files (pytest-bdd binds at import).
_RUNNING: list[Active] = []


def running() -> list[Active]:
    return list(_RUNNING)


def set_running(active: Iterable[Active]) -> None:
    _RUNNING[:] = list(active)


def feature_folders() -> list[tuple[str, str]]:
    """(folder, features base dir) of every running, applicable pack, for
    ``features/test_checklists.py`` to bind with pytest-bdd's ``scenarios``."""
    return [(str(a.pack.features), str(a.pack.features.parent)) for a in _RUNNING if a.applicable]


def adapters(active: Iterable[Active]) -> dict[str, str]:
    """Every built-in adapter name of the given packs -> ``module:attr``."""
    named: dict[str, str] = {"capture-mailbox": "golive.mailbox:CaptureMailbox"}
    for a in active:
        named.update(a.pack.adapters)
    return named


def conformance(adapter: type | Callable[..., Any], protocol: type) -> list[str]:
    """The methods ``protocol`` declares that ``adapter`` lacks (or has as non-callables)."""
    wanted = [
        n
        for n, v in vars(protocol).items()
        if callable(v) and not n.startswith("_") and n not in ("mro",)
    ]
    return [n for n in wanted if not callable(getattr(adapter, n, None))]
