"""The suite's own scheduling (tests/conftest.py): what it names is there."""

from __future__ import annotations

from tests.conftest import LONG_FIRST, ONE_WORKER, ROOT


def test_every_module_kept_on_one_worker_or_started_first_exists() -> None:
    for name in (*ONE_WORKER, *LONG_FIRST):
        assert (ROOT / name.split("::", 1)[0]).exists(), name
