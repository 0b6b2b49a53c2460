"""Scenario files: the run's input, validated with pydantic.

A scenario names the environment (and its tier), the systems golive talks to (adapter,
base URL, credentials as ``${ENV_VAR}`` references only), the subjects going live, the
organisation's facts the checks need, and the policy. Loading it either returns a
``Scenario`` with every reference resolved, or raises ``ScenarioError`` naming the file,
the key path, the line and what was expected.

``base_url: sandbox`` points a system at the built-in sandbox, which the harness starts
when ``sandbox.enabled`` is true.

The file itself is bounded before anything is built from it: at most ``MAX_BYTES`` of
UTF-8 text, nesting at most ``MAX_DEPTH`` deep, at most ``MAX_NODES`` values once aliases
are expanded (an alias bomb is refused, not expanded), and a key given twice in one
mapping is an error. Dates are validated by the models, not by the YAML parser, so an
impossible date (``2026-02-30``) is reported with its key. A resolved credential must be
at least ``MIN_CREDENTIAL_LENGTH`` characters (shorter ones cannot be masked without
masking ordinary words), and no environment variable may be empty or hold a control
character.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

Tier = Literal["test", "staging", "production"]
Severity = Literal["blocker", "critical", "normal", "minor"]
ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
SANDBOX = "sandbox"
DEFAULT_SCENARIO = Path("scenarios/sandbox.yaml")
MAX_BYTES = 1024 * 1024  # a scenario or waiver file larger than this is refused unread
MAX_DEPTH = 64  # nesting of mappings and sequences
MAX_NODES = 250_000  # values, counting each alias as the whole subtree it repeats
MIN_CREDENTIAL_LENGTH = 8  # shorter values would mask ordinary words (golive/redact.py)
USER_NAMES = frozenset({"username", "user", "login"})  # not secrets: never masked
SECRET_KEYS = frozenset({"password", "token", "secret"})  # never inline, wherever they are
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    # one call, retries and waits included, ends within this (golive/http.py)
    deadline: Annotated[float, Field(gt=0, le=3600)] = 30.0
    # an item calling this system is broken once this has passed since it started
    item_deadline: Annotated[float, Field(gt=0, le=86400)] = 120.0
    # calls in a row without an answer after which the system is taken for down (0: never)
    breaker_after: Annotated[int, Field(ge=0, le=1000)] = 3

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value.startswith(SANDBOX + "/"):  # a path on the sandbox: sandbox/candidate
            return value.rstrip("/")
        if value != SANDBOX and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s) URL or 'sandbox', got {value!r}")
        if "@" in re.sub(r"^https?://", "", value).split("/", 1)[0]:
            # never echoed: the user-info may hold a password
            raise ValueError(
                "expected a URL without user:password@ (put them in credentials,"
                " as ${ENV_VAR} references)"
            )
        return value.rstrip("/")


CHECK_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
ALLOW_MUTATING_FORM = (
    "expected exact checklist IDs as the feature files tag them, like MTP-08"
    " (upper case, no patterns)"
)


class Policy(Model):
    """What the gate demands. See golive/verdict.py for how it is applied."""

    # failed items of these severities block; other failures are warnings
    blocking_severities: list[Severity] = ["blocker", "critical"]
    # items broken, not run or without a result block whatever their severity (true), or
    # are judged by severity like failures (false: "broken counts as failed")
    unchecked_blocks: bool = True
    # checklist IDs (fnmatch patterns like "MTP-*") that must have run in this run
    required: list[str] = []
    # checks that must reach a pass or a fail (broken, not run and missing do not count)
    min_checks: Annotated[int, Field(ge=1)] = 1
    # checklist IDs (exact, as the feature files tag them: MTP-08, no patterns) allowed to
    # change a production-tier system; an ID no collected item has is refused (plugin)
    allow_mutating: list[str] = []

    @field_validator("allow_mutating")
    @classmethod
    def _exact_ids(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not CHECK_ID.match(v)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))}: {ALLOW_MUTATING_FORM}")
        return value

    @model_validator(mode="after")
    def _something_can_block(self) -> Policy:
        # Nothing would ever keep such a run from GO, not even every system unreachable.
        if not self.blocking_severities and not self.unchecked_blocks:
            raise ValueError(
                "no severity blocks (blocking_severities is empty) and unchecked_blocks is"
                " false: nothing could keep a run from GO; name a blocking severity or leave"
                " unchecked_blocks true"
            )
        return self


class Waiver(Model):
    """A failure accepted for this go-live: shown as waived, never hidden."""

    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*-\d+$")]
    subject: str | None = None  # only this subject; all subjects when absent
    reason: Annotated[str, Field(min_length=1)]
    approved_by: str = ""  # a waiver nobody approved does not count
    expires: date
    # what it accepts: a check that ran and failed (default), or, said explicitly, a check
    # that could not conclude (broken, not run, no result); shown as such on the signoff
    covers: Literal["failed", "not_checked"] = "failed"


class Attestation(Model):
    """A person's statement that a manual checklist item (@manual) was done."""

    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*-\d+$")]
    subject: str | None = None  # only this subject; all subjects when absent
    by: Annotated[str, Field(min_length=1)]
    at: datetime
    note: str = ""


