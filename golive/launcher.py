"""Starts the built-in sandbox as its own process and stops it again.

The only place in the harness that knows the sandbox exists: it runs
``python -m golive.sandbox``, waits for its ready line, checks ``/health`` and hands back
the URL. The token is passed through the environment, never on the command line.

The sandbox answers for the faults it is asked for before it loads anything: a line of
its own on stdout, then exit 3 for a name it has no fault by (``UnknownFaults``). A caller
that must refuse a misspelt fault before it makes anything (``golive run``: no run folder)
spawns the sandbox first and waits for that answer alone (``StartingSandbox.accepted``),
instead of asking a process of its own for the fault list (``fault_names``, kept for a run
that starts no sandbox).

The sandbox runs in a session of its own, so a Ctrl-C at the terminal reaches golive,
which lets the checks in flight end before it stops the sandbox; it is told golive's
process ID and dies with that process, even one killed outright (``PR_SET_PDEATHSIG``;
Linux ties it to the thread that started the sandbox: start it from one that lives as
long as the sandbox should, as the main thread does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import requests

from .errors import InputError, SandboxError

TOKEN_VAR = "GOLIVE_SANDBOX_TOKEN"
USER_VAR = "GOLIVE_SANDBOX_USER"
# the password of the sandbox's staff logins (not the administrator's: each has their own)
STAFF_TOKEN_VAR = "GOLIVE_SANDBOX_STAFF_TOKEN"


def staff_token(token: str) -> str:
    """The staff password the sandbox derives from its token when none is set: every
    process given the token agrees on it (golive/sandbox/billing_portal.py does the same)."""
    return hashlib.sha256(f"golive-sandbox-staff:{token}".encode()).hexdigest()[:32]


URL_VAR = "GOLIVE_SANDBOX_URL"
# the instant the sandbox dates its data from (golive/sandbox/clock.py): the run's own
REFERENCE_VAR = "GOLIVE_SANDBOX_REFERENCE"
# the process the sandbox dies with (golive/sandbox/__main__.py)
PARENT_VAR = "GOLIVE_SANDBOX_PARENT"
# asks the sandbox to answer for its faults first, on a line of its own (ditto)
FAULT_ANSWER_VAR = "GOLIVE_SANDBOX_FAULT_ANSWER"
START_TIMEOUT = 30.0


class UnknownFaults(InputError):
    """The sandbox was asked for faults it does not have: ``unknown``, of all it has,
    ``known`` (in its ``--list-faults`` order)."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        super().__init__(f"the sandbox has no fault named {', '.join(unknown)}")
        self.unknown, self.known = unknown, known


def ensure_token(env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Give the sandbox a fresh random token unless the caller chose one.

    The sandbox accepts ``GOLIVE_SANDBOX_TOKEN`` as every secret it asks for (bearer token,
    password, API key and secret) and ``GOLIVE_SANDBOX_USER`` as the user name, except
    the staff logins of its admin portal, whose password is ``GOLIVE_SANDBOX_STAFF_TOKEN``
    (by default derived from the token, so a process given only the token knows it too).
    """
    if not env.get(TOKEN_VAR):
        env[TOKEN_VAR] = secrets.token_urlsafe(24)
    if not env.get(STAFF_TOKEN_VAR):
        env[STAFF_TOKEN_VAR] = staff_token(env[TOKEN_VAR])
    if not env.get(USER_VAR):
        env[USER_VAR] = "golive"


def fault_names() -> list[str]:
    """The names of the faults the sandbox can inject, as ``--list-faults --json`` gives
    them (asked of the sandbox program, not imported from it): a process of its own, a
    second of CPU; a sandbox being started answers for its faults itself (``accepted``)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "golive.sandbox", "--list-faults", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [str(row["name"]) for row in json.loads(done.stdout)]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError) as exc:
        raise SandboxError(f"the sandbox could not list its faults: {exc}") from None


@dataclass
class RunningSandbox:
    url: str
    process: subprocess.Popen[str] | None
    smtp_port: int = 0

    def stop(self) -> None:
        """SIGTERM to the sandbox's process group (it removes its database folder), then
        SIGKILL if it has not ended within 10 s."""
        if self.process is not None:
            _stop(self.process)


