"""The run context: what every part of one run shares (scenario, run ID, redactor, guard).

Built once per pytest process from the options, kept in ``config.stash``.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, SecretStr

from . import clock
from .config import USER_NAMES, Scenario
from .http import ItemClock, MutationGuard
from .launcher import URL_VAR, ensure_token
from .packs import Active, load
from .redact import Redactor

RUN_ID_VAR = "GOLIVE_RUN_ID"
USER_INFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@")


@dataclass
class RunContext:
    scenario: Scenario
    run_id: str
    redactor: Redactor
    guard: MutationGuard
    items: ItemClock = field(default_factory=ItemClock)  # the running item (deadlines)
    faults: list[str] = field(default_factory=list)
    sandbox_url: str | None = None
    run_dir: Path | None = None
    # the run's reference time (golive/clock.py): what every check compares "now" with
    started: datetime = field(default_factory=clock.run_started)
    # the checklist packs the scenario selects, with their validated settings
    packs: list[Active] = field(default_factory=list)

    def settings(self, pack: str) -> Any:
        """The validated settings of a running pack (``packs.<name>`` in the scenario)."""
        for active in self.packs:
            if active.pack.name == pack:
                return active.settings
        raise LookupError(f"pack {pack!r} is not selected by {self.scenario.source}")

    @property
    def today(self) -> date:
        return self.started.date()


def secrets_of(scenario: Scenario, packs: list[Active] | None = None) -> Redactor:
    """A redactor for every credential of the scenario: each ``SecretStr`` anywhere in it
    (systems, notifications, subjects' own passwords), ``username:password`` pairs in
    the form basic auth sends them, and the password of any URL's ``user:password@``."""
    redactor = Redactor()

    def walk(value: Any, name: str = "") -> None:
        if isinstance(value, SecretStr):
            if name not in USER_NAMES:  # a user name is no secret: masking it hides words
                redactor.add(value.get_secret_value())
        elif isinstance(value, BaseModel):
            fields = {k: getattr(value, k) for k in type(value).model_fields}
            username, password = fields.get("username"), fields.get("password")
            creds = fields.get("credentials")
            if isinstance(creds, dict) and "username" in creds and "password" in creds:
                username, password = creds["username"], creds["password"]
            if isinstance(password, SecretStr) and username is not None:
                user = username.get_secret_value() if isinstance(username, SecretStr) else username
                redactor.add_basic(str(user), password.get_secret_value())
            for key, item in fields.items():
                walk(item, key)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, str(key))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, name)
        elif isinstance(value, str) and (found := USER_INFO.match(value)):
            # a password in any URL of the scenario (a browser's ws_endpoint, a report
            # URL; base_url refuses them): masked as it is written and decoded
            redactor.add(found.group(1))
            redactor.add(unquote(found.group(1)))

    walk(scenario)
    for active in packs or []:
        walk(active.settings)
    return redactor


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def build(
    scenario_path: str | Path, faults: list[str] | None = None, run_dir: Path | None = None
) -> RunContext:
    """Load the scenario (``ScenarioError`` on bad input) and set up the shared parts."""
    ensure_token()
    scenario, packs = load(scenario_path)
    redactor = secrets_of(scenario, packs)
    sandbox_faults = [*(scenario.sandbox.faults if scenario.sandbox else []), *(faults or [])]
    return RunContext(
        scenario=scenario,
        run_id=os.environ.get(RUN_ID_VAR) or new_run_id(),
        redactor=redactor,
        guard=MutationGuard(scenario.environment.tier, scenario.policy.allow_mutating),
        faults=sandbox_faults,
        sandbox_url=os.environ.get(URL_VAR) or None,
        run_dir=run_dir,
        packs=packs,
    )
