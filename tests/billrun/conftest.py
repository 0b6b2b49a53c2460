"""Bill runs written by the sandbox's generator (golive/sandbox/billing_runs.py), small."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from golive.sandbox.billing_runs import write
from packs.billing_upgrade.billrun.reconcile import SideSource, TableSource

ACCOUNTS = 30


def side(
    folder: Path, fmt: str = "parquet", columns: dict[str, dict[str, str]] | None = None
) -> SideSource:
    return SideSource(
        *(
            TableSource((str(folder / f"{t}.{fmt}"),), fmt, (columns or {}).get(t, {}))  # type: ignore[arg-type]
            for t in ("accounts", "invoices", "items")
        )
    )


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("production")
    write(folder, ACCOUNTS, extra=["T-0001"])
    return folder


@pytest.fixture
def candidate(tmp_path: Path) -> Callable[..., Path]:
    def make(*faults: str, fmt: str = "parquet", extra: Sequence[str] = ("T-0001",)) -> Path:
        folder = tmp_path / ("candidate-" + "-".join(faults))
        write(folder, ACCOUNTS, faults=faults, extra=extra, fmt=fmt)
        return folder

    return make
