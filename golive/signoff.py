"""The signoff: what a release manager reads, in three forms.

``signoff.json`` for machines (schema ``golive.signoff/1``: the models of
golive/signoff_schema.py write it; docs/signoff.schema.json is generated from them),
``signoff.md`` for a pull-request or ticket comment, and ``signoff.html``
(templates/signoff.html.j2), one printable page, summary first: the verdict and what
blocks it, the approvals and how to record one, a bar per checklist and the trend of this
scenario's runs; then the blocking items, the warnings, and the rest by checklist in ID
order, each with its reason, waiver and a link to its evidence in the Allure report. All
three are written atomically.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jinja2

from .errors import InputError
from .files import read_json_object, write_atomic
from .signoff_schema import SCHEMA, Signoff
from .verdict import GO, GO_WAIVED, Verdict

STATUS_MARK = {
    "passed": "PASS",
    "failed": "FAIL",
    "broken": "BROKEN",
    "skipped": "NOT RUN",
    "missing": "MISSING",
}
APPROVALS = "approvals.jsonl"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    scenario: str
    environment: str
    tier: str
    started: str
    finished: str
    golive_version: str
    ran_by: str
    faults: list[str]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunInfo:
        fields = cls.__dataclass_fields__
        return cls(**{k: raw.get(k, [] if k == "faults" else "") for k in fields})


def document(
    info: RunInfo,
    verdict: Verdict,
    links: dict[str, str],
    previous: dict[str, Any] | None = None,
    checklists: list[dict[str, Any]] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The signoff as data; ``links`` maps item keys to evidence URLs, ``checklists`` gives
    each checklist's title and description (plan.json's), ``history`` this scenario's
    earlier runs, newest first. Approvals are not part of it (they come later, in
    approvals.jsonl), so its digest never changes."""
    items = [
        {
            "id": i.item.id,
            "title": i.item.title,
            "checklist": i.item.checklist,
            "pack": i.item.pack,
            "feature": i.item.feature,
            "subject": i.item.subject,
            "severity": i.item.severity,
            "status": i.status,
            "reason": i.reason,
            "category": i.category,
            "blocking": i.blocking,
            "waiver": i.waiver.model_dump(mode="json") if i.waiver else None,
            "evidence": links.get(i.item.key, ""),
            "source": f"features/{i.item.file}:{i.item.line}",
        }
        for i in verdict.items
    ]
    doc = {
        "schema": SCHEMA,
        "verdict": verdict.decision,
        "exit_code": verdict.exit_code,
        "reasons": verdict.reasons,
        "warnings": verdict.warnings,
        "run": asdict(info),
        "counts": verdict.counts,
        "changes": changes(previous, items),
        "checklists": _described(checklists or [], items),
        "history": history or [],
        "items": items,
    }
    # written through the models the published schema is generated from
    return Signoff.model_validate(doc).dump()


def _described(checklists: list[dict[str, Any]], items: list[dict[str, Any]]) -> list[Any]:
    """Each checklist of the run once, in plan order: its pack's name, title, description
    and whether it applies, as plan.json gives them, else the title its items carry. A
    checklist that applies but has no item in this run (not selected) is left out."""
    out: dict[str, dict[str, Any]] = {c["title"]: dict(c) for c in checklists if c.get("title")}
    for i in sorted(items, key=id_order):
        out.setdefault(i["checklist"], {"name": i["pack"], "title": i["checklist"]})
    return [
        {
            "name": str(c.get("name", "")),
            "title": str(c["title"]),
            "description": str(c.get("description", "")),
            "applicable": bool(c.get("applicable", True)),
            "missing_systems": [str(s) for s in c.get("missing_systems") or []],
        }
        for c in out.values()
        if any(i["checklist"] == c["title"] for i in items) or not c.get("applicable", True)
    ]


def _history_entry(doc: dict[str, Any]) -> dict[str, Any]:
    run = doc.get("run") or {}
    counts = doc.get("counts") or {}
    return {
        "run_id": str(run.get("run_id", "")),
        "started": str(run.get("started", "")),
        "verdict": str(doc.get("verdict", "")),
        "counts": {k: int(counts.get(k, 0)) for k in (*STATUS_MARK, "waived")},
    }


