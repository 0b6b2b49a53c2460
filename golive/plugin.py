"""golive's pytest plugin: options, packs, subjects, checklist metadata, the run plan, safety.

- The checklist packs the scenario selects (``packs:``, golive/packs.py) are loaded when
  pytest is configured: their step and fixture modules become plugins, their checklist ID
  and ``@each_<kind>`` tags registered markers, their feature files bound by
  ``features/test_checklists.py``. A pack whose systems are not configured is not
  applicable: it is not loaded, and the plan records it as such.
- ``--scenario`` (ini ``golive_scenario``, env ``GOLIVE_SCENARIO``; CLI > env > ini) and
  ``--sandbox-fault``; the scenario is loaded once per process (``RunContext``).
- A feature tagged ``@each_<kind>`` runs once per subject of that kind, as its pack gives
  them from its settings (``@each_partner`` -> ``packs.partner_go_live.partners``); the
  ``subject`` fixture holds its ID.
- Every scenario needs a checklist ID tag (``@MTP-06``) and one severity tag; both become
  Allure labels (epic = checklist, story = item, severity, ``golive_id``,
  ``golive_subject``) and the run plan (``plan.json``) that the gate compares the
  results with, so an item that never reported is never mistaken for a pass.
- ``@mutating`` items are skipped on a production-tier environment unless the scenario
  allows their ID; the HTTP layer refuses their requests as a second line.
- Failure text is redacted before pytest, JUnit or Allure see it.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from .config import ALLOW_MUTATING_FORM, key_line
from .context import RunContext, build
from .errors import InputError, ScenarioError
from .files import write_atomic
from .packs import Active, pack_of, set_running

# the core's own fixtures: the scenario, the systems (adapters) and the browser; what the
# terminal and the Allure report show of each item
pytest_plugins = [
    "golive.fixtures.scenario",
    "golive.fixtures.systems",
    "golive.fixtures.browser",
    "golive.terminal",
    "golive.allure_meta",
]

SEVERITIES = ("blocker", "critical", "normal", "minor")
ID_TAG = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
EACH = "each_"
CTX_KEY = pytest.StashKey[RunContext]()
INFO_KEY = pytest.StashKey["ItemInfo"]()
PLAN_KEY = pytest.StashKey[list["ItemInfo"]]()


@dataclass(frozen=True)
class ItemInfo:
    id: str
    title: str
    severity: str
    channel: str
    mutating: bool
    manual: bool
    checklist: str
    feature: str
    file: str
    line: int
    subject: str
    nodeid: str
    pack: str = ""

    @property
    def key(self) -> str:
        return f"{self.id}|{self.subject}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("golive", "golive go-live checks")
    group.addoption(
        "--scenario",
        dest="golive_scenario",
        metavar="FILE",
        help="scenario file (default: env GOLIVE_SCENARIO, then ini golive_scenario)",
    )
    group.addoption(
        "--sandbox-fault",
        dest="golive_faults",
        action="append",
        default=[],
        metavar="NAME",
        help="start the built-in sandbox with this fault",
    )
    group.addoption(
        "--golive-run-dir",
        dest="golive_run_dir",
        metavar="DIR",
        help="the run folder: plan.json is written there",
    )
    parser.addini("golive_scenario", "default scenario file", default="scenarios/sandbox.yaml")


def scenario_path(config: pytest.Config) -> Path:
    chosen = config.getoption("golive_scenario") or os.environ.get("GOLIVE_SCENARIO")
    if chosen:
        return Path(chosen)
    return config.rootpath / str(config.getini("golive_scenario"))


def run_context(config: pytest.Config) -> RunContext:
    ctx = config.stash.get(CTX_KEY, None)
    if ctx is None:
        run_dir = config.getoption("golive_run_dir")
        try:
            ctx = build(
                scenario_path(config),
                config.getoption("golive_faults"),
                Path(run_dir) if run_dir else None,
            )
        except InputError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[CTX_KEY] = ctx
    return ctx


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    if tag.startswith(EACH):
        pytest.mark.usefixtures("subject")(function)
        getattr(pytest.mark, tag)(function)
        return True
    return None


def _template(function: Any) -> Any:
    return scenario_wrapper_template_registry.get(function)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    template = _template(metafunc.function)
    if template is None or "subject" not in metafunc.fixturenames:
        return
    kinds = sorted(
        t[len(EACH) :] for t in template.tags | template.feature.tags if t.startswith(EACH)
    )
    ctx = run_context(metafunc.config)
    active = pack_of(ctx.packs, template.feature.filename)
    ids = active.subjects(kinds[0]) if active is not None and len(kinds) == 1 else None
    if ids is None:
        where = f"{template.feature.rel_filename}:{template.line_number}"
        offered = sorted(active.pack.subjects) if active is not None else []
        raise pytest.UsageError(
            f"{where}: expected one @each_<kind> tag naming a subject kind of its pack"
            f" ({', '.join('@each_' + k for k in offered) or 'the pack has none'}), got {kinds}"
        )
    metafunc.parametrize("subject", ids, ids=ids)


def item_info(item: pytest.Item) -> ItemInfo | None:
    template = _template(getattr(item, "obj", None))
    if template is None:
        return None
    feature = template.feature
    tags = template.tags | feature.tags
    where = f"{feature.rel_filename}:{template.line_number}"
    ids = sorted(t for t in template.tags if ID_TAG.match(t))
    severities = sorted(t for t in tags if t in SEVERITIES)
    if len(ids) != 1:
        raise pytest.UsageError(
            f"{where}: scenario {template.name!r} needs exactly one checklist ID tag"
            f" like @MTP-01, got {ids or 'none'}"
        )
    if len(severities) != 1:
        raise pytest.UsageError(
            f"{where}: scenario {template.name!r} needs one severity tag"
            f" ({', '.join('@' + s for s in SEVERITIES)}), got {severities or 'none'}"
        )
    callspec = getattr(item, "callspec", None)
    subject = str(callspec.params.get("subject", "")) if callspec else ""
    ctx = item.config.stash.get(CTX_KEY, None)
    active = pack_of(ctx.packs, feature.filename) if ctx is not None else None
    if active is not None and not any(ids[0].startswith(p + "-") for p in active.pack.ids):
        raise pytest.UsageError(
            f"{where}: checklist ID {ids[0]} is not one of pack {active.pack.name!r}'s"
            f" ({', '.join(p + '-*' for p in active.pack.ids)})"
        )
    return ItemInfo(
        id=ids[0],
        title=template.name,
        severity=severities[0],
        channel="ui" if "ui" in tags else "api",
        mutating="mutating" in tags,
        manual="manual" in tags,
        checklist=active.pack.title
        if active is not None
        else Path(feature.rel_filename).parent.name,
        feature=feature.name,
        file=feature.rel_filename,
        line=template.line_number,
        subject=subject,
        nodeid=item.nodeid,
        pack=active.pack.name if active is not None else "",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before pytest deselects anything (``-k``, ``-m``, ``--deselect``): every checklist
    item gets its metadata, and the plan is what the scenario and ``-m`` (golive's
    ``--tags``) select. An item deselected any other way stays in the plan and, without a
    result, is missing: never GO."""
    seen: dict[str, str] = {}
    for item in items:
        info = item_info(item)
        if info is None:
            continue
        if info.key in seen:
            raise pytest.UsageError(
                f"{info.file}:{info.line}: checklist ID {info.id} is used again"
                f" (first at {seen[info.key]})"
            )
        seen[info.key] = f"{info.file}:{info.line}"
        item.stash[INFO_KEY] = info
        label = pytest.mark.allure_label
        item.add_marker(label(info.checklist, label_type="epic"))
        item.add_marker(label(info.title, label_type="story"))
        item.add_marker(label(info.severity, label_type="severity"))
        item.add_marker(label(info.id, label_type="golive_id"))
        item.add_marker(label(info.subject or "-", label_type="golive_subject"))
        item.user_properties.append(("golive_id", info.id))
    _check_allow_mutating(config, {key.split("|")[0] for key in seen})
    selected = _tagged(config, items)
    if selected is not None:
        config.stash[PLAN_KEY] = [i.stash[INFO_KEY] for i in selected if INFO_KEY in i.stash]


