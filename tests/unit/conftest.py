"""Builders for the unit tests: plan items, outcomes and Allure result files in memory or
under tmp_path. Nothing here starts a process, opens a socket or reads the clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from golive.config import Waiver
from golive.results import Outcome, Planned

# A fixed "today" for everything that judges expiry: never the real date.
TODAY = date(2027, 3, 15)


def planned(
    id: str = "MTP-01",
    subject: str = "",
    severity: str = "blocker",
    checklist: str = "Partner go live",
    title: str = "",
) -> Planned:
    return Planned(
        id=id,
        title=title or f"title of {id}",
        severity=severity,
        checklist=checklist,
        feature="Move a trading partner into production",
        file="partner_go_live/move_to_production.feature",
        line=10,
        subject=subject,
        mutating=False,
        manual=False,
    )


def outcome(item: Planned, status: str = "passed", reason: str = "", stop: int = 2) -> Outcome:
    category = {
        "passed": "",
        "failed": "product defect",
        "broken": "harness error",
        "skipped": "not run",
    }[status]
    return Outcome(item.key, status, reason, category, f"uuid-{item.key}", 1, stop, "tc")


def outcomes(*pairs: tuple[Planned, str]) -> dict[str, Outcome]:
    return {p.key: outcome(p, s, f"reason of {p.id} {s}") for p, s in pairs}


def waiver(
    id: str = "MTP-01",
    subject: str | None = None,
    approved_by: str = "R. Manager",
    expires: date = date(2027, 4, 1),
    reason: str = "accepted for this go-live",
) -> Waiver:
    return Waiver(id=id, subject=subject, reason=reason, approved_by=approved_by, expires=expires)


def allure_result(
    golive_id: str | None = "MTP-01",
    subject: str = "-",
    status: str = "passed",
    message: str = "",
    stop: int = 2,
    uuid: str = "u1",
) -> dict[str, Any]:
    labels = [{"name": "severity", "value": "blocker"}]
    if golive_id is not None:
        labels += [
            {"name": "golive_id", "value": golive_id},
            {"name": "golive_subject", "value": subject},
        ]
    raw: dict[str, Any] = {
        "uuid": uuid,
        "status": status,
        "labels": labels,
        "start": 1,
        "stop": stop,
        "testCaseId": f"tc-{golive_id}-{subject}",
    }
    if message:
        raw["statusDetails"] = {"message": message}
    return raw


@pytest.fixture
def write_result(tmp_path: Path) -> Callable[..., Path]:
    """Write one ``<name>-result.json`` into tmp_path/allure-results (dict or raw text)."""
    folder = tmp_path / "allure-results"

    def write(name: str, content: dict[str, Any] | str) -> Path:
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}-result.json"
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
        return path

    return write
