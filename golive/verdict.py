"""The verdict: GO or NO-GO, and whether the run could be judged at all.

Rules, in order:

1. Exit 2, "could not be judged": the plan is missing or unreadable, a result file is
   corrupt, results exist that the plan does not know (left over from another run), or
   pytest itself stopped (interrupted, internal error, usage error).
2. NO-GO (exit 1): zero items planned, fewer executed than ``policy.min_checks`` (all
   skipped counts as zero), an item of the plan without a result, or an item whose
   severity blocks (``policy.blocking_severities``) failed, broke or was not run.
3. Otherwise GO (exit 0). Items of non-blocking severity that failed are listed as
   warnings; they never turn into a pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .results import Outcome, Planned

GO, NO_GO, UNJUDGED = "GO", "NO-GO", "NO-GO (could not be judged)"
PYTEST_STOPPED = {2: "interrupted", 3: "internal error", 4: "usage error"}


@dataclass(frozen=True)
class ItemVerdict:
    item: Planned
    status: str  # passed | failed | broken | skipped | missing
    reason: str
    category: str
    blocking: bool


@dataclass
class Verdict:
    decision: str
    exit_code: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: list[ItemVerdict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(i.status for i in self.items)
        return {s: counted.get(s, 0) for s in ("passed", "failed", "broken", "skipped", "missing")}


def judge(
    plan: list[Planned],
    outcomes: dict[str, Outcome],
    blocking_severities: list[str],
    min_checks: int = 1,
    pytest_exit: int | None = None,
) -> Verdict:
    items: list[ItemVerdict] = []
    for planned in plan:
        outcome = outcomes.get(planned.key)
        blocks = planned.severity in blocking_severities
        if outcome is None:
            items.append(
                ItemVerdict(
                    planned,
                    "missing",
                    "no result was recorded for this item",
                    "harness error",
                    blocks,
                )
            )
            continue
        items.append(
            ItemVerdict(
                planned,
                outcome.status,
                outcome.reason,
                outcome.category,
                blocks and outcome.status != "passed",
            )
        )
    verdict = Verdict(GO, 0, items=items)

    known = {p.key for p in plan}
    strangers = sorted(set(outcomes) - known)
    if pytest_exit in PYTEST_STOPPED:
        verdict.reasons.append(
            f"the test run stopped: pytest {PYTEST_STOPPED[pytest_exit]} (exit {pytest_exit})"
        )
    if strangers:
        verdict.reasons.append(f"results that this run did not plan: {', '.join(strangers)}")
    if verdict.reasons:
        verdict.decision, verdict.exit_code = UNJUDGED, 2
        return verdict

    executed = sum(1 for i in items if i.status in ("passed", "failed", "broken"))
    if not plan:
        verdict.reasons.append("zero checks were planned")
    elif executed < min_checks:
        verdict.reasons.append(f"{executed} checks ran; the policy needs at least {min_checks}")
    for i in items:
        label = f"{i.item.id}{f' [{i.item.subject}]' if i.item.subject else ''}"
        if i.status == "missing":
            verdict.reasons.append(f"{label}: no result")
        elif i.status != "passed" and i.blocking:
            verdict.reasons.append(f"{label} {i.status} ({i.item.severity}): {i.reason}")
        elif i.status != "passed":
            verdict.warnings.append(f"{label} {i.status} ({i.item.severity}): {i.reason}")
    if verdict.reasons:
        verdict.decision, verdict.exit_code = NO_GO, 1
    return verdict