def _check_allow_mutating(config: pytest.Config, known: set[str]) -> None:
    """``policy.allow_mutating`` may name only checklist IDs that a collected item has: a
    misspelt or stale ID would otherwise leave the check it meant silently skipped, or
    stand ready for an item nobody reviewed. Judged only on a collection of every
    checklist (what ``golive run`` does); a run of a few feature files cannot tell."""
    ctx = config.stash.get(CTX_KEY, None)
    if ctx is None or not _collects_every_checklist(config):
        return
    allowed = ctx.scenario.policy.allow_mutating
    unknown = [a for a in allowed if a not in known]
    if unknown:
        source = ctx.scenario.source
        first = allowed.index(unknown[0])
        error = ScenarioError(
            str(source),
            "policy.allow_mutating",
            f"no checklist item has the ID {', '.join(unknown)}; {ALLOW_MUTATING_FORM}",
            key_line(source, ("policy", "allow_mutating", first)),
        )
        raise pytest.UsageError(str(error))


def _collects_every_checklist(config: pytest.Config) -> bool:
    features = (config.rootpath / "features").resolve()
    if not config.args:
        return True
    for arg in config.args:
        path = Path(arg.split("::")[0])
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        if "::" in arg or path.resolve() not in (features, *features.parents):
            return False
    return True


