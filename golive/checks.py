"""Assertions for checklist steps, and polling with a deadline.

Every failure says what was seen, what was expected, and names the subject, so the
signoff's reason column reads on its own: ``TP-1003 (Acme): no buyers set up; expected at
least one``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NoReturn, TypeVar

from .errors import CheckFailed

T = TypeVar("T")


def fail(subject: str, saw: str, expected: str) -> NoReturn:
    __tracebackhide__ = True  # the step that checked is where to look, not this frame
    raise CheckFailed(f"{subject}: {saw}; expected {expected}")


def check(condition: bool, subject: str, saw: str, expected: str) -> None:
    __tracebackhide__ = True
    if not condition:
        fail(subject, saw, expected)


def listing(values: list[str] | set[str], empty: str = "none") -> str:
    return ", ".join(sorted(values)) if values else empty


def poll(
    probe: Callable[[], T],
    until: Callable[[T], bool],
    *,
    timeout: float,
    interval: float = 0.1,
) -> tuple[T, bool]:
    """Call ``probe`` until ``until(value)`` holds or ``timeout`` seconds pass.

    Returns the last value and whether the condition held. Never sleeps past the deadline.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if until(value):
            return value, True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return value, False
        time.sleep(min(interval, remaining))
