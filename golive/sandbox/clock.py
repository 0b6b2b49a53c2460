"""The sandbox's reference time: the instant its generated data is dated from.

Data that a real system would hold relative to "today" (a partner user expiring in 30
days, an integration request approved three weeks ago, a legal entity onboarded five days
ago) is dated from this one instant, read once when the sandbox process starts. The
launcher passes the run's own reference time (``GOLIVE_SANDBOX_REFERENCE``, ISO 8601), so
the harness and the sandbox agree on the date even when a run crosses midnight; a sandbox
started by hand uses its start. The billing domain's bill runs carry fixed dates of their
own (``billing_data.py``). Timestamps of things that happen while the sandbox runs (a
request, a webhook received) are the real clock's.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

REFERENCE_VAR = "GOLIVE_SANDBOX_REFERENCE"


def _read() -> datetime:
    text = os.environ.get(REFERENCE_VAR, "").strip()
    if not text:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(
            f"golive sandbox: {REFERENCE_VAR}={text!r}: expected an ISO 8601 instant"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


REFERENCE = _read()


def today() -> date:
    return REFERENCE.date()


def day(offset: int) -> str:
    """The reference date moved by ``offset`` days, as YYYY-MM-DD."""
    return (today() + timedelta(days=offset)).isoformat()


def ago(days: float) -> datetime:
    return REFERENCE - timedelta(days=days)
