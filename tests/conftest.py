"""Helpers for the harness's own tests: run the real ``golive`` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def run_dir(self) -> Path:
        return (self.out / "latest").resolve()

    @property
    def signoff(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.run_dir / "signoff.json").read_text())
        return data

    def statuses(self) -> dict[tuple[str, str], str]:
        return {(i["id"], i["subject"]): i["status"] for i in self.signoff["items"]}


def golive_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "PYTEST_"))}
    env.update(extra)
    return env


@pytest.fixture
def golive_cli(tmp_path: Path) -> Callable[..., Run]:
    """Run ``golive ARGS`` from the project root; run folders go under tmp_path."""

    def run(
        *args: str, env: dict[str, str] | None = None, output: bool = True, timeout: float = 300
    ) -> Run:
        out = tmp_path / "reports"
        cmd = [sys.executable, "-m", "golive", *args]
        if output and args and args[0] == "run":
            cmd[3:4] = ["run", "--output", str(out)]
        done = subprocess.run(
            cmd,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env or golive_env(),
            stdin=subprocess.DEVNULL,
        )
        return Run(done.returncode, done.stdout, done.stderr, out)

    return run


def faults() -> list[dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "golive", "sandbox", "--list-faults", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows
