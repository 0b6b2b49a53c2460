"""Group 1b: what golive cannot judge is never GO.

Malformed checklists (in a throwaway copy of the project, all in one) stop the run with
exit 2 and the file and line; a worker that dies or a browser that crashes leaves NO-GO
naming the item that was running; a run killed halfway leaves a signoff that says it
could not be judged; results left over from another run make a run unjudgeable.

Already covered elsewhere (not repeated): zero checks (tests/test_runs.py
test_zero_selected_checks_is_never_go), all skipped (test_a_manual_item_without_attestation
_is_pending), a missing result (test_gate_rejudges_a_run_and_a_missing_result_is_no_go), a
corrupt or truncated result (test_gate_cannot_judge_a_corrupt_result), an unknown tag
(test_an_unknown_tag_cannot_be_judged). A feature file no test binds cannot exist:
features/test_checklists.py binds every feature file of every running pack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive import cli
from golive.attest import LEGACY_HMAC_VAR, PUBLIC_KEY_VAR, SIGNING_KEY_VAR
from tests.conftest import ROOT, Run, golive_env, golive_process
from tests.hardening.conftest import pointed_at, project, run_in, select_pack

GOOD_STEP = "    Given the e-invoicing customer going live\n"  # defined once, in steps/


def no_sandbox(tmp_path: Path) -> Path:
    """These runs contact nothing: no need to start a sandbox."""
    return select_pack(pointed_at(tmp_path, "http://127.0.0.1:9", name="no-sandbox"))


def feature(item: str, body: str, head: str = "") -> str:
    return f"Feature: probe\n{head}  @{item} @blocker @api\n{body}"


MALFORMED = {
    # name: (file under features/hardening, its text, line, what the message says)
    "Then: typo": (
        "typo.feature",
        feature("HARD-01", "  Scenario: typo\n" + GOOD_STEP + "    Then: it works\n"),
        5,
        "Step definition outside of a Scenario or a Background",
    ),
    "scenario starting with And": (
        "and_first.feature",
        feature("HARD-02", "  Scenario: and first\n    And it works\n"),
        4,
        "First step in a scenario or background must start with 'Given', 'When' or 'Then'",
    ),
    "step before the first scenario": (
        "stray.feature",
        feature("HARD-03", "  Scenario: s\n" + GOOD_STEP, head="  Given a stray step\n"),
        2,
        "step 'Given a stray step' before the first scenario",
    ),
    "undefined step": (
        "undefined.feature",
        feature("HARD-04", "  Scenario: undefined\n    Given a step nobody defined\n"),
        4,
        "undefined step: Given a step nobody defined",
    ),
}
PROBE = feature("HARD-05", "  Scenario: s\n" + GOOD_STEP + "    Then the probe works\n")

DUPLICATES = """
from pytest_bdd import given, parsers, then


@given("the e-invoicing customer going live")
def _again() -> None: ...


@then("the probe works")
def _one() -> None: ...


@then(parsers.parse("the {thing} works"))
def _two(thing: str) -> None: ...
"""


@pytest.fixture(scope="module")
def malformed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """One project holding every malformed checklist below and two definitions of one
    step, and its one run. The lint (golive/lint.py, ``check``) reports every problem of
    every feature file and step module, and any one stops the run: so each case is shown
    by its own line, with its file and line, in the run's output."""
    tmp_path = tmp_path_factory.mktemp("malformed")
    files = {f"hardening/{name}": text for name, text, _, _ in MALFORMED.values()}
    files["hardening/probe.feature"] = PROBE
    ids = tuple(f"HARD-0{n}" for n in range(1, 6))
    root = project(tmp_path, files, DUPLICATES, ids=ids)
    run = run_in(root, "--tags", "HARD-04", "--scenario", str(no_sandbox(tmp_path)))
    return root, run


def test_a_malformed_checklist_stops_the_run_with_its_verdict_unjudged(
    malformed: tuple[Path, Run],
) -> None:
    _, run = malformed
    assert run.code == 2, run.stdout + run.stderr
    assert run.signoff["verdict"] == "NO-GO (could not be judged)"
    assert not list(run.run_dir.glob("allure-results/*-result.json"))  # nothing ran


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_checklist_stops_the_run_with_file_and_line(
    malformed: tuple[Path, Run], case: str
) -> None:
    root, run = malformed
    name, _, line, expected = MALFORMED[case]
    where = f"{root / 'features' / 'hardening' / name}:{line}: "
    assert f"{where}{expected}" in run.stderr, run.stderr


def test_two_definitions_of_one_step_stop_the_run(malformed: tuple[Path, Run]) -> None:
    """pytest-bdd would let the later definition shadow the other silently."""
    root, run = malformed
    steps = root / "steps" / "hardening_only.py"
    twice = next(
        x for x in run.stderr.splitlines() if "phrase 'the e-invoicing customer going live'" in x
    )
    assert "is already defined at" in twice and f"{steps}:5" in twice, run.stderr
    assert str(ROOT / "steps" / "einvoicing" / "readiness.py") in twice, twice
    probe = root / "features" / "hardening" / "probe.feature"
    line = next(x for x in run.stderr.splitlines() if f"{probe}:5: " in x)
    assert "step 'the probe works' matches several definitions:" in line
    assert "'the probe works'" in line and "'the {thing} works'" in line


