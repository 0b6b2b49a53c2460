"""How golive talks to __TITLE__: a Protocol the steps depend on, and the adapter for
its REST API. An adapter is built with golive's ``HttpClient`` (base URL, credentials,
timeouts, redaction and the production guard already applied) and returns plain records;
it never asserts.

``HttpClient.get_json(path, params=..., ok=(404,))`` returns ``(status, body)``; a status
outside 2xx and ``ok`` raises (5xx, 429 and transport failures make the item *broken*,
not failed). ``send_json(method, path, body)`` is the same for writes, refused on a
production-tier environment unless the scenario allows the item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from golive.http import HttpClient


@dataclass(frozen=True)
class Health:
    status: str
    version: str


class Service(Protocol):
    def health(self) -> Health: ...


class RestService:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def health(self) -> Health:
        _, raw = self.http.get_json("/health")
        return Health(status=str(raw["status"]), version=str(raw["version"]))
