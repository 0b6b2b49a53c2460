"""Scenario files: the run's input, validated with pydantic.

A scenario names the environment (and its tier), the systems golive talks to (adapter,
base URL, credentials as ``${ENV_VAR}`` references only), the subjects going live, the
organisation's facts the checks need, and the policy. Loading it either returns a
``Scenario`` with every reference resolved, or raises ``ScenarioError`` naming the file,
the key path, the line and what was expected.

``base_url: sandbox`` points a system at the built-in sandbox, which the harness starts
when ``sandbox.enabled`` is true.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .upgrade_config import Processor, StaffRole, UpgradePlan

Tier = Literal["test", "staging", "production"]
Severity = Literal["blocker", "critical", "normal", "minor"]
ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
SANDBOX = "sandbox"
DEFAULT_SCENARIO = Path("scenarios/sandbox.yaml")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Environment(Model):
    name: Annotated[str, Field(min_length=1)]
    tier: Tier


class System(Model):
    adapter: Annotated[str, Field(min_length=1)]
    base_url: str
    credentials: dict[str, SecretStr] = {}
    timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    verify_tls: bool = True

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value.startswith(SANDBOX + "/"):  # a path on the sandbox: sandbox/candidate
            return value.rstrip("/")
        if value != SANDBOX and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s) URL or 'sandbox', got {value!r}")
        return value.rstrip("/")


class Partner(Model):
    id: Annotated[str, Field(min_length=1)]
    business_rep: str | None = None
    notification_emails: Annotated[list[str], Field(min_length=1)]


class Subjects(Model):
    partners: list[Partner] = []
    processors: list[Processor] = []
    roles: list[StaffRole] = []


class Organisation(Model):
    name: str
    internal_domains: Annotated[list[str], Field(min_length=1)]


class Policy(Model):
    blocking_severities: list[Severity] = ["blocker", "critical"]
    allow_mutating: list[str] = []
    min_checks: Annotated[int, Field(ge=1)] = 1


class Sandbox(Model):
    enabled: bool = True
    faults: list[str] = []
    seed: int | None = None


class Scenario(Model):
    version: Literal[1]
    environment: Environment
    organisation: Organisation
    systems: dict[str, System]
    subjects: Subjects = Subjects()
    policy: Policy = Policy()
    sandbox: Sandbox | None = None
    upgrade: UpgradePlan | None = None  # the upgrade checklist's plan (golive/upgrade_config.py)
    source: Path = Path()

    @property
    def uses_sandbox(self) -> bool:
        return self.sandbox is not None and self.sandbox.enabled

    def system(self, name: str) -> System:
        try:
            return self.systems[name]
        except KeyError:
            raise KeyError(f"{self.source}: systems.{name}: not configured") from None


def load_scenario(path: str | Path, env: dict[str, str] | None = None) -> Scenario:
    """Read, resolve and validate a scenario file. Raises ``ScenarioError``."""
    from .errors import ScenarioError

    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(file, "", "no such scenario file") from None
    except OSError as exc:
        raise ScenarioError(file, "", f"cannot read: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(file, "", f"not valid YAML: {problem}", line) from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, "", "expected a mapping at the top level", 1)
    if "source" in raw:
        raise ScenarioError(file, "source", "unknown key", _line(root, ("source",)))
    resolved = _resolve(raw, env if env is not None else dict(os.environ), file, root, ())
    try:
        return Scenario.model_validate({**resolved, "source": Path(path)})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        raise ScenarioError(file, key, _explain(err), _line(root, loc)) from None


def _explain(err: Any) -> str:
    kind, given = err["type"], err.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"{err['msg'].lower()}, got {given!r}"
    shown = "" if isinstance(given, dict | list) else f", got {given!r}"
    return f"{err['msg'][0].lower()}{err['msg'][1:]}{shown}"


def _resolve(value: Any, env: dict[str, str], file: str, root: Any, loc: tuple[Any, ...]) -> Any:
    """Replace ``${VAR}`` references; inline values under ``credentials`` are refused."""
    from .errors import ScenarioError

    if isinstance(value, dict):
        return {k: _resolve(v, env, file, root, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, env, file, root, (*loc, i)) for i, v in enumerate(value)]
    in_credentials = len(loc) >= 2 and loc[-2] == "credentials"
    if isinstance(value, str):
        match = ENV_REF.match(value)
        if match:
            name = match.group(1)
            if name not in env:
                key = ".".join(str(p) for p in loc)
                raise ScenarioError(
                    file, key, f"environment variable {name} is not set", _line(root, loc)
                )
            return env[name]
    if in_credentials:
        key = ".".join(str(p) for p in loc)
        raise ScenarioError(
            file,
            key,
            "expected a ${ENV_VAR} reference; credentials are never written inline",
            _line(root, loc),
        )
    return value


def _line(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` present in the YAML tree."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(part)), None)
            key_node = next((k for k, _ in node.value if k.value == str(part)), None)
            if found is None:
                break
            line = (key_node or found).start_mark.line + 1
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
