"""Runs Schemathesis against a running sandbox, for the operations the sandbox emulates.

Used by tests/conformance/test_schemathesis.py (bounded: a few examples per operation, a
fixed seed, derandomized, in ``make test``) and by ``make fuzz`` (the same run, longer:
``GOLIVE_FUZZ_EXAMPLES``, ``GOLIVE_FUZZ_PHASES`` and ``GOLIVE_FUZZ_SEED`` widen it).

The operations come from the sandbox's own tables (``storecove.operations``,
``billing_kb.operations``), so a new operation is fuzzed the day it is added. The spec is
the published one with tests/conformance/errata.py applied; every check Schemathesis has
runs (``--checks all``), and the run's JSON report is what the test reads.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from golive.sandbox import billing_kb, storecove
from golive.sandbox.common import Settings
from golive.sandbox.storecove_provider import Provider
from tests import specs
from tests.specs import SPECS

from . import errata

REPO = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def spec_path(name: str) -> Path:
    """The published spec (tests/specs.py says where it is read)."""
    return specs.spec_file(name)


@functools.cache
def _load(name: str) -> str:
    text = spec_path(name).read_text(encoding="utf-8")
    loaded = json.loads(text) if name == "storecove" else yaml.load(text, yaml.CSafeLoader)
    return json.dumps(loaded)


def load_spec(name: str) -> dict[str, Any]:
    """The published spec (a fresh copy each call; read and parsed once)."""
    loaded: dict[str, Any] = json.loads(_load(name))
    return loaded


def emulated_only(spec: dict[str, Any], operation_ids: list[str]) -> dict[str, Any]:
    """The spec cut to the emulated operations (Schemathesis then loads only those)."""
    wanted = set(operation_ids)
    paths = {}
    for path, item in spec["paths"].items():
        kept = {
            k: v
            for k, v in item.items()
            if not isinstance(v, dict) or "operationId" not in v or v["operationId"] in wanted
        }
        if any(isinstance(v, dict) and v.get("operationId") in wanted for v in kept.values()):
            paths[path] = kept
    return {**spec, "paths": paths}


def operation_ids(name: str) -> list[str]:
    settings = Settings(None, "", "", 0)  # type: ignore[arg-type]  # tables only, no I/O
    if name == "storecove":
        ops = storecove.operations(Provider(settings))
    else:
        ops = billing_kb.operations(billing_kb.Handlers(settings, lambda _: None))  # type: ignore[arg-type]
    return [op.operation_id for op in ops]


@dataclass(frozen=True)
class Bounds:
    examples: int
    phases: str
    seed: int
    timeout: float

    @classmethod
    def from_env(cls, examples: int, phases: str, timeout: float) -> Bounds:
        return cls(
            int(os.environ.get("GOLIVE_FUZZ_EXAMPLES") or examples),
            os.environ.get("GOLIVE_FUZZ_PHASES") or phases,
            int(os.environ.get("GOLIVE_FUZZ_SEED") or 1),
            float(os.environ.get("GOLIVE_FUZZ_TIMEOUT") or timeout),
        )


@dataclass(frozen=True)
class Result:
    report: dict[str, Any]
    output: str

    @property
    def failures(self) -> dict[str, int]:
        return {f"{f['code']} {f['title']}": f["count"] for f in self.report["failures"]}

    @property
    def generated(self) -> int:
        return int(self.report["test_cases"]["generated"])


def run(name: str, base_url: str, token: str, user: str, bounds: Bounds, work: Path) -> Result:
    """One Schemathesis run over ``name``'s emulated operations at ``base_url``."""
    spec_file = work / f"{name}.json"
    ops = operation_ids(name)
    spec = emulated_only(errata.apply(name, load_spec(name)), ops)
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    config = work / f"{name}.toml"
    config.write_text(errata.schemathesis_config(name), encoding="utf-8")
    report = work / f"{name}-report.json"
    if name == "storecove":
        url = f"{base_url}/api/v2"
        auth = ["-H", f"Authorization: Bearer {token}"]
    else:
        url = f"{base_url}/production"
        auth = ["-a", f"{user}:{token}"]
        auth += ["-H", f"X-Killbill-ApiKey: {token}", "-H", f"X-Killbill-ApiSecret: {token}"]
    cmd = [str(SCHEMATHESIS), "--config-file", str(config), "run", str(spec_file)]
    cmd += ["--url", url, *auth, "--checks", "all", "--workers", "1"]
    cmd += ["--max-examples", str(bounds.examples), "--phases", bounds.phases]
    cmd += ["--seed", str(bounds.seed), "--generation-deterministic", "--no-shrink"]
    cmd += ["--request-timeout", "10", "--no-color"]
    cmd += ["--report", "json", "--report-json-path", str(report)]
    cmd += ["--continue-on-failure", "--warnings", "off"]
    for op in ops:
        cmd += ["--include-operation-id", op]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=bounds.timeout, cwd=work, check=False
    )
    if not report.is_file():
        raise AssertionError(
            f"schemathesis wrote no report (exit {done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return Result(json.loads(report.read_text(encoding="utf-8")), done.stdout + done.stderr)


def main() -> int:
    """``make fuzz``: a long run of both specs against a sandbox started for it."""
    import tempfile

    from golive import launcher

    bounds = Bounds.from_env(200, "examples,coverage,fuzzing,stateful", 1800)
    running = launcher.start([])
    worst = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in SPECS:
                result = run(
                    name,
                    running.url,
                    os.environ[launcher.TOKEN_VAR],
                    os.environ[launcher.USER_VAR],
                    bounds,
                    Path(tmp),
                )
                if result.failures:
                    print(result.output)
                    worst = 1
                print(f"{name}: {result.generated} cases, failures {result.failures or 'none'}")
    finally:
        running.stop()
    return worst


if __name__ == "__main__":
    sys.exit(main())
