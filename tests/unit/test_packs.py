"""Checklist packs (golive/packs.py), in process: discovery by entry point and by the
project's pyproject.toml, the scenario's ``packs:`` selection, each pack's settings
validated with file, line and key, applicability, Protocol conformance of adapters, and
the lint of a pack's tags. Each rule is shown to refuse what it must."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest

from golive.context import RunContext
from golive.errors import InputError, ScenarioError
from golive.http import MutationGuard
from golive.lint import tag_problems
from golive.packs import Found, conformance, discover, load
from golive.redact import Redactor
from golive.systems import check_adapters
from tests.conftest import OWN_PACKS, ROOT

ENV = {
    "GOLIVE_SANDBOX_TOKEN": "unit-token-0123",
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}
SANDBOX = (ROOT / "scenarios" / "sandbox.yaml").read_text("utf-8")


def scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, "utf-8")
    return path


def small(packs: str, systems: str = "") -> str:
    return (
        "version: 1\nenvironment: {name: e, tier: test}\n"
        f"systems:\n{systems or '  {}'}\npacks:\n{packs}"
    )


def test_golive_declares_its_four_packs_and_discovery_finds_them() -> None:
    found = discover(ROOT)
    assert {"partner_go_live", "erp_partner_access", "einvoicing", "billing_upgrade"} <= set(found)
    titles = {p.name: p.title for p in OWN_PACKS}
    assert titles["partner_go_live"] == "Trading partner go-live"
    assert titles["erp_partner_access"] == "ERP partner access"  # its own heading, not MTP's
    assert all(p.description for p in OWN_PACKS)


def test_an_unknown_pack_is_refused_with_the_installed_ones_and_its_line(tmp_path: Path) -> None:
    path = scenario(tmp_path, small("  partner_go_lve: {}\n"))
    with pytest.raises(ScenarioError) as caught:
        load(path, env={})
    err = caught.value
    assert (err.key, err.line) == ("packs.partner_go_lve", 6)
    assert "no such pack; installed packs:" in err.problem and "partner_go_live" in err.problem


def test_a_pack_setting_is_validated_by_its_pack_with_file_line_and_key(tmp_path: Path) -> None:
    text = small("  partner_go_live:\n    internal_domains: [o.example]\n    partners: []\n")
    with pytest.raises(ScenarioError) as caught:
        load(scenario(tmp_path, text), env={})
    err = caught.value
    assert (err.key, err.line) == ("packs.partner_go_live.partners", 8)
    assert "at least 1 item" in err.problem


def test_a_pack_whose_systems_are_absent_is_not_applicable(tmp_path: Path) -> None:
    text = small(
        "  partner_go_live:\n    internal_domains: [o.example]\n"
        "    partners: [{id: TP-1, notification_emails: [a@o.example]}]\n"
        "  erp_partner_access: {customers: [{id: C-1, phase: complete, users: []}]}\n",
        systems="  monitor: {adapter: edi-monitor, base_url: 'https://m.example'}\n",
    )
    _, packs = load(scenario(tmp_path, text), env={})
    by_name = {a.pack.name: a for a in packs}
    assert by_name["partner_go_live"].missing == ("partners", "mailbox")
    assert not by_name["partner_go_live"].applicable
    assert by_name["erp_partner_access"].applicable


def test_a_system_the_pack_settings_name_must_be_configured(tmp_path: Path) -> None:
    text = SANDBOX.replace("    production: billing_production\n", "    production: billing_prod\n")
    assert text != SANDBOX
    with pytest.raises(ScenarioError) as caught:
        load(scenario(tmp_path, text), env=ENV)
    assert caught.value.key == "packs.billing_upgrade.production"
    assert "'billing_prod'" in str(caught.value) and "billing_production" in str(caught.value)


def test_a_role_naming_an_undefined_function_is_refused(tmp_path: Path) -> None:
    text = SANDBOX.replace("can: [work_orders, tickets, add_account]", "can: [work_order]", 1)
    assert text != SANDBOX
    with pytest.raises(ScenarioError) as caught:
        load(scenario(tmp_path, text), env=ENV)
    assert caught.value.key == "packs.billing_upgrade.roles.0.can.0"
    assert "(add_account, add_package, tickets, work_orders), got 'work_order'" in str(caught.value)


def test_a_pack_declaration_that_is_not_a_pack_is_named() -> None:
    with pytest.raises(InputError, match=r"expected a golive.packs.Pack, got str"):
        Found("odd", "os:sep", "a test").load()
    with pytest.raises(InputError, match=r"cannot be imported: No module named"):
        Found("gone", "no_such_module_anywhere:PACK", "a test").load()
    with pytest.raises(InputError, match=r"the Pack object is named 'einvoicing'"):
        Found("other", "packs.einvoicing:PACK", "a test").load()


def test_a_project_declares_its_packs_in_its_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project.entry-points."golive.packs"]\nteam_pack = "packs.team_pack:PACK"\n'
    )
    found = discover(tmp_path)
    assert found["team_pack"].value == "packs.team_pack:PACK"
    assert found["team_pack"].origin == str(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text(
        '[project.entry-points."golive.packs"]\nTeam-Pack = "x:PACK"\n'
    )
    with pytest.raises(InputError, match="pack name 'Team-Pack'"):
        discover(tmp_path)


class Thing(Protocol):
    def read(self) -> str: ...

    def count(self) -> int: ...


class HalfThing:
    def __init__(self, http: object) -> None: ...

    def read(self) -> str:
        return ""


def test_an_adapter_lacking_a_protocol_method_is_named() -> None:
    assert conformance(HalfThing, Thing) == ["count"]
    assert conformance(type("Full", (HalfThing,), {"count": lambda self: 0}), Thing) == []


def test_check_names_the_configured_adapter_and_the_method_it_lacks(tmp_path: Path) -> None:
    text = SANDBOX.replace(
        "    adapter: edi-monitor\n", "    adapter: tests.unit.test_packs:HalfThing\n"
    )
    assert text != SANDBOX
    scen, packs = load(scenario(tmp_path, text), env=ENV)
    ctx = RunContext(scen, "r", Redactor(), MutationGuard("test", []), packs=packs)
    problems = check_adapters(ctx)
    assert len(problems) == 1
    assert problems[0].startswith(f"{scen.source}: systems.monitor.adapter: tests.unit.test_packs")
    assert "does not follow packs.erp_partner_access.monitor.EdiMonitor" in problems[0]
    assert "it has no customer()" in problems[0]


def test_the_tag_lint_names_missing_foreign_repeated_ids_and_severities(tmp_path: Path) -> None:
    (tmp_path / "a.feature").write_text(
        "Feature: f\n"
        "  @ORD-01 @blocker\n  Scenario: one\n    Given x\n"
        "  @ORD-01 @minor\n  Scenario: again\n    Given x\n"
        "  @MTP-02 @blocker\n  Scenario: foreign\n    Given x\n"
        "  @blocker\n  Scenario: no id\n    Given x\n"
        "  @ORD-03\n  Scenario: no severity\n    Given x\n"
    )
    problems = tag_problems(tmp_path, ["ORD"])
    where = str(tmp_path / "a.feature")
    assert f"{where}:6: checklist ID ORD-01 is used again (first at {where}:3)" in problems
    assert f"{where}:9: checklist ID MTP-02 is not one of this pack's (ORD-*)" in problems
    assert any(p.startswith(f"{where}:12: scenario 'no id' needs exactly one") for p in problems)
    assert any(p.startswith(f"{where}:15: scenario 'no severity' needs one") for p in problems)
    assert len(problems) == 4
    for pack in OWN_PACKS:
        assert tag_problems(pack.features, pack.ids) == []


def attestation_problems(tmp_path: Path, old: str, new: str) -> list[str]:
    from golive.plugin import check_attestations

    text = SANDBOX.replace(old, new, 1)
    assert old in SANDBOX
    scen, packs = load(scenario(tmp_path, text), env=ENV)
    return check_attestations(
        RunContext(scen, "r", Redactor(), MutationGuard("test", []), packs=packs)
    )


def test_an_attestation_must_name_an_item_and_a_subject_of_a_selected_pack(tmp_path: Path) -> None:
    assert attestation_problems(tmp_path, "  - id: EINV-13 ", "  - id: EINV-13 ") == []
    wrong_id = attestation_problems(tmp_path, "  - id: EINV-13 ", "  - id: EINV-31 ")
    assert (
        len(wrong_id) == 1
        and "attestations.0.id: no checklist item EINV-31 (EINV-01" in wrong_id[0]
    )
    wrong_subject = attestation_problems(
        tmp_path, "  - id: EINV-13 ", "  - subject: C-3009\n    id: EINV-13 "
    )
    assert len(wrong_subject) == 1
    assert "attestations.0.subject: no subject 'C-3009' in pack einvoicing" in wrong_subject[0]


def test_init_refuses_a_folder_in_use_and_names_it_can_not_use(tmp_path: Path) -> None:
    from golive.project import init

    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not an empty folder; nothing was written"):
        init(tmp_path / "used", "orders", "ORD")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    with pytest.raises(InputError, match="--pack 'Orders'"):
        init(tmp_path / "new", "Orders", "ORD")
    with pytest.raises(InputError, match="--prefix 'ord'"):
        init(tmp_path / "new", "orders", "ord")
    assert not (tmp_path / "new").exists()
    written = init(tmp_path / "new", "orders", "ORD")
    assert (tmp_path / "new" / ".gitignore") in written
    text = "".join(p.read_text() for p in written if p.suffix in (".py", ".toml", ".yaml"))
    assert "__PACK__" not in text and "__PREFIX__" not in text and "ORD_URL" in text


def test_a_secret_in_a_pack_setting_is_never_written_inline(tmp_path: Path) -> None:
    old = 'login: {password: "${GOLIVE_SANDBOX_STAFF_TOKEN}"}'
    assert old in SANDBOX
    with pytest.raises(ScenarioError) as caught:
        load(scenario(tmp_path, SANDBOX.replace(old, "login: {password: hunter2-inline}", 1)), ENV)
    assert caught.value.key == "packs.billing_upgrade.roles.0.login.password"
    assert "expected a ${ENV_VAR} reference" in caught.value.problem
    assert "hunter2" not in str(caught.value)


def test_a_portal_system_without_a_login_is_refused_when_the_scenario_loads(tmp_path: Path) -> None:
    start = SANDBOX.index("  admin_portal:")
    block = SANDBOX[start : SANDBOX.index("\n\n", start)]
    assert "      username: ${GOLIVE_SANDBOX_USER}\n" in block
    text = SANDBOX.replace(block, block.replace("      username: ${GOLIVE_SANDBOX_USER}\n", ""))
    with pytest.raises(ScenarioError) as caught:
        load(scenario(tmp_path, text), ENV)
    assert caught.value.key == "packs.billing_upgrade.admin_portal.system"
    assert "logs in with systems.admin_portal.credentials username and password" in str(
        caught.value
    )