def _tagged(config: pytest.Config, items: list[pytest.Item]) -> list[pytest.Item] | None:
    """The items ``-m`` selects, as pytest will judge them; None for an expression pytest
    cannot read either (it then reports the bad expression itself, and nothing runs)."""
    expr_text = config.option.markexpr
    if not expr_text:
        return list(items)
    try:
        from _pytest.mark import MarkMatcher
        from _pytest.mark.expression import Expression
    except ImportError as exc:  # a pytest golive does not know: the plan cannot be told
        raise pytest.UsageError(
            f"golive cannot tell which items --tags {expr_text!r} selects ({exc}); the plan"
            " is not guessed from what pytest kept"
        ) from None
    try:
        expr = Expression.compile(expr_text)
    except SyntaxError:
        return None
    return [i for i in items if expr.evaluate(MarkMatcher.from_markers(i.iter_markers()))]


def pytest_collection_finish(session: pytest.Session) -> None:
    # Everything imported and collected lives for the whole session: moved out of the
    # garbage collector's sight, each collection (and pytest's full one at the end) walks
    # only what the checks create (bench/README.md, "What the profiles showed").
    gc.freeze()
    run_dir = session.config.getoption("golive_run_dir")
    worker = getattr(session.config, "workerinput", None)
    if not run_dir or (worker is not None and worker["workerid"] != "gw0"):
        return  # under pytest-xdist every worker collects everything: gw0 writes the plan
    planned = session.config.stash.get(PLAN_KEY, None)
    if planned is None:
        # a --tags expression pytest reports as wrong: no plan.json, so the run cannot be
        # judged; what pytest kept after deselecting is never taken for the plan
        return
    plan = [asdict(info) for info in planned]
    ctx = session.config.stash.get(CTX_KEY, None)
    checklists = [_checklist_entry(a) for a in (ctx.packs if ctx is not None else [])]
    write_atomic(
        Path(run_dir) / "plan.json",
        json.dumps({"items": plan, "checklists": checklists}, indent=2),
    )


def _checklist_entry(active: Active) -> dict[str, Any]:
    """A selected pack as the plan records it: shown on the signoff, applicable or not."""
    return {
        "name": active.pack.name,
        "title": active.pack.title,
        "description": active.pack.description,
        "applicable": active.applicable,
        "missing_systems": list(active.missing),
    }


def pytest_runtest_setup(item: pytest.Item) -> None:
    info = item.stash.get(INFO_KEY, None)
    if info is not None:
        ctx = run_context(item.config)
        ctx.guard.current_check = info.id
        ctx.items.start(f"{info.id} [{info.subject}]" if info.subject else info.id)


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> None:
    """Skip a changing item on production here, after Allure has started its result, so
    the item is reported as not run with this reason rather than missing."""
    info = request.node.stash.get(INFO_KEY, None)
    ctx = request.config.stash.get(CTX_KEY, None)
    if info is not None and ctx is not None and info.mutating and not ctx.guard.permits("POST"):
        pytest.skip(
            f"{info.id} changes the target and the environment is production;"
            " not run (allow it with policy.allow_mutating)"
        )


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest, step_func_args: dict[str, Any]
) -> Generator[None, None, None]:
    """Allure lists a step's arguments as its parameters: the values written in the step
    text belong there, the fixtures the step function takes (adapters, plans, the run
    context) do not. Their reprs are noise in every step and cost time to build. They
    leave the dict while Allure reads it and are back before the step function is called
    with it. An argument parsed from the step text under a fixture's name is left out
    too."""
    fixtures = {k: v for k, v in step_func_args.items() if k in request.fixturenames}
    for name in fixtures:
        del step_func_args[name]
    try:
        yield
    finally:
        step_func_args.update(fixtures)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    ctx = item.config.stash.get(CTX_KEY, None)
    if ctx is not None:
        ctx.guard.current_check = None
        ctx.items.stop()


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    ctx = item.config.stash.get(CTX_KEY, None)
    if ctx is None or ctx.redactor.empty or not report.longrepr:
        return
    text = str(report.longrepr)
    if ctx.redactor.contains_secret(text):
        report.longrepr = ctx.redactor.text(text)


def pytest_report_header(config: pytest.Config) -> str:
    return f"golive scenario: {scenario_path(config)}"