def _stop(process: subprocess.Popen[str]) -> None:
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)  # its own group: start_new_session
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@dataclass
class StartingSandbox:
    """A sandbox process started and not waited for yet: the caller goes on with its own
    start-up (``golive run``: pytest and the checklists' collection) while the sandbox
    loads its data, and asks for it when the first check needs it."""

    process: subprocess.Popen[str]
    timeout: float
    running: RunningSandbox | None = None
    answered: bool = False

    def accepted(self) -> None:
        """Wait for the sandbox's answer on its faults, the first thing it does (before it
        loads its data): ``UnknownFaults`` when it has no fault by a name it was given,
        ``SandboxError`` when it ended without answering; either way it is stopped, as
        on Ctrl-C / SIGTERM meanwhile."""
        if self.answered:
            return
        try:
            _accepted(self.process)
        except BaseException:
            _stop(self.process)
            raise
        self.answered = True

    def ready(self) -> RunningSandbox:
        """Wait for the ready line and ``/health``; the sandbox is stopped if it fails."""
        if self.running is None:
            self.accepted()
            try:
                self.running = _ready(self.process, self.timeout)
            except BaseException:  # a bad start, or Ctrl-C / SIGTERM while it was starting
                _stop(self.process)
                raise
        return self.running

    def stop(self) -> None:
        _stop(self.process)


def start(
    faults: list[str],
    seed: int | None = None,
    timeout: float = START_TIMEOUT,
    reference: datetime | None = None,
) -> RunningSandbox:
    return spawn(faults, seed, timeout, reference).ready()


def spawn(
    faults: list[str],
    seed: int | None = None,
    timeout: float = START_TIMEOUT,
    reference: datetime | None = None,
) -> StartingSandbox:
    ensure_token()
    cmd = [sys.executable, "-m", "golive.sandbox", "--port", "0"]
    for fault in faults:
        cmd += ["--fault", fault]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    env = dict(os.environ)
    if reference is not None:
        env[REFERENCE_VAR] = reference.isoformat()
    env[PARENT_VAR] = str(os.getpid())
    env[FAULT_ANSWER_VAR] = "1"
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    return StartingSandbox(process, timeout)


def _line(process: subprocess.Popen[str]) -> str:
    """The sandbox's next line on stdout; ``SandboxError`` when it ended instead."""
    assert process.stdout is not None
    line = process.stdout.readline()  # the sandbox prints its line, or exits
    if not line:
        process.wait(timeout=5)
        err = process.stderr.read().strip() if process.stderr else ""
        raise SandboxError(f"the sandbox did not start (exit {process.returncode}): {err}")
    return line


def _accepted(process: subprocess.Popen[str]) -> None:
    line = _line(process)
    try:
        answer = json.loads(line)
        if answer == {"faults": "accepted"}:
            return
        unknown = [str(n) for n in answer["unknown_faults"]]
        known = [str(n) for n in answer["known"]]
    except (ValueError, KeyError, TypeError):
        raise SandboxError(
            f"the sandbox answered for its faults with an unexpected line: {line[:200]!r}"
        ) from None
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)  # it ends on that answer (exit 3)
    raise UnknownFaults(unknown, known)


def _ready(process: subprocess.Popen[str], timeout: float) -> RunningSandbox:
    line = _line(process)
    try:
        ready = json.loads(line)
        url, smtp_port = ready["url"], int(ready["smtp_port"])
    except (ValueError, KeyError, TypeError):
        raise SandboxError(
            f"the sandbox printed an unexpected first line: {line[:200]!r}"
        ) from None
    running = RunningSandbox(url, process, smtp_port)
    wait_healthy(url, timeout, running)
    return running


def wait_healthy(url: str, timeout: float, running: RunningSandbox | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(0.05)
    if running is not None:
        running.stop()
    raise SandboxError(
        f"the sandbox at {url} did not answer /health within {timeout:.0f}s ({last})"
    )
