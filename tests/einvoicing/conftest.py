"""Shared by the e-invoicing tests: one built-in sandbox for all of them, a client
for its Storecove API that records every response, and the published spec."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from golive import launcher
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from packs.einvoicing.storecove import StorecoveApi
from tests.specs import required


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(required("storecove").read_text(encoding="utf-8"))
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