MARKERS = {
    "blocker": "a failure stops the go-live",
    "critical": "a failure stops the go-live",
    "normal": "a failure is reported, it does not block by default",
    "minor": "a failure is reported, it does not block by default",
    "api": "checked over the system's HTTP API",
    "ui": "checked in a real browser",
    "mutating": "the check changes the target (refused on production unless allowed)",
    "manual": "a person attests the item",
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the core's tags as markers. When checklists are collected: load the
    scenario up front, so bad input stops the run with its one-line message before
    anything is contacted; load the selected packs' plugins and register their tags; and
    check the packs (``check_packs``, what ``golive check`` reports): pytest-bdd would let
    a duplicate definition shadow another silently and read a step before the first
    scenario as description."""
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if not config.args or any(Path(a).parts[:1] == ("features",) for a in config.args):
        ctx = run_context(config)
        load_packs(config, ctx.packs)
        _use_pack_title_paths(config)
        if not hasattr(config, "workerinput"):  # once, in the main process
            problems = check_packs(ctx)
            if problems:
                raise pytest.UsageError(
                    "the checklists cannot run as written:\n"
                    + "\n".join(f"  {p}" for p in problems)
                )
            if config.getoption("dist", default="no") != "no":
                # pytest-xdist: this process collects nothing and a worker's UsageError
                # is lost in an internal error; the feature files' tags tell it here.
                known = {t for a in ctx.packs for t in pack_tags(a) if ID_TAG.match(t)}
                _check_allow_mutating(config, known)


def pytest_unconfigure(config: pytest.Config) -> None:
    set_running([])


def _title_path(config: pytest.Config, feature: Any) -> list[str]:
    """Allure's tree for a checklist item: its pack's title, then its feature's name.
    allure-pytest-bdd's own (2.16) is the feature's path under pytest's rootdir, which
    raises for a pack installed elsewhere (a team's pack beside golive's, or golive's
    beside a team's project), so it is replaced while packs run."""
    ctx = config.stash.get(CTX_KEY, None)
    active = pack_of(ctx.packs, feature.filename) if ctx is not None else None
    title = active.pack.title if active is not None else Path(feature.filename).parent.name
    return [title, feature.name or Path(feature.filename).name]


def _use_pack_title_paths(config: pytest.Config) -> None:
    try:
        from allure_pytest_bdd import pytest_bdd_listener
    except ImportError:  # Allure is not installed: nothing to steer
        return
    pytest_bdd_listener.get_title_path = lambda request, feature: _title_path(config, feature)


def load_packs(config: pytest.Config, packs: list[Active]) -> None:
    """The applicable packs' plugins and their features for ``features/test_checklists.py``
    to bind; every selected pack's tags as markers (``--tags ERP-01`` selects nothing, not
    an error, where that pack is not applicable)."""
    running = [a for a in packs if a.applicable]
    set_running(running)
    kinds: set[str] = set()
    for active in packs:
        kinds.update(active.pack.subjects)
        for tag in sorted(pack_tags(active)):
            if ID_TAG.match(tag):
                config.addinivalue_line("markers", f"{tag}: checklist item ({active.pack.name})")
    for active in running:
        for module in active.pack.plugins:
            if config.pluginmanager.get_plugin(module) is None:
                config.pluginmanager.import_plugin(module)
    for kind in sorted(kinds):
        config.addinivalue_line("markers", f"{EACH}{kind}: runs once per subject of this kind")


def pack_tags(active: Active) -> set[str]:
    from .lint import tags

    return tags(active.pack.features)


def check_packs(ctx: RunContext) -> list[str]:
    """What ``golive check`` reports, for every applicable pack of the run: each phrase
    defined once, every step bound, IDs unique and each with one severity, and every
    configured adapter following its Protocol."""
    from .lint import check, tag_problems
    from .systems import check_adapters

    running = [a for a in ctx.packs if a.applicable]
    # steps are shared by every loaded module: a phrase two packs define shadows the other
    modules = [m for a in running for m in a.pack.plugins]
    problems: set[str] = set()
    for active in running:
        problems.update(check(active.pack.features, modules))
        problems.update(tag_problems(active.pack.features, active.pack.ids))
    return sorted(problems) + check_adapters(ctx) + check_attestations(ctx)


def check_attestations(ctx: RunContext) -> list[str]:
    """An attestation names an item of a selected pack, and a subject that pack has: a
    typo would leave the manual item pending with the person's word unread."""
    scenario, problems = ctx.scenario, []
    for n, attestation in enumerate(scenario.attestations):
        owner = next(
            (a for a in ctx.packs if any(attestation.id.startswith(p + "-") for p in a.pack.ids)),
            None,
        )
        ids = {t for t in pack_tags(owner) if ID_TAG.match(t)} if owner is not None else set()
        where = f"{scenario.source}:{key_line(scenario.source, ('attestations', n)) or '?'}"
        if attestation.id not in ids:
            known = ", ".join(sorted(ids)) if owner else "no selected pack has its prefix"
            problems.append(
                f"{where}: attestations.{n}.id: no checklist item {attestation.id} ({known})"
            )
            continue
        assert owner is not None
        subjects = {s for kind in owner.pack.subjects for s in owner.subjects(kind) or []}
        if attestation.subject is not None and attestation.subject not in subjects:
            problems.append(
                f"{where}: attestations.{n}.subject: no subject {attestation.subject!r} in"
                f" pack {owner.pack.name} (its subjects: {', '.join(sorted(subjects)) or 'none'})"
            )
    return problems
