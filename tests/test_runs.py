"""End to end: `golive run` against the built-in sandbox, healthy and with every fault."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from golive import launcher
from tests.conftest import (
    OWN_PACKS,
    ROOT,
    Run,
    external_scenario,
    faults,
    golive_env,
    replaced,
    request_log,
)

FAULTS = faults()
ID_TAG = re.compile(r"@([A-Z][A-Z0-9]*-\d+)\b")
MANUAL_TAG = re.compile(r"@([A-Z][A-Z0-9]*-\d+)\b[^\n]*@manual")
# read from the scenario the fault runs use, not repeated here
BLOCKING = yaml.safe_load((ROOT / "scenarios" / "sandbox.yaml").read_text())["policy"][
    "blocking_severities"
]
# golive's own packs only: a team's pack installed beside them owes no sandbox fault
FEATURE_IDS = {f: ID_TAG.findall(f.read_text()) for p in OWN_PACKS for f in p.feature_files()}
# Faults are proven in a few runs, not one run each: a group holds faults that break
# different (item, subject) pairs, and its run checks those items for every subject. Each
# fault must fail exactly its own item, for its own subject, with its own reason, while the
# same item passes for the other subjects. Three groups: the most faults any one item has
# for one subject. The healthy runs (one per clock) show every item passing on a healthy
# sandbox.
GROUPS = 3
# Faults that change what another fault's item sees, and so never share a run: with no
# buyers (MTP-06) the move-to-production email has no external buyer address left for the
# kept one (MTP-10) to show.
APART: list[set[str]] = [{"buyers-empty", "external-recipient-kept"}]


def fault_groups(rows: list[dict[str, str]], count: int) -> list[list[dict[str, str]]]:
    """``rows`` dealt in item order, each to the first group that neither breaks its item for
    its subject nor holds a fault it must stay apart from: the same groups on every run.
    First fit, not the smallest group: a run costs most of what a full run costs as soon as
    it selects the browser checks, so the first group takes one fault of every (item,
    subject) and the others only the few second and third faults of one."""
    groups: list[list[dict[str, str]]] = [[] for _ in range(count)]
    for fault in sorted(rows, key=lambda f: (f["breaks"], f["subject"], f["name"])):

        def fits(group: list[dict[str, str]], fault: dict[str, str] = fault) -> bool:
            names = {f["name"] for f in group} | {fault["name"]}
            pair = (fault["breaks"], fault["subject"])
            return all((f["breaks"], f["subject"]) != pair for f in group) and not any(
                apart <= names for apart in APART
            )

        group = next((g for g in groups if fits(g)), None)
        assert group is not None, f"no fault group can take {fault['name']}: raise GROUPS"
        group.append(fault)
    return groups


FAULT_GROUPS = fault_groups(FAULTS, GROUPS)
# The clocks the healthy run and the fault runs are proven under: the real one, a new
# year's first seconds, and a leap day's last seconds (the run crosses midnight into March).
FAKED_CLOCKS = ["2027-01-01 00:00:30", "2028-02-29 23:59:50"]
CLOCKS = [None, *FAKED_CLOCKS]


def clock_id(clock: str | None) -> str:
    return "real-clock" if clock is None else clock.replace(" ", "T")


def checklist_of(item_id: str) -> Path:
    return next(f for f, ids in FEATURE_IDS.items() if item_id in ids)


def test_healthy_sandbox_is_go_with_every_item_passed(
    golive_cli: Callable[..., Run], sandbox: launcher.RunningSandbox, tmp_path: Path
) -> None:
    """The healthy run under the real clock, with its HTML report, is also the parallel
    run (``-n 2``): the faked-clock runs below are serial, so one full run proves both that
    a healthy sandbox is GO and that two workers check exactly what one does (every planned
    item has its one result, and it passed). Its sandbox is started here, so its request
    log shows that each partner was moved to production once, whatever the worker."""
    env = golive_env(GOLIVE_SANDBOX_TOKEN=os.environ[launcher.TOKEN_VAR])
    scenario = external_scenario(tmp_path, sandbox.url, "test", [])
    run = golive_cli("run", "-n", "2", "--scenario", str(scenario), env=env)
    assert run.code == 0, run.stdout + run.stderr
    doc = run.signoff
    assert doc["verdict"] == "GO"
    statuses = run.statuses()
    assert statuses and set(statuses.values()) == {"passed"}
    plan = json.loads((run.run_dir / "plan.json").read_text())["items"]
    assert {(i["id"], i["subject"]) for i in plan} == set(statuses)
    assert len(plan) == len(doc["items"]) > 100
    partners = {(i["id"], i["subject"]) for i in doc["items"] if i["id"].startswith("MTP-")}
    assert len(partners) == 10 * 3  # ten items for each of the three partners
    moves = [
        r
        for r in request_log(sandbox.url)
        if r["path"].endswith("/move_to_production") and r["method"] == "POST"
    ]
    assert len(moves) == 3  # one Move to Production per partner
    assert (run.run_dir / "allure-report" / "index.html").stat().st_size > 10_000
    assert all(i["evidence"].startswith("allure-report/index.html#/") for i in doc["items"])
    assert (run.run_dir / "junit.xml").exists()
    assert "golive: GO" in run.stdout and "signoff.html" in run.stdout


@pytest.mark.parametrize("clock", FAKED_CLOCKS, ids=clock_id)
def test_healthy_sandbox_is_go_under_a_faked_clock(
    golive_cli: Callable[..., Run], clock: str
) -> None:
    run = golive_cli("run", "--no-html", clock=clock)
    assert run.code == 0, run.stdout + run.stderr
    assert set(run.statuses().values()) == {"passed"}, run.stdout
    # the run really ran under that clock: its reference time is the faked one
    assert run.signoff["run"]["started"].startswith(clock[:10]), run.signoff["run"]


@pytest.mark.parametrize("clock", CLOCKS, ids=clock_id)
@pytest.mark.parametrize("group", range(GROUPS), ids=lambda n: f"group{n + 1}")
def test_each_fault_fails_exactly_its_item(
    golive_cli: Callable[..., Run], group: int, clock: str | None
) -> None:
    chosen = FAULT_GROUPS[group]
    args = [a for f in chosen for a in ("--sandbox-fault", f["name"])]
    tags = " or ".join(sorted({f["breaks"] for f in chosen}))
    run = golive_cli("run", "--no-html", "--tags", tags, *args, clock=clock)
    doc = run.signoff
    items = {(i["id"], i["subject"]): i for i in doc["items"]}
    failing = {k for k, i in items.items() if i["status"] in ("failed", "broken", "missing")}
    expected = {(f["breaks"], f["subject"]) for f in chosen}
    assert failing == expected, (failing - expected, expected - failing)
    # an item may only be left not run as a consequence of a fault of its own checklist for
    # the same subject (an invoice is not sent while its legal entity awaits validation)
    consequences = {(checklist_of(f["breaks"]), f["subject"]) for f in chosen}
    for (item_id, subject), item in items.items():
        if (item_id, subject) in expected:
            continue
        if item["status"] == "skipped":
            assert (checklist_of(item_id), subject) in consequences, item
        else:
            assert item["status"] == "passed", item
    blocking = False
    for fault in chosen:
        item = items[(fault["breaks"], fault["subject"])]
        reason = item["reason"]
        assert fault["shows"] and fault["shows"] in reason, (fault["name"], reason)
        assert reason in run.stdout, fault["name"]  # the console names it too
        if item["severity"] in BLOCKING:
            blocking = True
        else:  # a failure that does not block is a warning, never hidden
            assert any(reason in w for w in doc["warnings"]), fault["name"]
    expected_verdict = (1, "NO-GO") if blocking else (0, "GO")
    assert (run.code, doc["verdict"]) == expected_verdict, run.stdout + run.stderr


def test_fault_groups_hold_every_fault_once_and_no_item_twice() -> None:
    grouped = [f["name"] for g in FAULT_GROUPS for f in g]
    assert sorted(grouped) == sorted(f["name"] for f in FAULTS)
    for chosen in FAULT_GROUPS:
        broken = [(f["breaks"], f["subject"]) for f in chosen]
        assert len(broken) == len(set(broken)), f"a group breaks an item twice: {broken}"


def test_every_checklist_item_is_broken_by_a_fault() -> None:
    ids = {i for found in FEATURE_IDS.values() for i in found}
    broken = {f["breaks"] for f in FAULTS}
    assert ids, "no checklist IDs found"
    # a @manual item fails by its missing attestation, not by a sandbox fault:
    # test_a_manual_item_without_attestation_is_pending shows it
    manual = {i for f in FEATURE_IDS for i in MANUAL_TAG.findall(f.read_text())}
    assert ids - broken - manual == set(), "checklist items no fault can fail"
    assert broken - ids == set(), "faults that name no checklist item"


def test_gate_rejudges_a_run_and_a_missing_result_is_no_go(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-01 or MTP-06")
    assert run.code == 0, run.stdout + run.stderr
    assert len(run.signoff["items"]) == 6
    gate = golive_cli("gate", str(run.run_dir))
    assert gate.code == 0 and "golive: GO" in gate.stdout
    results = sorted((run.run_dir / "allure-results").glob("*-result.json"))
    victim = next(p for p in results if '"MTP-06"' in p.read_text())
    victim.unlink()
    gate = golive_cli("gate", str(run.run_dir))
    assert gate.code == 2  # the run's files changed since it was written: not judged
    assert f"the run's files do not verify: missing: allure-results/{victim.name}" in gate.stdout
    assert re.search(r"MTP-06 \[TP-100\d\]: no result", gate.stdout), gate.stdout


def test_gate_cannot_judge_a_corrupt_result(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-05")
    first = sorted((run.run_dir / "allure-results").glob("*-result.json"))[0]
    first.write_text(first.read_text()[:40])  # truncated
    gate = golive_cli("gate", str(run.run_dir))
    assert gate.code == 2
    assert "corrupt Allure result" in gate.stdout and first.name in gate.stdout


def test_zero_selected_checks_is_never_go(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-01 and MTP-02")
    assert run.code == 1, run.stdout + run.stderr
    assert run.signoff["verdict"] == "NO-GO"
    assert "zero checks were planned" in run.signoff["reasons"]


def test_an_unknown_tag_cannot_be_judged(golive_cli: Callable[..., Run]) -> None:
    run = golive_cli("run", "--no-html", "--tags", "no_such_tag")
    assert run.code == 2
    assert "no_such_tag" in run.stdout + run.stderr
    assert run.signoff["verdict"] == "NO-GO (could not be judged)"


def test_results_of_another_run_cannot_be_judged(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    first = golive_cli("run", "--no-html", "--tags", "MTP-01")
    plan = json.loads((first.run_dir / "plan.json").read_text())
    plan["items"] = [i for i in plan["items"] if i["subject"] != "TP-1003"]
    (first.run_dir / "plan.json").write_text(json.dumps(plan))
    gate = golive_cli("gate", str(first.run_dir))
    assert gate.code == 2
    assert "results that this run did not plan: MTP-01|TP-1003" in gate.stdout


def test_a_manual_item_without_attestation_is_pending(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    scenario = tmp_path / "unattested.yaml"
    # the attestation taken away (one for an item that does not exist is refused outright)
    attestation = text[
        text.index("  - id: EINV-13      #") : text.index("\n\n", text.index("  - id: EINV-13"))
    ]
    scenario.write_text(replaced(text, "attestations:\n" + attestation, "attestations: []"))
    run = golive_cli("run", "--no-html", "--scenario", str(scenario), "--tags", "EINV-13")
    assert run.code == 1
    items = run.signoff["items"]
    assert {i["status"] for i in items} == {"skipped"} and len(items) == 3
    assert all("pending: no attestation that the customer was told" in i["reason"] for i in items)
    attested = golive_cli("run", "--no-html", "--tags", "EINV-13")
    assert attested.code == 0 and {i["status"] for i in attested.signoff["items"]} == {"passed"}


def test_a_pack_whose_systems_are_not_configured_is_not_applicable_and_not_missing(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """The ERP pack stays selected, its system (the monitor) is gone: its items are not
    planned, so none is missing, and the plan says why; the other packs run as before."""
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    monitor = text[text.index("  monitor:") : text.index("  hub:")]
    scenario = tmp_path / "no-monitor.yaml"
    scenario.write_text(replaced(text, monitor, ""))
    run = golive_cli(
        "run", "--no-html", "--scenario", str(scenario), "--tags", "MTP-01 or ERP-01"
    )  # fmt: skip
    assert run.code == 0, run.stdout + run.stderr
    assert {(i["id"], i["status"]) for i in run.signoff["items"]} == {("MTP-01", "passed")}
    plan = json.loads((run.run_dir / "plan.json").read_text())
    erp = next(c for c in plan["checklists"] if c["name"] == "erp_partner_access")
    assert (erp["applicable"], erp["missing_systems"], erp["title"]) == (
        False, ["monitor"], "ERP partner access"
    )  # fmt: skip
