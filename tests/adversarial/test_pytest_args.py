"""Issue 17, family A, "Pytest arguments shrink the plan": nothing after ``--`` (or in
PYTEST_ADDOPTS) may narrow the selection, change the scenario or move the results. Each
is refused (exit 2) before anything is loaded or started: no run folder is made."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.cli import check_pytest_args
from tests.conftest import ROOT, Run, golive_env

Golive = Callable[..., tuple[int, str, str]]

REFUSED = {
    "-k": ["-k", "not TP-1003"],
    "-k=": ["-k=not TP-1003"],
    "-m": ["-m", "not blocker"],
    "--deselect": ["--deselect", "features/test_checklists.py::test_x[TP-1003]"],
    "--ignore": ["--ignore=features/partner_go_live"],
    "--ignore-glob": ["--ignore-glob=*move*"],
    "node id": ["features/test_checklists.py::test_mtp_06"],
    "path": ["features/partner_go_live"],
    "--scenario": ["--scenario=scenarios/test.yaml"],
    "--scenario space": ["--scenario", "scenarios/test.yaml"],
    "--alluredir": ["--alluredir=/tmp/elsewhere"],
    "--junitxml": ["--junitxml=/tmp/j.xml"],
    "--golive-run-dir": ["--golive-run-dir=/tmp/r"],
    "--sandbox-fault": ["--sandbox-fault=buyers-empty"],
    "-p": ["-p", "no:golive"],
    "-pno": ["-pno:allure_pytest_bdd"],
    "--rootdir": ["--rootdir=/tmp"],
    "-c": ["-c", "/tmp/pytest.ini"],
    "--confcutdir": ["--confcutdir=/tmp"],
    "--lf": ["--lf"],
    "--ff": ["--ff"],
    "--sw": ["--sw"],
    "--stepwise-skip": ["--stepwise-skip"],
    "-o": ["-o", "addopts=-k x"],
    "--override-ini": ["--override-ini=python_files=x"],
    "--co": ["--co"],
    "--pyargs": ["--pyargs", "golive"],
    "-n": ["-n", "8"],
    "--base-url": ["--base-url=http://evil"],
    "--output": ["--output=/tmp/x"],
    "value eats an option": ["--slowmo", "-k", "x"],
    "value missing": ["--tb"],
    "combined short flags": ["-xk", "x"],
}


@pytest.mark.parametrize("args", REFUSED.values(), ids=REFUSED.keys())
def test_a_narrowing_pytest_argument_is_refused_before_anything_runs(
    tmp_path: Path, golive: Golive, args: list[str]
) -> None:
    out = tmp_path / "reports"
    code, _, err = golive("run", "--output", str(out), "--tags", "MTP-06", "--", *args)
    assert code == 2
    assert err.startswith("golive: refused pytest argument") and "after --" in err
    assert not out.exists()


def test_pytest_addopts_is_checked_like_the_arguments(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-k 'not TP-1003'")
    code, _, err = golive("run", "--output", str(tmp_path / "r"), "--tags", "MTP-06")
    assert code == 2 and "'-k' in PYTEST_ADDOPTS" in err


def test_pytest_plugins_from_the_environment_are_refused(
    golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_PLUGINS", "evil_plugin")
    code, _, err = golive("run", "--tags", "MTP-06")
    assert code == 2 and "PYTEST_PLUGINS" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--headed", "--slowmo", "100"],
        ["-v", "-ra", "--tb=long", "-l"],
        ["-x", "--maxfail=2", "-s"],
        ["--tracing=on", "--video", "retain-on-failure", "--screenshot=only-on-failure"],
    ],
    ids=["browser", "reporting", "stop early", "artifacts"],
)
def test_options_that_only_change_how_results_show_pass_through(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.delenv("PYTEST_PLUGINS", raising=False)
    assert check_pytest_args(args) is None


def test_a_run_with_allowed_arguments_is_judged_as_usual(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-05", "--", "-v", "--tb=long", "-ra")
    assert run.code == 0, run.stdout + run.stderr
    assert run.signoff["verdict"] == "GO"
    assert {i["id"] for i in run.signoff["items"]} == {"MTP-05"}


# golive run with its argument check switched off, as if a narrowing argument reached
# pytest some other way: the plan is still built before pytest deselects anything.
UNCHECKED_RUN = (
    "import sys; from golive import cli; cli.check_pytest_args = lambda args: None;"
    " sys.exit(cli.main(sys.argv[1:]))"
)


def test_an_item_deselected_past_the_check_stays_planned_and_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-c", UNCHECKED_RUN, "run", "--no-html", "--output", str(out),
         "--tags", "MTP-06", "--sandbox-fault", "buyers-empty", "--", "-k", "not TP-1003"],
        cwd=ROOT, env=golive_env(), capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(((out / "latest").resolve() / "signoff.json").read_text())
    assert doc["verdict"] == "NO-GO"
    assert "MTP-06 [TP-1003]: no result" in doc["reasons"]
    assert {i["subject"] for i in doc["items"]} >= {"TP-1001", "TP-1003"}


def installed_plugin(site: Path, marker: Path) -> None:
    """A pytest plugin installed as a package installs one (an entry point in pytest11):
    loaded, it notes that in ``marker`` and reports every failed check as passed."""
    site.mkdir()
    (site / "steer_plugin.py").write_text(
        "import pytest\n"
        "def pytest_configure(config):\n"
        f"    open({str(marker)!r}, 'w').write('loaded')\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    outcome.get_result().outcome = 'passed'\n"
    )
    info = site / "steer_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: steer-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\nsteer = steer_plugin\n")


def test_a_pytest_plugin_installed_beside_golive_is_not_loaded(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    site, marker = tmp_path / "site", tmp_path / "loaded"
    installed_plugin(site, marker)
    env = golive_env(PYTHONPATH=str(site))
    # plain pytest loads it (the plugin is real)
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(empty)], cwd=empty, env=env, check=False
    )
    assert marker.read_text() == "loaded"
    marker.unlink()
    run = golive_cli(
        "run", "--no-html", "--tags", "MTP-06", "--sandbox-fault", "buyers-empty", env=env
    )
    assert not marker.exists(), "golive run loaded an installed pytest plugin"
    assert run.code == 1 and run.signoff["verdict"] == "NO-GO", run.stdout + run.stderr
    assert run.statuses()[("MTP-06", "TP-1003")] == "failed"
