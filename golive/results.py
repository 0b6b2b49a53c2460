"""Reading a run back from its files: the plan and the Allure results.

The plan (``plan.json``, written at collection) says which items the run was meant to
check; the Allure results say what happened to each. The gate needs both: an item of the
plan with no result is "missing", never a pass; a result file that cannot be read makes
the run impossible to judge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HarnessError, TargetError


def _target_errors() -> tuple[str, ...]:
    """The names of every ``TargetError`` (golive/errors.py's hierarchy, and the answer
    reader's ``UnexpectedAnswer``): a result whose failure is one of them is "environment
    unreachable". Read from the classes, so a new kind cannot be left out."""
    from . import answers  # noqa: F401  (defines UnexpectedAnswer, a TargetResponseError)

    found, todo = [], [TargetError]
    while todo:
        cls = todo.pop()
        found.append(cls.__name__)
        todo += cls.__subclasses__()
    return tuple(sorted(set(found) - {"TargetError"}))


ENVIRONMENT_ERRORS = _target_errors()
_EXC_PREFIX = re.compile(
    r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Failed|Refused|Unreachable|"
    r"Skipped|" + "|".join(ENVIRONMENT_ERRORS) + r")|Failed|Skipped): "
)


class ResultsError(HarnessError):
    """A run folder whose files cannot be trusted (missing plan, corrupt result)."""


@dataclass(frozen=True)
class Planned:
    id: str
    title: str
    severity: str
    checklist: str
    feature: str
    file: str
    line: int
    subject: str
    mutating: bool
    manual: bool
    pack: str = ""  # the checklist pack's name (plan.json), "" before packs

    @property
    def key(self) -> str:
        return f"{self.id}|{self.subject}"


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str  # passed | failed | broken | skipped
    reason: str
    category: str  # "" | product defect | environment unreachable | harness error | not run
    uuid: str
    start: int
    stop: int
    test_case_id: str = ""


def read_plan(run_dir: Path) -> list[Planned]:
    path = run_dir / "plan.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        fields = Planned.__dataclass_fields__
        return [Planned(**{k: v for k, v in item.items() if k in fields}) for item in raw["items"]]
    except FileNotFoundError:
        raise ResultsError(
            f"{path}: no plan: the run never finished collecting its checks"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResultsError(f"{path}: not a golive plan ({exc})") from None


def read_outcomes(results_dir: Path) -> dict[str, Outcome]:
    """Every ``*-result.json`` with a golive ID label, by item key. Later results of the
    same key win (pytest reruns)."""
    outcomes: dict[str, Outcome] = {}
    if not results_dir.is_dir():
        return outcomes
    for path in sorted(results_dir.glob("*-result.json")):
        # Valid JSON of the wrong shape (a list, a string where an object belongs, a
        # timestamp that is not a number) is as corrupt as a truncated file.
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            labels = {lab["name"]: lab["value"] for lab in raw.get("labels", [])}
            status = raw["status"]
            if "golive_id" not in labels:
                continue
            subject = labels.get("golive_subject", "-")
            key = f"{labels['golive_id']}|{'' if subject == '-' else subject}"
            message = (raw.get("statusDetails") or {}).get("message") or ""
            outcome = Outcome(
                key=key,
                status=status,
                reason=reason_of(message),
                category=category_of(status, message),
                uuid=raw.get("uuid", ""),
                start=int(raw.get("start") or 0),
                stop=int(raw.get("stop") or 0),
                test_case_id=str(raw.get("testCaseId") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ResultsError(f"{path}: corrupt Allure result ({exc})") from None
        if key not in outcomes or outcomes[key].stop <= outcome.stop:
            outcomes[key] = outcome
    return outcomes


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def reason_of(message: str) -> str:
    """The failure message without the exception's type name, on one line, with colour
    codes dropped and other control characters shown as ``\\xNN``: a target's text must
    not steer the terminal (or forge a line) where the verdict is printed."""
    first = message.strip().split("\n\n")[0].strip()
    first = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", _ANSI.sub("", first))
    return " ".join(_EXC_PREFIX.sub("", first).split())


def category_of(status: str, message: str) -> str:
    if status == "passed":
        return ""
    if status == "failed":
        return "product defect"
    if status == "skipped":
        return "not run"
    head = message.split(":", 1)[0]
    if any(name in head for name in ENVIRONMENT_ERRORS):
        return "environment unreachable"
    return "harness error"
