"""The run context: what every part of one run shares (scenario, run ID, redactor, guard).

Built once per pytest process from the options, kept in ``config.stash``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .config import Scenario, load_scenario
from .http import MutationGuard
from .launcher import URL_VAR, ensure_token
from .redact import Redactor

RUN_ID_VAR = "GOLIVE_RUN_ID"


@dataclass
class RunContext:
    scenario: Scenario
    run_id: str
    redactor: Redactor
    guard: MutationGuard
    faults: list[str] = field(default_factory=list)
    sandbox_url: str | None = None
    run_dir: Path | None = None


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def build(
    scenario_path: str | Path, faults: list[str] | None = None, run_dir: Path | None = None
) -> RunContext:
    """Load the scenario (``ScenarioError`` on bad input) and set up the shared parts."""
    ensure_token()
    scenario = load_scenario(scenario_path)
    redactor = Redactor()
    notify = scenario.notify
    holders = [*scenario.systems.values(), *(n for n in (notify.email, notify.webhook) if n)]
    for holder in holders:
        creds = {k: v.get_secret_value() for k, v in holder.credentials.items()}
        for value in creds.values():
            redactor.add(value)
        if "username" in creds and "password" in creds:
            redactor.add_basic(creds["username"], creds["password"])
    sandbox_faults = [*(scenario.sandbox.faults if scenario.sandbox else []), *(faults or [])]
    return RunContext(
        scenario=scenario,
        run_id=os.environ.get(RUN_ID_VAR) or new_run_id(),
        redactor=redactor,
        guard=MutationGuard(scenario.environment.tier, scenario.policy.allow_mutating),
        faults=sandbox_faults,
        sandbox_url=os.environ.get(URL_VAR) or None,
        run_dir=run_dir,
    )
