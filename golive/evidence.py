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


def record_exchange(exchange: Exchange) -> None:
    attach_text(exchange.title, exchange.render())
