"""The one place golive reads the clock.

A run reads it once, when it starts: that instant is the run's *reference time*. Every
check that compares with "now" (a partner user's expiry, how long a legal entity has been
pending, a test invoice's issue date) and the verdict (a waiver's expiry) use it, so one
run never sees two dates, a run that crosses midnight judges as it began, and
``golive gate`` re-judges a finished run as of when it ran, not as of the day it is asked.
Parallel workers and the sandbox receive the same instant through the environment.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

STARTED_VAR = "GOLIVE_RUN_STARTED"
FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> datetime:
    """The current instant, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(FORMAT)


def parse(text: str) -> datetime:
    """An instant written by ``stamp`` (or any ISO 8601 instant); naive means UTC."""
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def run_started() -> datetime:
    """The reference time of the run this process belongs to: the one the ``golive run``
    that started it chose, else now (plain ``pytest``)."""
    text = os.environ.get(STARTED_VAR)
    return parse(text) if text else now()
