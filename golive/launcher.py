"""Starts the built-in sandbox as its own process and stops it again.

The only place in the harness that knows the sandbox exists: it runs
``python -m golive.sandbox``, waits for its ready line, checks ``/health`` and hands back
the URL. The token is passed through the environment, never on the command line.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass

import requests

from .errors import SandboxError

TOKEN_VAR = "GOLIVE_SANDBOX_TOKEN"
USER_VAR = "GOLIVE_SANDBOX_USER"
URL_VAR = "GOLIVE_SANDBOX_URL"
START_TIMEOUT = 30.0


def ensure_token(env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Give the sandbox a fresh random token unless the caller chose one.

    The sandbox accepts ``GOLIVE_SANDBOX_TOKEN`` as every secret it asks for (bearer token,
    password, API key and secret) and ``GOLIVE_SANDBOX_USER`` as the user name.
    """
    if not env.get(TOKEN_VAR):
        env[TOKEN_VAR] = secrets.token_urlsafe(24)
    if not env.get(USER_VAR):
        env[USER_VAR] = "golive"


@dataclass
class RunningSandbox:
    url: str
    process: subprocess.Popen[str] | None
    smtp_port: int = 0

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start(
    faults: list[str], seed: int | None = None, timeout: float = START_TIMEOUT
) -> RunningSandbox:
    ensure_token()
    cmd = [sys.executable, "-m", "golive.sandbox", "--port", "0"]
    for fault in faults:
        cmd += ["--fault", fault]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the sandbox prints its ready line, or exits
    if not line:
        process.wait(timeout=5)
        err = process.stderr.read().strip() if process.stderr else ""
        raise SandboxError(f"the sandbox did not start (exit {process.returncode}): {err}")
    try:
        ready = json.loads(line)
        url, smtp_port = ready["url"], int(ready["smtp_port"])
    except (ValueError, KeyError, TypeError):
        process.kill()
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
