"""A team's own suite: ``golive init`` writes one, ``golive check`` lints its packs.

``init(folder, pack, prefix)`` copies ``golive/init_template`` with the names filled in:
a project with the design card's layout (features/, steps/, fixtures/, scenarios/,
reports/, conftest.py, pyproject.toml) plus ``packs/<pack>/`` for the pack's own library
code, one example pack for a REST service the team fills in, an example scenario and a
README. The project depends on golive; it declares its pack in its own pyproject.toml.

``check(scenario)`` is what every ``golive run`` checks before anything is contacted, on
its own: the scenario and each selected pack's settings are valid, each pack's phrases
are defined once and every step is bound, each scenario has one ID of its pack and one
severity, and each configured adapter follows its Protocol. It prints every pack it can
find, selected or not, and exits 2 with one line per problem.
"""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

from .errors import InputError
from .packs import NAME, discover

TEMPLATE = Path(__file__).with_name("init_template")
PREFIX = re.compile(r"^[A-Z][A-Z0-9]*$")
RENAMED = {"dot-gitignore": ".gitignore"}


def init(folder: Path, pack: str, prefix: str, title: str | None = None) -> list[Path]:
    """Write a new project into ``folder`` (absent or empty); the files written."""
    if not NAME.match(pack):
        raise InputError(
            f"--pack {pack!r}: expected lower case letters, digits and underscores,"
            " starting with a letter (it names a Python package)"
        )
    if not PREFIX.match(prefix):
        raise InputError(f"--prefix {prefix!r}: expected upper case letters and digits, like SVC")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: exists and is not an empty folder; nothing was written")
    project = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "suite"
    names = {
        "__PROJECT__": project,
        "__PACK__": pack,
        "__PREFIX__": prefix,
        "__TITLE__": title or pack.replace("_", " ").capitalize(),
    }
    written = []
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        rel = Path(*(RENAMED.get(p, _fill(p, names)) for p in source.relative_to(TEMPLATE).parts))
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in (".py", ".toml", ".yaml", ".md", ".feature") or source.name in RENAMED:
            target.write_text(_fill(source.read_text("utf-8"), names), "utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written


def _fill(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace(key, value)
    return text


def check(scenario_path: Path) -> tuple[list[str], list[str]]:
    """(what was found, the problems) for the scenario and every pack it selects."""
    from .context import build
    from .plugin import check_packs

    found = discover()
    ctx = build(scenario_path)
    selected = {a.pack.name: a for a in ctx.packs}
    lines = []
    for name, ref in found.items():
        active = selected.get(name)
        if active is None:
            state = "not selected"
        elif active.applicable:
            state = f"selected: {active.pack.title} ({', '.join(active.pack.ids)}-*)"
        else:
            state = f"not applicable: no system {', '.join(active.missing)} in the scenario"
        origin = Path(ref.origin)
        if origin.is_absolute() and origin.is_relative_to(Path.cwd()):
            origin = origin.relative_to(Path.cwd())
        lines.append(f"pack {name} ({origin}): {state}")
    for active in ctx.packs:
        if active.applicable:
            for module in active.pack.plugins:
                try:
                    importlib.import_module(module)
                except ImportError as exc:
                    raise InputError(f"pack {active.pack.name}: plugin {module}: {exc}") from None
    return lines, check_packs(ctx)
