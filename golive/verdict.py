"""The verdict: GO, GO WITH WAIVERS or NO-GO, and whether the run could be judged at all.

Rules, in order:

1. Exit 2, "could not be judged": the plan is missing or unreadable, a result file is
   corrupt, results exist that the plan does not know (left over from another run), or
   pytest itself stopped (interrupted, internal error, usage error).
2. NO-GO (exit 1) when any of these holds:
   - zero items planned, or fewer concluded (passed or failed) than ``policy.min_checks``:
     broken, not run and missing items are not checks that concluded;
   - a ``policy.required`` ID did not run;
   - an item failed whose severity is in ``policy.blocking_severities``;
   - an item broke, was not run or has no result (whatever its severity, unless
     ``policy.unchecked_blocks`` is false: then by severity, like a failure);
   and no valid waiver covers it. A waiver is valid when it is approved and not expired;
   an invalid one is listed as a warning and changes nothing. A waiver covers a failure
   only; an item that could not conclude (broken, not run, missing) only when the waiver
   says ``covers: not_checked``, and it is shown as waived *not checked*.
3. Otherwise GO (exit 0), "GO WITH WAIVERS" when a waiver was applied. Non-blocking
   failures are listed as warnings; nothing is hidden.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import Policy, Waiver
from .files import read_json_object
from .results import Outcome, Planned

GO, GO_WAIVED, NO_GO, UNJUDGED = "GO", "GO WITH WAIVERS", "NO-GO", "NO-GO (could not be judged)"
PYTEST_STOPPED = {2: "interrupted", 3: "internal error", 4: "usage error"}
UNCHECKED = ("broken", "skipped", "missing")


@dataclass(frozen=True)
class ItemVerdict:
    item: Planned
    status: str  # passed | failed | broken | skipped | missing
    reason: str
    category: str
    blocking: bool
    waiver: Waiver | None = None

    @property
    def label(self) -> str:
        return f"{self.item.id}{f' [{self.item.subject}]' if self.item.subject else ''}"


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
        out = {s: counted.get(s, 0) for s in ("passed", "failed", "broken", "skipped", "missing")}
        out["waived"] = sum(1 for i in self.items if i.waiver is not None)
        return out


def waiver_problem(waiver: Waiver, today: date) -> str | None:
    if not waiver.approved_by.strip():
        return "not approved"
    if waiver.expires < today:
        return f"expired on {waiver.expires.isoformat()}"
    return None


def _covering(item: Planned, status: str, waivers: list[Waiver]) -> Waiver | None:
    """The waiver that accepts this item's status: a failure, or (``covers: not_checked``)
    an item that could not conclude. A passed item needs none."""
    wanted = {"failed": "failed", "broken": "not_checked", "skipped": "not_checked"}
    covers = wanted.get(status, "not_checked" if status == "missing" else None)
    return next(
        (
            w
            for w in waivers
            if w.id == item.id and w.subject in (None, item.subject) and w.covers == covers
        ),
        None,
    )


def judge(
    plan: list[Planned],
    outcomes: dict[str, Outcome],
    policy: Policy,
    pytest_exit: int | None = None,
    waivers: list[Waiver] | None = None,
    *,
    today: date,
) -> Verdict:
    """Judge a run's plan from its outcomes. ``today`` is the run's reference date
    (golive/clock.py), never the clock's: a waiver's expiry is judged as of the run."""
    valid, warnings = [], []
    for w in waivers or []:
        problem = waiver_problem(w, today)
        if problem:
            warnings.append(
                f"waiver for {w.id}{f' [{w.subject}]' if w.subject else ''} {problem}: not applied"
            )
        else:
            valid.append(w)

    items: list[ItemVerdict] = []
    for planned in plan:
        outcome = outcomes.get(planned.key)
        status, reason, category = (
            (outcome.status, outcome.reason, outcome.category)
            if outcome is not None
            else ("missing", "no result was recorded for this item", "harness error")
        )
        severe = planned.severity in policy.blocking_severities
        blocks = status != "passed" and (
            severe or (status in UNCHECKED and policy.unchecked_blocks)
        )
        waiver = _covering(planned, status, valid)
        items.append(
            ItemVerdict(planned, status, reason, category, blocks and waiver is None, waiver)
        )
    verdict = Verdict(GO, 0, warnings=warnings, items=items)

    strangers = sorted(set(outcomes) - {p.key for p in plan})
    if pytest_exit in PYTEST_STOPPED:
        verdict.reasons.append(
            f"the test run stopped: pytest {PYTEST_STOPPED[pytest_exit]} (exit {pytest_exit})"
        )
    if strangers:
        verdict.reasons.append(f"results that this run did not plan: {', '.join(strangers)}")
    if verdict.reasons:
        verdict.decision, verdict.exit_code = UNJUDGED, 2
        return verdict

    concluded = [i for i in items if i.status in ("passed", "failed")]
    if not plan:
        verdict.reasons.append("zero checks were planned")
    elif len(concluded) < policy.min_checks:
        verdict.reasons.append(
            f"{len(concluded)} checks concluded (passed or failed); the policy needs at least"
            f" {policy.min_checks}"
        )
    ran_ids = {i.item.id for i in concluded}
    for pattern in policy.required:
        if not any(fnmatchcase(i, pattern) for i in ran_ids):
            verdict.reasons.append(f"required {pattern} did not run")
    used = set()
    for i in items:
        what = f"{i.label} {i.status} ({i.item.severity}): {i.reason}"
        if i.blocking:
            verdict.reasons.append(f"{i.label}: no result" if i.status == "missing" else what)
        elif i.waiver is not None:
            used.add(id(i.waiver))
            as_what = " as not checked" if i.waiver.covers == "not_checked" else ""
            warnings.append(
                f"{what} -- waived{as_what} by {i.waiver.approved_by} until"
                f" {i.waiver.expires.isoformat()}: {i.waiver.reason}"
            )
        elif i.status != "passed":
            warnings.append(what)
    for w in valid:
        if id(w) not in used:
            warnings.append(
                f"waiver for {w.id}{f' [{w.subject}]' if w.subject else ''} matched no failing item"
            )
    if verdict.reasons:
        verdict.decision, verdict.exit_code = NO_GO, 1
    elif used:
        verdict.decision = GO_WAIVED
    return verdict


def policy_from(raw: dict[str, Any] | None) -> Policy:
    return Policy.model_validate(raw or {})


def run_finished(raw: dict[str, Any]) -> str | None:
    """Why run.json says the run did not finish, or None when it did."""
    if raw.get("pytest_exit") is None or not raw.get("finished"):
        return "the run did not finish (run.json has no pytest exit or no finish time)"
    return None


def judge_dir(run_dir: Path, raw: dict[str, Any] | None = None) -> Verdict:
    """Judge a run folder from its files (run.json, plan.json, allure-results), as the
    gate does. A run that did not finish cannot be judged, whatever its results say."""
    from . import clock
    from .results import ResultsError, read_outcomes, read_plan

    if raw is None:
        raw = read_json_object(
            run_dir / "run.json",
            f"{run_dir}: not a golive run folder (no run.json)",
            "a golive run record",
        )
    reasons = []
    unfinished = run_finished(raw)
    if unfinished:
        reasons.append(unfinished)
    try:
        plan = read_plan(run_dir)
        outcomes = read_outcomes(run_dir / "allure-results")
        waivers = [Waiver.model_validate(w) for w in raw.get("waivers") or []]
        policy = policy_from(raw.get("policy"))
        # judged as of the run's reference time: a waiver valid when the run ran stays so
        started = clock.parse(raw["started"]) if raw.get("started") else clock.now()
    except ResultsError as exc:
        return Verdict(UNJUDGED, 2, reasons=[*reasons, str(exc)])
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        problem = f"{exc.title.lower()}{f'.{where}' if where else ''}: {err['msg']}"
        return Verdict(UNJUDGED, 2, reasons=[*reasons, f"{run_dir / 'run.json'}: {problem}"])
    except (ValueError, TypeError, AttributeError) as exc:
        return Verdict(UNJUDGED, 2, reasons=[*reasons, f"{run_dir / 'run.json'}: {exc}"])
    verdict = judge(plan, outcomes, policy, raw.get("pytest_exit"), waivers, today=started.date())
    if reasons:
        verdict.reasons[:0] = reasons
        verdict.decision, verdict.exit_code = UNJUDGED, 2
    return verdict