def read_checklists(run_dir: Path) -> list[dict[str, Any]]:
    """plan.json's ``checklists`` (each pack's name, title, description, whether it
    applies and the systems it lacks), or none."""
    try:
        raw = json.loads((run_dir / "plan.json").read_text("utf-8")).get("checklists") or []
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(raw, list):
        return []
    return [
        {
            **{k: str(c.get(k) or "") for k in ("name", "title", "description")},
            "applicable": c.get("applicable") is not False,
            "missing_systems": [str(s) for s in c.get("missing_systems") or []],
        }
        for c in raw
        if isinstance(c, dict) and c.get("title")
    ]


def changes(previous: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Newly failing, fixed and still failing items against the previous run."""
    if previous is None:
        return {"previous_run": None, "newly_failing": [], "fixed": [], "still_failing": []}

    def key(i: dict[str, Any]) -> str:
        subject = i["subject"]
        return f"{i['id']} [{subject}]" if subject else str(i["id"])

    before = {key(i): i["status"] == "passed" for i in previous.get("items", [])}
    now = {key(i): i["status"] == "passed" for i in items}
    common = sorted(set(before) & set(now))
    return {
        "previous_run": previous.get("run", {}).get("run_id"),
        "newly_failing": [k for k in common if before[k] and not now[k]],
        "fixed": [k for k in common if not before[k] and now[k]],
        "still_failing": [k for k in common if not before[k] and not now[k]],
    }


def previous_signoff(reports_root: Path, current: str, scenario: str) -> dict[str, Any] | None:
    """The newest finished signoff of the same scenario before ``current``. A folder whose
    signoff.json cannot be read as one (truncated, a JSON list, items of the wrong shape)
    is passed over with a warning on stderr: an old folder does not decide this run."""
    return next(earlier_signoffs(reports_root, current, scenario), None)


def earlier_signoffs(
    reports_root: Path, current: str, scenario: str, warn: bool = True
) -> Iterator[dict[str, Any]]:
    """The finished signoffs of the same scenario before ``current``, newest first."""
    for folder in sorted((p for p in reports_root.iterdir() if p.is_dir()), reverse=True):
        if folder.name >= current or folder.is_symlink() or not (folder / "signoff.json").exists():
            continue
        path = folder / "signoff.json"
        try:
            doc = json.loads(path.read_text("utf-8"))
            problem = _previous_problem(doc)
        except (OSError, ValueError) as exc:
            problem = f"corrupt ({exc})"
        if problem:
            if warn:
                print(f"golive: warning: {path}: {problem}; not compared", file=sys.stderr)
            continue
        if doc["run"].get("scenario") == scenario and doc["run"].get("finished"):
            yield doc


def history_of(reports_root: Path, current: str, scenario: str) -> list[dict[str, Any]]:
    """This scenario's runs before ``current``, newest first, as the trend shows them."""
    if not reports_root.is_dir():
        return []
    found = earlier_signoffs(reports_root, current, scenario, warn=False)
    return [_history_entry(doc) for doc in itertools.islice(found, TREND_RUNS - 1)]


def _previous_problem(doc: Any) -> str | None:
    """What keeps an earlier signoff from being compared with (``changes``)."""
    if not isinstance(doc, dict):
        return f"not a golive signoff (a JSON {type(doc).__name__})"
    if not isinstance(doc.get("run"), dict):
        return "not a golive signoff (run: expected an object)"
    items = doc.get("items", [])
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and all(isinstance(i.get(k), str) for k in ("id", "subject", "status"))
        for i in items
    ):
        return "not a golive signoff (items: expected items with id, subject and status)"
    return None


def read_signoff(run_dir: Path) -> dict[str, Any]:
    """``signoff.json`` as written by golive, or ``InputError`` saying what is wrong."""
    path = run_dir / "signoff.json"
    doc = read_json_object(
        path, f"{path}: no signoff: not a finished golive run", "a golive signoff"
    )
    problem = _signoff_problem(doc)
    if problem:
        raise InputError(f"{path}: not a golive signoff ({problem})")
    result: dict[str, Any] = doc
    return result


