"""Adversarial cases (issue 17) against the harness core, in process on crafted run
folders: no key from the caller's environment leaks in; each test sets its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from golive import cli
from golive.attest import LEGACY_HMAC_VAR, PUBLIC_KEY_VAR, SIGNING_KEY_VAR

from .runs import keypair


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (SIGNING_KEY_VAR, PUBLIC_KEY_VAR, LEGACY_HMAC_VAR):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return keypair(folder)


@pytest.fixture
def signing(keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The runner's key is configured (and so trusted) for the whole test."""
    monkeypatch.setenv(SIGNING_KEY_VAR, str(keys[0]))
    return keys


@pytest.fixture
def golive(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``golive ARGS`` in process: (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call