class Waivers(Model):
    waivers: list[Waiver] = []


class EmailNotice(Model):
    """Mail the verdict when a run ends (plain SMTP, optionally STARTTLS and login)."""

    smtp_host: str
    smtp_port: Annotated[int, Field(gt=0, lt=65536)] = 25
    starttls: bool = False
    sender: str
    to: Annotated[list[str], Field(min_length=1)]
    credentials: dict[str, SecretStr] = {}  # username, password: ${ENV_VAR} references


class WebhookNotice(Model):
    """Post the verdict to a chat webhook. Its URL carries a token: it is a credential."""

    format: Literal["slack", "teams"] = "slack"
    credentials: dict[str, SecretStr]  # url: ${ENV_VAR}


class Notify(Model):
    email: EmailNotice | None = None
    webhook: WebhookNotice | None = None
    # where the run folders are published (CI artifacts, a web server): links point there
    report_url: str | None = None


class Sandbox(Model):
    enabled: bool = True
    faults: list[str] = []
    seed: int | None = None


class Browser(Model):
    """Where the browser runs: launched locally (default), or a remote Playwright server at
    ``ws_endpoint`` (``playwright run-server``). ``executable_path`` is the browser on the
    server's machine, for a server without downloaded browsers (needs ``--unsafe``)."""

    ws_endpoint: str | None = None
    executable_path: str | None = None
    # On a production-tier environment the browser may only read: any request but GET or
    # HEAD is aborted, unless its URL path matches one of these patterns (fnmatch) of
    # POSTs that only open or steer a session (log in, switch the viewed customer), or
    # the running check is allowed by policy.allow_mutating.
    session_posts: list[str] = []


class Scenario(Model):
    version: Literal[1]
    environment: Environment
    systems: dict[str, System]
    # the checklist packs this scenario runs, each with its settings (validated by the
    # pack's own model, golive/packs.py): packs: {partner_go_live: {partners: [...]}}
    packs: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], dict[str, Any] | None] = {}
    policy: Policy = Policy()
    waivers: str | None = None  # a waiver file, relative to this scenario file
    notify: Notify = Notify()
    attestations: list[Attestation] = []  # for @manual items
    sandbox: Sandbox | None = None
    browser: Browser = Browser()
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
    raw, root = _read_yaml(path)
    if "source" in raw:
        from .errors import ScenarioError

        raise ScenarioError(str(path), "source", "unknown key", _line(root, ("source",)))
    resolved = _resolve(raw, env if env is not None else dict(os.environ), str(path), root, ())
    scenario = _validate(Scenario, {**resolved, "source": Path(path)}, str(path), root)
    _check_credentials(scenario, str(path), root)
    return scenario