def _signoff_problem(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return f"a JSON {type(doc).__name__}, expected an object"
    shapes = {
        "verdict": str,
        "exit_code": int,
        "reasons": list,
        "warnings": list,
        "run": dict,
        "counts": dict,
        "changes": dict,
        "items": list,
    }
    for key, kind in shapes.items():
        if not isinstance(doc.get(key), kind):
            return f"{key}: expected a JSON {kind.__name__}"
    for n, item in enumerate(doc["items"]):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("id", "subject", "status", "severity")
        ):
            return f"items.{n}: expected an item with id, subject, status and severity"
        if item["status"] not in STATUS_MARK:
            return f"items.{n}.status: unknown status {item['status']!r}"
    return None


def read_approvals(run_dir: Path) -> list[dict[str, Any]]:
    """The approvals log, one JSON object a line; a line that is not one (truncated,
    edited) is ``InputError`` naming the file and line."""
    path = run_dir / APPROVALS
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not all(
            isinstance(record.get(k), str) for k in ("action", "by", "role", "at")
        ):
            raise InputError(
                f"{path}:{n}: not an approval record (a truncated or edited line);"
                " the approvals cannot be read"
            )
        record.setdefault("comment", "")
        out.append(record)
    return out


def write(
    run_dir: Path,
    info: RunInfo,
    verdict: Verdict,
    links: dict[str, str],
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    history = history_of(run_dir.parent, run_dir.name, info.scenario)
    doc = document(info, verdict, links, previous, read_checklists(run_dir), history)
    write_atomic(run_dir / "signoff.json", json.dumps(doc, indent=2, ensure_ascii=False))
    write_atomic(run_dir / "signoff.md", markdown(doc))
    render_page(run_dir)
    return doc


def render_page(run_dir: Path, approvals: list[dict[str, Any]] | None = None) -> str:
    """(Re)write signoff.html from signoff.json and the approvals (as checked by
    golive.integrity: each may carry ``state`` "forged"); return the page."""
    doc = read_signoff(run_dir)
    text = page(doc, read_approvals(run_dir) if approvals is None else approvals)
    write_atomic(run_dir / "signoff.html", text)
    return text


def _why(doc: dict[str, Any]) -> list[str]:
    if doc["reasons"]:
        return list(doc["reasons"])
    return [f"every blocking item passed or is waived ({doc['counts']['passed']} passed)"]


def _status(item: dict[str, Any]) -> str:
    waiver = item.get("waiver")
    if not waiver:
        return STATUS_MARK[item["status"]]
    if waiver.get("covers") == "not_checked":
        return f"WAIVED: NOT CHECKED ({STATUS_MARK[item['status']]})"
    return "WAIVED"


def _change_lines(doc: dict[str, Any]) -> list[str]:
    ch = doc["changes"]
    if not ch["previous_run"]:
        return ["First run of this scenario here: nothing to compare with."]
    listed = {k: ", ".join(ch[k]) or "none" for k in ("newly_failing", "fixed", "still_failing")}
    return [
        f"Since run {ch['previous_run']}: newly failing: {listed['newly_failing']};"
        f" fixed: {listed['fixed']}; still failing: {listed['still_failing']}."
    ]


def markdown(doc: dict[str, Any]) -> str:
    run, counts = doc["run"], doc["counts"]
    out = [f"## golive signoff: **{doc['verdict']}**", ""]
    out += [f"- {line}" for line in _why(doc)]
    out += [f"- warning: {w}" for w in doc["warnings"]]
    out += [
        "",
        f"Environment **{run['environment']}** ({run['tier']}), scenario "
        f"`{run['scenario']}`, run `{run['run_id']}` by {run['ran_by']}, "
        f"{run['started']} to {run['finished'] or '(not finished)'}.",
        "",
        " · ".join(f"{k} {v}" for k, v in counts.items()),
        "",
        *_change_lines(doc),
        "",
        "| ID | Item | Subject | Severity | Status | Reason |",
        "|---|---|---|---|---|---|",
    ]
    for item in sorted(doc["items"], key=lambda i: (not i["blocking"], i["status"] == "passed")):
        reason = split_subject(item["subject"], item["reason"])[1].replace("|", "\\|")
        out.append(
            f"| {item['id']} | {item['title']} | {item['subject'] or '-'} | "
            f"{item['severity']} | {_status(item)} | {reason} |"
        )
    out.append("\nApprovals: `golive signoff approve|reject RUN_DIR` (see signoff.html).")
    return "\n".join(out) + "\n"


PAGE = "signoff.html.j2"
BUCKETS = (
    ("passed", "passed"),
    ("failed", "failed"),
    ("broken", "broken"),
    ("not run", "not-run"),
    ("waived", "waived"),
    ("not applicable", "not-applicable"),
)
TREND_RUNS = 10  # the trend shows this scenario's last runs, this one included
TREND_STEP = 44  # px from one run's column to the next


def bucket(item: dict[str, Any]) -> str:
    """The segment of its checklist's bar an item counts in."""
    if item.get("waiver"):
        return "waived"
    status = str(item["status"])
    if status in ("skipped", "missing"):
        return "not run"
    return status if status in ("passed", "failed", "broken") else "not applicable"


def id_order(item: dict[str, Any]) -> tuple[str, int, str, str]:
    """Checklist ID order: MTP-2 before MTP-10, then by subject."""
    prefix, _, number = str(item["id"]).rpartition("-")
    return (prefix, int(number) if number.isdigit() else 0, str(item["id"]), item["subject"])


def anchor(item: dict[str, Any]) -> str:
    raw = f"{item['id']}--{item['subject']}" if item["subject"] else str(item["id"])
    return "item-" + re.sub(r"[^A-Za-z0-9_-]", "_", raw)


def split_subject(subject: str, reason: str) -> tuple[str, str]:
    """A reason names its subject first (``TP-1003 (Smith-Sanchez): no buyers ...``); the
    row shows the subject once, in its own column: (the subject's name, the rest)."""
    if not subject or not reason.startswith(subject):
        return "", reason
    m = re.match(r"(?: \(([^()]*)\))?: ", reason[len(subject) :])
    if m is None:
        return "", reason
    return m.group(1) or "", reason[len(subject) + m.end() :]


def _label(item: dict[str, Any]) -> str:
    return f"{item['id']} [{item['subject']}]" if item["subject"] else str(item["id"])


def _row(item: dict[str, Any]) -> dict[str, Any]:
    name, rest = split_subject(item["subject"], item["reason"])
    tone = "waived" if item.get("waiver") else item["status"]
    return {
        **item,
        "anchor": anchor(item),
        "label": _label(item),
        "subject_name": name,
        "short_reason": rest,
        "mark": _status(item),
        "tone": tone,
    }


def _buckets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counted = Counter(bucket(r) for r in rows)
    return [
        {
            "name": name,
            "css": css,
            "count": counted[name],
            "percent": round(100 * counted[name] / len(rows), 2) if rows else 0,
        }
        for name, css in BUCKETS
    ]


def _trend(doc: dict[str, Any]) -> list[dict[str, Any]]:
    runs = [*reversed(doc.get("history") or []), _history_entry(doc)][-TREND_RUNS:]
    out = []
    for n, r in enumerate(runs):
        counts = r.get("counts") or {}
        total = sum(int(counts.get(k, 0)) for k in STATUS_MARK) or 1
        passed = int(counts.get("passed", 0))
        failed = int(counts.get("failed", 0))
        height = 52
        # what did not pass is never too thin to see: one failure in 110 still shows
        failed_h = round(max(height * failed / total, 4 if failed else 0), 1)
        other = total - passed - failed
        other_h = round(max(height * other / total, 4 if other else 0), 1)
        passed_h = round(height - failed_h - other_h, 1) if passed else 0.0
        verdict = str(r.get("verdict", ""))
        tone = {GO: "#0a6b2a", GO_WAIVED: "#7a5c00"}.get(verdict, "#b3261e")
        out.append(
            {
                "x": n * TREND_STEP,
                "run_id": r.get("run_id", ""),
                "verdict": verdict,
                "short": "GO" if verdict in (GO, GO_WAIVED) else "NO-GO",
                "color": tone,
                "passed": passed,
                "total": total,
                "passed_h": passed_h,
                "failed_h": failed_h,
                "other_h": other_h,
            }
        )
    return out


def _by_item(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the same item (one a subject, in ID order) as one group an item."""
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        group = groups.setdefault(
            r["id"], {"id": r["id"], "title": r["title"], "severity": r["severity"], "rows": []}
        )
        group["rows"].append(r)
    return list(groups.values())


def _context(doc: dict[str, Any], approvals: list[dict[str, Any]]) -> dict[str, Any]:
    rows = sorted((_row(i) for i in doc["items"]), key=id_order)
    blocking = [r for r in rows if r["blocking"]]
    warning_items = [r for r in rows if not r["blocking"] and r["status"] != "passed"]
    shown = {r["anchor"] for r in blocking + warning_items}
    labels = tuple(f"{r['label']}{sep}" for r in blocking for sep in (" ", ":"))
    other_reasons = [r for r in doc["reasons"] if not r.startswith(labels)]
    item_labels = tuple(f"{r['label']} " for r in warning_items)
    loose_warnings = [w for w in doc["warnings"] if not w.startswith(item_labels)]
    described = {c["title"]: c for c in doc.get("checklists") or []}
    checklists = []
    titles = list(dict.fromkeys([*described, *(r["checklist"] for r in rows)]))
    for title in titles:
        mine = [r for r in rows if r["checklist"] == title]
        about = described.get(title, {})
        if not mine and about.get("applicable", True):
            continue
        buckets = _buckets(mine)
        if not mine:  # a pack the scenario selected but cannot run: its whole bar
            buckets = [
                {**b, "count": 1, "percent": 100} if b["name"] == "not applicable" else b
                for b in buckets
            ]
        checklists.append(
            {
                "title": title,
                "description": about.get("description", ""),
                "applicable": about.get("applicable", True),
                "missing": ", ".join(about.get("missing_systems") or []),
                "anchor": "checklist-" + re.sub(r"[^A-Za-z0-9_-]", "_", title),
                "buckets": buckets,
                "spoken": ", ".join(f"{b['count']} {b['name']}" for b in buckets if b["count"]),
                "passed": sum(1 for r in mine if r["status"] == "passed"),
                "total": len(mine),
                "rest": _by_item([r for r in mine if r["anchor"] not in shown]),
            }
        )
    counts = doc["counts"]
    total = sum(int(counts.get(k, 0)) for k in STATUS_MARK)
    headline = (
        f"{len(blocking)} blocking item{'s' if len(blocking) != 1 else ''}"
        f" · {counts.get('passed', 0)} of {total} passed"
        f" · {len(warning_items) + len(loose_warnings)} warning"
        f"{'s' if len(warning_items) + len(loose_warnings) != 1 else ''}"
    )
    if not doc["reasons"]:
        headline = f"Every blocking item passed or is waived · {headline}"
    trend = _trend(doc)
    totals = Counter(bucket(r) for r in rows)
    totals["not applicable"] += sum(1 for c in checklists if not c["applicable"])
    return {
        "doc": doc,
        "run": doc["run"],
        "tone": {GO: "go", GO_WAIVED: "waived"}.get(doc["verdict"], "nogo"),
        "headline": headline,
        "blocking": blocking,
        "other_reasons": other_reasons,
        "warning_items": warning_items,
        "loose_warnings": loose_warnings,
        "checklists": checklists,
        "buckets": BUCKETS,
        "totals": {name: totals[name] for name, _ in BUCKETS},
        "trend": trend,
        "trend_width": max(len(trend) * TREND_STEP, TREND_STEP),
        "trend_spoken": "; ".join(
            f"{t['run_id']}: {t['verdict']}, {t['passed']} of {t['total']} passed" for t in trend
        ),
        "changes_line": " ".join(_change_lines(doc)),
        "approvals": approvals,
        "approvable": doc["verdict"] in (GO, GO_WAIVED),
        "run_dir": f"reports/{doc['run']['run_id']}",
    }


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("golive", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def page(doc: dict[str, Any], approvals: list[dict[str, Any]]) -> str:
    """signoff.html from signoff.json and the approvals: a function of those two only, so
    ``golive verify`` can tell whether the page on disk is what they render."""
    approvals = [{"state": "", "comment": "", **a} for a in approvals]
    return _templates().get_template(PAGE).render(_context(doc, approvals))
