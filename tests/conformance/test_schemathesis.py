"""The sandbox's Storecove and Kill Bill emulations under Schemathesis, against the
published specs (with tests/conformance/errata.py applied), every check on.

Bounded so it stays a small part of ``make test``: a few examples per operation, the
examples and fuzzing phases, a fixed seed, derandomized, and a hard time limit on each
run. ``make fuzz`` runs the same code longer, with the coverage and stateful phases
(tests/conformance/fuzz.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from golive import launcher
from tests import specs

from . import errata, fuzz

BOUNDS = fuzz.Bounds.from_env(examples=5, phases="examples,fuzzing", timeout=120)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    running = launcher.start([])
    try:
        yield running.url
    finally:
        running.stop()


@pytest.mark.parametrize("name", sorted(fuzz.SPECS))
def test_the_emulation_passes_every_schemathesis_check(
    name: str, sandbox: str, tmp_path: Path
) -> None:
    specs.required(name)
    result = fuzz.run(
        name,
        sandbox,
        os.environ[launcher.TOKEN_VAR],
        os.environ[launcher.USER_VAR],
        BOUNDS,
        tmp_path,
    )
    operations = result.report["operations"]
    assert operations["tested"] == len(fuzz.operation_ids(name)), operations
    assert operations["errored"] == 0, result.output
    assert result.generated >= 5 * len(fuzz.operation_ids(name)), result.report["test_cases"]
    assert result.failures == {}, result.output


@pytest.mark.parametrize("name", sorted(fuzz.SPECS))
def test_every_erratum_names_what_the_spec_has(name: str) -> None:
    specs.required(name)
    spec = fuzz.load_spec(name)
    operations = published_operations(spec)
    schemas = spec.get("definitions") or spec["components"]["schemas"]
    emulated = set(fuzz.operation_ids(name))
    entries = errata.for_spec(name)
    assert entries
    for e in entries:
        assert e.reason.strip(), e
        if isinstance(e, errata.Status | errata.Refusal):
            assert e.operation_id in operations and e.operation_id in emulated, e
        if isinstance(e, errata.Status):
            documented = spec_responses(spec, e.operation_id)
            assert str(e.status) not in documented, f"{e} is documented already"
        if isinstance(e, errata.Nullable):
            assert e.field in schemas[e.schema]["properties"], e
        if isinstance(e, errata.ObjectOnly):
            assert "type" not in schemas[e.schema], f"{e}: the spec says its type already"


def published_operations(spec: dict[str, Any]) -> set[str]:
    return {
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }


def spec_responses(spec: dict[str, object], operation_id: str) -> set[str]:
    for item in spec["paths"].values():  # type: ignore[attr-defined]
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return set(op["responses"])
    raise AssertionError(f"no operation {operation_id}")


@pytest.mark.parametrize("name", sorted(fuzz.SPECS))
def test_every_emulated_operation_is_in_its_spec(name: str) -> None:
    specs.required(name)
    published = published_operations(fuzz.load_spec(name))
    assert set(fuzz.operation_ids(name)) <= published, name