def _check_credentials(value: Any, file: str, root: Any, loc: tuple[Any, ...] = ()) -> None:
    """Every secret (a ``SecretStr`` not named like a user name) is long enough to mask."""
    from .errors import ScenarioError

    if isinstance(value, SecretStr):
        secret, key = value.get_secret_value(), ".".join(str(p) for p in loc)
        if loc and loc[-1] not in USER_NAMES and len(secret) < MIN_CREDENTIAL_LENGTH:
            raise ScenarioError(
                file,
                key,
                f"expected a credential of at least {MIN_CREDENTIAL_LENGTH} characters"
                f" (got {len(secret)}): a shorter one cannot be masked in what golive writes",
                _line(root, loc),
            )
        header = loc[:1] == ("systems",) and loc[-2:-1] == ("credentials",)
        if header and loc[-1] not in ("username", "password") and not secret.isascii():
            # username and password go as basic auth, UTF-8 encoded (RFC 7617)
            raise ScenarioError(
                file,
                key,
                "expected ASCII characters only: this credential is sent in an HTTP header",
                _line(root, loc),
            )
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            _check_credentials(getattr(value, key), file, root, (*loc, key))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_credentials(item, file, root, (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_credentials(item, file, root, (*loc, index))


def load_waivers(path: str | Path) -> list[Waiver]:
    """Read and validate a waiver file. Raises ``ScenarioError`` (file, key, line)."""
    raw, root = _read_yaml(path)
    return _validate(Waivers, raw, str(path), root).waivers


def waiver_path(scenario: Scenario) -> Path | None:
    if scenario.waivers is None:
        return None
    return scenario.source.parent / scenario.waivers


ModelT = TypeVar("ModelT", bound=BaseModel)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's parser when PyYAML has it: ten times faster) without
    the implicit timestamp type: a date stays text until its model validates it, so an
    impossible one is reported with its key and line instead of crashing the parser."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[Any]]] = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _read_yaml(path: str | Path) -> tuple[dict[str, Any], Any]:
    from .errors import ScenarioError

    file = str(path)
    try:
        # Opened without blocking: a named pipe nobody writes to reads as empty instead of
        # waiting forever (read then blocks only while a writer is there).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with open(fd, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(file, "", "no such file") from None
    except OSError as exc:
        raise ScenarioError(file, "", f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ScenarioError(file, "", f"expected at most {MAX_BYTES // 1024} KiB of YAML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(file, "", "expected UTF-8 text (is this a YAML file?)", line) from None
    try:
        _check_shape(text, file)
        # One parse more: the node tree keeps the line numbers for messages, and the
        # values are built from it.
        root = yaml.compose(text, Loader=_Loader)
        raw = _Loader("").construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as exc:
        at = text[: exc.position].count("\n") + 1
        problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise ScenarioError(file, "", f"not valid YAML: {problem}", at) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            file, "", f"not valid YAML: {problem}", mark.line + 1 if mark else None
        ) from None
    except RecursionError:  # bounded by _check_shape; kept as a last line of defence
        raise ScenarioError(file, "", f"nested more than {MAX_DEPTH} deep") from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, "", "expected a mapping at the top level", 1)
    return raw, root


def _check_shape(text: str, file: str) -> None:
    """One pass over the parser's events, before anything is built: nesting depth, the
    number of values with aliases expanded, and keys given twice in one mapping."""
    from .errors import ScenarioError

    frames: list[dict[str, Any]] = []  # open collections, innermost last
    sizes: dict[str, int] = {}  # anchor -> values in its subtree
    total = 0

    def where(frame_path: tuple[Any, ...]) -> str:
        return ".".join(str(p) for p in frame_path)

    def node(event: Any) -> tuple[Any, ...]:
        """Place a node in its parent; return its key path."""
        if not frames:
            return ()
        parent = frames[-1]
        if parent["map"]:
            if parent["key"] is None:  # this node is a key
                key = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                line = event.start_mark.line + 1
                if isinstance(event, yaml.ScalarEvent) and key != "<<":
                    if key in parent["keys"]:
                        raise ScenarioError(
                            file,
                            where((*parent["path"], key)),
                            f"duplicate key (first given on line {parent['keys'][key]})",
                            line,
                        )
                    parent["keys"][key] = line
                parent["key"] = key
                return (*parent["path"], key)
            path = (*parent["path"], parent["key"])
            parent["key"] = None
            return path
        parent["index"] += 1
        return (*parent["path"], parent["index"] - 1)

    def count(size: int, anchor: str | None, line: int) -> None:
        nonlocal total
        if anchor:
            sizes[anchor] = size
        if frames:
            frames[-1]["size"] += size
        else:
            total += size
        if total + sum(f["size"] for f in frames) > MAX_NODES:
            raise ScenarioError(
                file, "", f"expected at most {MAX_NODES} values with aliases expanded", line
            )

    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.CollectionStartEvent):
            path = node(event)
            if len(frames) >= MAX_DEPTH:
                raise ScenarioError(
                    file, where(path[:1]), f"expected at most {MAX_DEPTH} levels of nesting", line
                )
            frames.append(
                {
                    "map": isinstance(event, yaml.MappingStartEvent),
                    "path": path,
                    "keys": {},
                    "key": None,
                    "index": 0,
                    "size": 0,
                    "anchor": event.anchor,
                }
            )
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = frames.pop()
            count(frame["size"] + 1, frame["anchor"], line)
        elif isinstance(event, yaml.ScalarEvent):
            node(event)
            count(1, event.anchor, line)
        elif isinstance(event, yaml.AliasEvent):
            node(event)
            count(sizes.get(event.anchor or "", 1), None, line)


def _validate(model: type[ModelT], raw: dict[str, Any], file: str, root: Any) -> ModelT:
    from .errors import ScenarioError

    try:
        return model.model_validate(raw)
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
    msg = err["msg"].removeprefix("Value error, ")
    hidden = isinstance(given, dict | list) or "user:password@" in msg
    shown = "" if hidden else f", got {given!r}"
    return f"{msg[0].lower()}{msg[1:]}{shown}"


def _resolve(value: Any, env: dict[str, str], file: str, root: Any, loc: tuple[Any, ...]) -> Any:
    """Replace ``${VAR}`` references. Inline values are refused under ``credentials`` and
    for any key named like a secret (``SECRET_KEYS``) anywhere, a pack's settings too (a
    role's ``login.password``, an API user's ``password``)."""
    from .errors import ScenarioError

    if isinstance(value, dict):
        return {k: _resolve(v, env, file, root, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, env, file, root, (*loc, i)) for i, v in enumerate(value)]
    in_credentials = (len(loc) >= 2 and loc[-2] == "credentials") or (
        bool(loc) and loc[-1] in SECRET_KEYS
    )
    if isinstance(value, str):
        match = ENV_REF.match(value)
        if match:
            name = match.group(1)
            key = ".".join(str(p) for p in loc)
            if name not in env:
                raise ScenarioError(
                    file, key, f"environment variable {name} is not set", _line(root, loc)
                )
            if not env[name]:
                raise ScenarioError(
                    file, key, f"environment variable {name} is set but empty", _line(root, loc)
                )
            if CONTROL.search(env[name]):  # a newline would split a header; never shown
                raise ScenarioError(
                    file,
                    key,
                    f"environment variable {name} holds a line break or control character",
                    _line(root, loc),
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


def key_line(path: str | Path, loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc`` (a key path like ``("policy", "allow_mutating", 0)``) in an
    already loaded scenario file, for a problem found after loading; None when the file
    cannot be read again."""
    from .errors import ScenarioError

    try:
        _, root = _read_yaml(path)
    except ScenarioError:
        return None
    return _line(root, loc)


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
