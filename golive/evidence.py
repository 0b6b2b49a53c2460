"""Attaching evidence to the current Allure step (a no-op when Allure is not recording)."""

from __future__ import annotations

import json
from typing import Any

import allure

from .http import Exchange


def attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, value: Any) -> None:
    allure.attach(
        json.dumps(value, indent=2, default=str, ensure_ascii=False),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


# The exchanges of the check this process is running, newest last: a step that fails on a
# value fetched by an earlier step gets the exchange that showed it (golive.allure_meta).
# One check runs at a time in a process; golive.allure_meta empties it as each begins.
RECENT: list[tuple[str, str]] = []
RECENT_KEPT = 5
recorded = 0  # exchanges recorded in this process so far


def record_exchange(exchange: Exchange) -> None:
    global recorded
    text = exchange.render()
    attach_text(exchange.title, text)
    RECENT.append((exchange.title, text))
    del RECENT[:-RECENT_KEPT]
    recorded += 1