CRASHES = """
import os
import signal
from pathlib import Path

from playwright.sync_api import Page
from pytest_bdd import then


@then("the worker process dies")
def _die() -> None:
    os._exit(3)


def _descendants(pid: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


@then("the browser crashes")
def _crash(page: Page) -> None:
    page.goto("about:blank")
    for pid in _descendants(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"chrom" in cmdline and b"--type=" not in cmdline:  # the browser process itself
            os.kill(pid, signal.SIGKILL)
    page.goto("about:blank", timeout=5000)
"""


def test_a_dead_worker_or_a_crashed_browser_is_no_go_naming_the_item(tmp_path: Path) -> None:
    files = {
        "hardening/crash.feature": "Feature: crash\n"
        "  @HARD-01 @blocker @api\n  Scenario: dies\n    Then the worker process dies\n"
        "  @HARD-02 @blocker @ui\n  Scenario: crashes\n    Then the browser crashes\n"
    }
    root = project(tmp_path, files, CRASHES, ids=("HARD-01", "HARD-02"))
    scenario = no_sandbox(tmp_path)  # neither step contacts a system
    run = run_in(root, "--tags", "HARD-01 or HARD-02", "-n", "2", "--scenario", str(scenario))
    assert run.code == 1, run.stdout + run.stderr
    doc = run.signoff
    assert doc["verdict"] == "NO-GO"
    by_id = {i["id"]: i for i in doc["items"]}
    assert by_id["HARD-01"]["status"] == "missing"
    assert by_id["HARD-02"]["status"] == "broken", by_id["HARD-02"]
    assert "browser has been closed" in by_id["HARD-02"]["reason"]
    assert "HARD-01: no result" in doc["reasons"]
    assert any(r.startswith("HARD-02 broken (blocker): ") for r in doc["reasons"]), doc["reasons"]
    assert "crashed while running 'features/test_checklists.py::test_dies'" in run.stdout


def test_a_run_killed_halfway_leaves_a_signoff_that_could_not_be_judged(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    with socket.socket() as silent:  # takes every connection and never answers: the first
        silent.bind(("127.0.0.1", 0))  # check waits out its timeout, the run is still going
        silent.listen(16)
        scenario = pointed_at(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
        process = subprocess.Popen(
            [sys.executable, "-m", "golive", "run", "--no-html", "--output", str(out),
             "--scenario", str(scenario), "--tags", "ERP-01 or ERP-02 or MTP-01 or MTP-02"],
            cwd=ROOT, env=golive_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not list(out.glob("*/plan.json")) and time.monotonic() < deadline:
                assert process.poll() is None, "the run ended before it was killed"
                time.sleep(0.05)
            assert list(out.glob("*/plan.json")), "no plan.json within 60 s"
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # golive and pytest
            process.wait(timeout=10)
    assert not (out / "latest").exists()  # "latest" is only ever a run that finished
    [run_dir] = [p for p in out.iterdir() if (p / "run.json").exists()]
    doc = json.loads((run_dir / "signoff.json").read_text())
    assert doc["verdict"] == "NO-GO (could not be judged)"
    assert doc["reasons"] == ["the run has not finished"]
    assert not (run_dir / "junit.xml").exists()  # it really was killed before the end


def test_results_left_over_from_another_run_cannot_be_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run folder whose plan holds MTP-05 but whose results also hold an MTP-06 result
    (left from another run): the gate cannot judge it."""
    run_dir = tmp_path / "run"
    results = run_dir / "allure-results"
    results.mkdir(parents=True)
    item = {"id": "MTP-05", "title": "t", "severity": "blocker", "checklist": "c",
            "feature": "f", "file": "x.feature", "line": 1, "subject": "", "mutating": False,
            "manual": False}  # fmt: skip
    (run_dir / "plan.json").write_text(json.dumps({"items": [item]}))
    (run_dir / "run.json").write_text(json.dumps({"pytest_exit": 0, "policy": {}}))
    for n, item_id in enumerate(("MTP-05", "MTP-06")):
        result = {"uuid": f"{n}" * 32, "status": "passed", "start": 1, "stop": 2,
                  "labels": [{"name": "golive_id", "value": item_id}]}  # fmt: skip
        (results / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    for var in (SIGNING_KEY_VAR, PUBLIC_KEY_VAR, LEGACY_HMAC_VAR):  # no key of the caller's
        monkeypatch.delenv(var, raising=False)
    code = cli.main(["gate", str(run_dir)])  # what `golive gate RUN_DIR` runs, in process
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "results that this run did not plan: MTP-06|" in out
    assert "NO-GO (could not be judged)" in out


def test_a_sandbox_that_does_not_start_stops_the_run_with_nothing_checked(
    tmp_path: Path,
) -> None:
    """pytest starts and collects while the sandbox loads (golive/cli.py, Preset): a
    sandbox that dies while loading leaves nothing to run, a harness error (exit 2) and a
    signoff that could not be judged, not checks broken one by one."""
    out = tmp_path / "reports"
    env = golive_env(GOLIVE_SANDBOX_PARTNERS="not-a-number")  # the sandbox fails its load
    done = golive_process(
        ["run", "--no-html", "--output", str(out), "--tags", "MTP-05"], env=env, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "golive: harness error: the sandbox did not start (exit 1)" in done.stderr
    assert "passed" not in done.stdout and "failed" not in done.stdout, done.stdout
    [run_dir] = [p for p in out.iterdir() if (p / "run.json").exists()]
    doc = json.loads((run_dir / "signoff.json").read_text())
    assert doc["verdict"] == "NO-GO (could not be judged)"
    assert not list((run_dir / "allure-results").glob("*-result.json"))
