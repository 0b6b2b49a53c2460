"""Scenario validation (golive/config.py, load_scenario), in process: a good scenario
resolves every reference; a bad one raises ``ScenarioError`` with the file, the line, the
key path and what was expected. Variants of scenarios/sandbox.yaml are made by text
replacement that fails loudly when the text is not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import Scenario, load_scenario
from golive.errors import ScenarioError
from golive.packs import load as load_with_packs

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = (ROOT / "scenarios" / "sandbox.yaml").read_text(encoding="utf-8")
ENV = {
    "GOLIVE_SANDBOX_TOKEN": "unit-token-0123",
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}


def variant(old: str, new: str, text: str = SANDBOX) -> str:
    assert text.count(old) >= 1, f"not in the scenario any more: {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_with_packs(path, env=ENV if env is None else env)
    return caught.value


def test_the_sandbox_scenario_loads_with_references_resolved(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(SANDBOX, encoding="utf-8")
    scenario, packs = load_with_packs(path, env=ENV)
    assert scenario.source == path
    assert scenario.environment.tier == "test" and scenario.uses_sandbox
    billing = scenario.system("billing_production")
    assert billing.base_url == "sandbox/production"
    assert billing.credentials["username"].get_secret_value() == "unit-user"
    assert billing.credentials["password"].get_secret_value() == "unit-token-0123"
    assert "unit-token-0123" not in repr(billing)  # a SecretStr never shows its value
    assert [a.pack.name for a in packs] == [
        "partner_go_live",
        "erp_partner_access",
        "einvoicing",
        "billing_upgrade",
    ]
    assert all(a.applicable for a in packs)
    assert packs[0].subjects("partner") == ["TP-1001", "TP-1002", "TP-1003"]
    assert scenario.policy.blocking_severities == ["blocker", "critical"]


def test_unknown_system_name_says_where() -> None:
    scenario = Scenario.model_validate(
        {
            "version": 1,
            "environment": {"name": "x", "tier": "test"},
            "systems": {},
            "source": "s.yaml",
        }
    )
    with pytest.raises(KeyError, match=r"s\.yaml: systems\.billing: not configured"):
        scenario.system("billing")


CASES = {
    # name: (old, new, needle on the reported line, key path, what was expected)
    "unknown key": (
        "  tier: test\n",
        "  tier: test\n  colour: blue\n",
        "colour: blue",
        "environment.colour",
        "unknown key",
    ),
    "wrong tier": (
        "tier: test",
        "tier: prod",
        "tier: prod",
        "environment.tier",
        "input should be 'test', 'staging' or 'production', got 'prod'",
    ),
    "missing required key": (
        "  name: sandbox\n",
        "",
        "environment:",
        "environment.name",
        "required key is missing",
    ),
    "wrong type": (
        "  min_checks: 1",
        "  min_checks: many",
        "min_checks: many",
        "policy.min_checks",
        "input should be a valid integer, unable to parse string as an integer, got 'many'",
    ),
    "below minimum": (
        "  min_checks: 1",
        "  min_checks: 0",
        "min_checks: 0",
        "policy.min_checks",
        "input should be greater than or equal to 1, got 0",
    ),
    "bad severity in a list": (
        "blocking_severities: [blocker, critical]",
        "blocking_severities: [blocker, fatal]",
        "blocking_severities: [blocker, fatal]",
        "policy.blocking_severities.1",
        "got 'fatal'",
    ),
    "bad url": (
        "    base_url: sandbox\n    credentials:\n      token: ${GOLIVE_SANDBOX_TOKEN}   #",
        "    base_url: ftp://partners\n    credentials:\n      token: ${GOLIVE_SANDBOX_TOKEN}   #",
        "base_url: ftp://",
        "systems.partners.base_url",
        "expected an http(s) URL or 'sandbox', got 'ftp://partners'",
    ),
    "item of a list of subjects": (
        "        notification_emails: [chris41@wagner.example, pricejason@wagner.example]",
        "        notification_emails: []",
        "notification_emails: []",
        "packs.partner_go_live.partners.1.notification_emails",
        "list should have at least 1 item after validation, not 0",
    ),
    "model rule": (
        '        api_user: {username: svc-connect-3003, password: "${GOLIVE_SANDBOX_TOKEN}"}\n',
        "",
        "- id: C-3003",
        "packs.einvoicing.customers.2",
        "an Enterprise customer needs api_user",
    ),
    "nested pack section": (
        "    min_diverse: 10",
        "    min_diverse: ten",
        "min_diverse: ten",
        "packs.billing_upgrade.min_diverse",
        "got 'ten'",
    ),
    "inline credential": (
        "${GOLIVE_SANDBOX_TOKEN}   #",
        "hunter2-inline   #",
        "token: hunter2-inline",
        "systems.partners.credentials.token",
        "expected a ${ENV_VAR} reference; credentials are never written inline",
    ),
    "missing env var": (
        "${GOLIVE_SANDBOX_TOKEN}   #",
        "${GOLIVE_NOT_SET_ANYWHERE}   #",
        "token: ${GOLIVE_NOT_SET_ANYWHERE}",
        "systems.partners.credentials.token",
        "environment variable GOLIVE_NOT_SET_ANYWHERE is not set",
    ),
    "missing env var in a subject": (
        "            password: ${GOLIVE_SANDBOX_TOKEN}\n"
        "            permissions: [view_message_content, explore_errors]",
        "            password: ${GOLIVE_DORA}\n"
        "            permissions: [view_message_content, explore_errors]",
        "password: ${GOLIVE_DORA}",
        "packs.erp_partner_access.customers.1.users.1.password",
        "environment variable GOLIVE_DORA is not set",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_scenario_names_file_line_key_and_expectation(tmp_path: Path, case: str) -> None:
    old, new, needle, key, expected = CASES[case]
    text = variant(old, new)
    err = load(tmp_path, text)
    path = tmp_path / "bad.yaml"
    assert err.file == str(path)
    assert err.key == key
    assert err.line == line_of(text, needle), (err.line, needle)
    assert expected in err.problem, err.problem
    assert str(err) == f"{path}:{err.line}: {key}: {err.problem}"


def test_a_credential_is_never_echoed_in_the_error(tmp_path: Path) -> None:
    err = load(tmp_path, variant("${GOLIVE_SANDBOX_TOKEN}   #", "hunter2-inline   #"))
    assert "hunter2" not in str(err)


def test_env_var_is_resolved_from_the_given_env_only(tmp_path: Path) -> None:
    err = load(tmp_path, SANDBOX, env={"GOLIVE_SANDBOX_TOKEN": "t0ken-x"})
    assert err.problem == "environment variable GOLIVE_SANDBOX_USER is not set"
    assert err.key == "systems.billing_production.credentials.username"


def test_source_key_is_reserved(tmp_path: Path) -> None:
    err = load(tmp_path, SANDBOX + "source: elsewhere.yaml\n")
    assert (err.key, err.problem) == ("source", "unknown key")
    assert err.line == SANDBOX.count("\n") + 1


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    text = variant("  name: sandbox\n", "  name: [sandbox\n")
    err = load(tmp_path, text)
    assert err.key == ""
    assert err.problem.startswith("not valid YAML: ")
    assert err.line is not None and err.line >= line_of(text, "name: [sandbox")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"], ids=["empty", "list", "scalar"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    err = load(tmp_path, text)
    assert err.problem == "expected a mapping at the top level"
    assert str(err) == f"{tmp_path / 'bad.yaml'}:1: expected a mapping at the top level"


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nope.yaml", env=ENV)
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: no such file"
    assert caught.value.line is None


def test_small_scenario_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(
        "version: 1\n"
        "environment: {name: stage, tier: staging}\n"
        "systems:\n"
        "  partners: {adapter: partner-platform, base_url: 'https://p.example/api/'}\n"
    )
    scenario = load_scenario(path, env={})
    assert scenario.system("partners").base_url == "https://p.example/api"  # no trailing /
    assert scenario.system("partners").timeout == 10.0
    assert not scenario.uses_sandbox
    assert scenario.policy.min_checks == 1 and scenario.policy.unchecked_blocks is True
    assert scenario.waivers is None
