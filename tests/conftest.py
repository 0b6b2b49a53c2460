"""Helpers for the harness's own tests: run the real ``golive`` command in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from golive import launcher
from golive.packs import Found, declared
from tests import forkrun

ROOT = Path(__file__).resolve().parent.parent
# golive's own packs: those its pyproject.toml declares (a team's pack installed beside
# them is not golive's to prove: no sandbox fault is owed for it)
OWN_PACKS = [Found(n, v, "golive").load() for n, v in declared(ROOT).items()]
OWN_IDS = tuple(prefix for p in OWN_PACKS for prefix in p.ids)
# Dates for waivers and attestations the suite writes: valid, or expired, on the reference
# date of any run it makes, whatever the clock says (the suite runs under faked clocks too)
FAR_FUTURE = "2999-12-31"
LONG_AGO = "2001-01-01"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    out: Path

    def __post_init__(self) -> None:
        # the run folder this command wrote, fixed now: a later run moves "latest"
        self.run_dir = (self.out / "latest").resolve()

    @property
    def signoff(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.run_dir / "signoff.json").read_text())
        return data

    def statuses(self) -> dict[tuple[str, str], str]:
        return {(i["id"], i["subject"]): i["status"] for i in self.signoff["items"]}


# The modules whose tests are whole `golive run`s of many checks (30-60 s each), the Spark
# test (a JVM and a session, 40-80 s) and the Schemathesis runs (10-15 s each): they go
# first, so the two workers do not end on them one after the other while the other waits.
LONG_FIRST = (
    "tests/billrun/test_spark.py",
    "tests/test_runs.py",
    "tests/hardening/test_production_safety.py",
    "tests/test_parallel.py",
    "tests/test_safety.py",
    "tests/conformance/test_schemathesis.py::test_the_emulation",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))


# Modules (or folders) whose tests share a module- or session-scoped fixture that starts
# something: a sandbox, a `golive run`, a browser. Such a fixture is built once per worker
# that runs one of its tests (with four workers, up to four times), so one worker runs all
# of a module's tests. Every other test is handed out on its own.
ONE_WORKER = (
    "tests/test_signoff.py",  # `finished`: a GO, a NO-GO and a waived (signed) run
    "tests/test_signoff_browser.py",  # `run`: a run with its report, and a browser
    "tests/test_allure.py",  # `runs`: a GO and a GO WITH WAIVERS run, with their reports
    "tests/einvoicing/",  # conftest.py's `sandbox`
    "tests/upgrade/test_billing_sandbox.py",
    "tests/upgrade/test_portal_adapter.py",
    "tests/billrun/test_sandbox_sources.py",
    "tests/conformance/test_schemathesis.py",
    "tests/conformance/test_findings.py",
    "tests/erp/test_monitor_sandbox.py",
    "tests/unit/test_redact_equivalence.py",  # each secret set's corpus and oracle, made once
    "tests/test_progress.py",  # `scenario`: a sandbox with buyers-empty; `logged`: a run
    "tests/hardening/test_unjudgeable.py",  # `malformed`: a project of bad checklists, its run
    "tests/hardening/test_unreachable.py",  # `runs`: two runs against misbehaving targets
    "tests/adversarial/test_production_safety_cases.py",  # pytest-playwright's `browser`
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load`` (make test's) with ``ONE_WORKER``'s modules each kept together;
    another ``--dist`` is left to pytest-xdist. (Its ``--dist loadgroup`` would do this by
    marks, but its worker renames the node IDs to carry the group, which pytest 9.2's
    read-only node IDs no longer take: every test stayed on its own.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerPerSharedFixture(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((m for m in ONE_WORKER if path.startswith(m)), nodeid)

    return OneWorkerPerSharedFixture(config, log)


def replaced(text: str, old: str, new: str, count: int = -1) -> str:
    """``text.replace(old, new, count)``, failing loudly when ``old`` is not there: a test
    that edits a scenario or a config by text must not go on with the original."""
    if old not in text:
        pytest.fail(f"text to replace not found: {old!r}", pytrace=False)
    return text.replace(old, new, count)


def golive_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "PYTEST_"))}
    env.update(extra)
    return env


@pytest.fixture
def golive_cli(tmp_path: Path) -> Callable[..., Run]:
    """Run ``golive ARGS`` from the project root; run folders go under tmp_path."""

    def run(
        *args: str,
        env: dict[str, str] | None = None,
        output: bool = True,
        timeout: float = 300,
        clock: str | None = None,
    ) -> Run:
        out = tmp_path / "reports"
        argv = list(args)
        if output and args and args[0] == "run":
            argv[0:1] = ["run", "--output", str(out)]
        prefix: list[str] = []
        if clock is not None:  # "YYYY-MM-DD HH:MM:SS" UTC: the clock starts there and runs
            prefix = [faketime(), clock]
            env = {**(env or golive_env()), "TZ": "UTC"}
        ran = golive_process(argv, env=env, timeout=timeout, prefix=prefix)
        return Run(ran.returncode, ran.stdout, ran.stderr, out)

    return run


def golive_process(
    args: list[str],
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    prefix: list[str] | None = None,
) -> forkrun.Done:
    """``python -m golive ARGS`` in ``cwd``, to its end: stdin from /dev/null, stdout and
    stderr captured, in a process forked from one that has the common imports made
    (tests/forkrun.py); executed behind ``prefix`` when there is one (faketime's)."""
    return forkrun.run(
        list(args), env=env or golive_env(), cwd=cwd, timeout=timeout, prefix=prefix or []
    )


def faketime() -> str:
    """The ``faketime`` command (Debian package faketime; ``make test`` installs it). Without
    it the faked-clock runs cannot prove anything: they fail in CI and skip elsewhere."""
    found = shutil.which("faketime")
    if found is None:
        reason = "faketime is not installed (apt-get install faketime; make test does it as root)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def faults() -> list[dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "golive", "sandbox", "--list-faults", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows


@pytest.fixture
def sandbox() -> Iterator[launcher.RunningSandbox]:
    """A sandbox the test starts itself, so it can read the sandbox's request log."""
    os.environ.setdefault(launcher.TOKEN_VAR, "test-token-0123")
    running = launcher.start([])
    yield running
    running.stop()


def external_scenario(tmp_path: Path, url: str, tier: str, allow: list[str]) -> Path:
    """The sandbox scenario pointed at an already running sandbox, with another tier."""
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    text = replaced(text, "tier: test", f"tier: {tier}")
    text = replaced(text, "enabled: true", "enabled: false")
    text = replaced(text, "base_url: sandbox", f"base_url: {url}")
    text = replaced(text, "allow_mutating: []", f"allow_mutating: {json.dumps(allow)}")
    path = tmp_path / f"{tier}-{len(allow)}.yaml"
    path.write_text(text)
    data = ROOT / "scenarios" / "data"  # files the scenario names relative to itself
    if data.is_dir() and not (tmp_path / "data").exists():
        shutil.copytree(data, tmp_path / "data")
    return path


def request_log(url: str) -> list[dict[str, str]]:
    token = os.environ[launcher.TOKEN_VAR]
    rows: list[dict[str, str]] = requests.get(
        f"{url}/sandbox/requests", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    return rows
