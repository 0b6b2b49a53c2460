"""pytest plugin for the bench (added in process, ``golive.cli.EXTRA_PLUGINS``): records
what a golive run sends.

With ``BENCH_RECORD=FILE`` set, every HTTP request the run's process sends through
``requests`` (method, URL, headers, body) and every browser action of the monitor's web
adapter (log in, switch, dashboard, open a page) is appended to FILE as one JSON line,
tagged with the check it belongs to, and so is every pause of ``golive.checks.poll``
between two attempts (the wait for the target's asynchronous work: a webhook, a mail, a
provisioning run). ``bench.baseline`` replays that file without the framework, pauses
included, so both sides do exactly the same work. The recording run is never timed.
"""

from __future__ import annotations

import functools
import json
import os
import time
from typing import IO, Any

import pytest
import requests

from golive import checks
from golive.launcher import URL_VAR
from packs.erp_partner_access import monitor_web

_state: dict[str, Any] = {"check": "", "out": None}


def _emit(event: dict[str, Any]) -> None:
    out: IO[str] | None = _state["out"]
    if out is not None:
        out.write(json.dumps({"check": _state["check"], **event}) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get("BENCH_RECORD")
    if not path:
        return
    _state["out"] = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed at unconfigure)
    _emit({"kind": "sandbox", "url": os.environ.get(URL_VAR, "")})
    send = requests.Session.send

    @functools.wraps(send)
    def recording_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        _emit(
            {
                "kind": "http",
                "method": request.method,
                "url": request.url,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        return send(self, request, **kwargs)

    requests.Session.send = recording_send  # type: ignore[method-assign]
    checks.time = _PollClock()  # type: ignore[assignment]
    web = monitor_web.MonitorWeb
    for name in ("log_in", "switch_to", "dashboard_messages", "open"):
        original = getattr(web, name)

        def wrapper(self: Any, *args: Any, _name: str = name, _f: Any = original) -> Any:
            _emit({"kind": "web", "action": _name, "base_url": self.base_url, "args": args})
            return _f(self, *args)

        setattr(web, name, wrapper)


class _PollClock:
    """``golive.checks``'s view of ``time``: its sleeps are recorded as waits."""

    monotonic = staticmethod(time.monotonic)

    @staticmethod
    def sleep(seconds: float) -> None:
        _emit({"kind": "wait", "seconds": seconds})
        time.sleep(seconds)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _state["check"] = item.nodeid


def pytest_unconfigure(config: pytest.Config) -> None:
    out = _state.pop("out", None)
    if out is not None:
        out.close()
