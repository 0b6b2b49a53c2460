"""The signoff: what a release manager reads, in three forms.

``signoff.json`` for machines (schema ``golive.signoff/1``, described in
docs/signoff.md), ``signoff.md`` for a pull-request or ticket comment, and
``signoff.html``, one printable page: the verdict first with why, then the run's facts,
counts and what changed since the previous run of the same scenario, then every item with
its status, reason, waiver and a link to its evidence in the Allure report, and last the
approvals. All three are written atomically.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import read_json_object, write_atomic
from .verdict import GO, GO_WAIVED, Verdict

SCHEMA = "golive.signoff/1"
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
) -> dict[str, Any]:
    """The signoff as data; ``links`` maps item keys to evidence URLs. Approvals are not
    part of it (they come later, in approvals.jsonl), so its digest never changes."""
    items = [
        {
            "id": i.item.id,
            "title": i.item.title,
            "checklist": i.item.checklist,
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
    return {
        "schema": SCHEMA,
        "verdict": verdict.decision,
        "exit_code": verdict.exit_code,
        "reasons": verdict.reasons,
        "warnings": verdict.warnings,
        "run": asdict(info),
        "counts": verdict.counts,
        "changes": changes(previous, items),
        "items": items,
    }


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
            print(f"golive: warning: {path}: {problem}; not compared", file=sys.stderr)
            continue
        if doc["run"].get("scenario") == scenario and doc["run"].get("finished"):
            result: dict[str, Any] = doc
            return result
    return None


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
    doc = document(info, verdict, links, previous)
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
    for item in doc["items"]:
        reason = item["reason"].replace("|", "\\|")
        out.append(
            f"| {item['id']} | {item['title']} | {item['subject'] or '-'} | "
            f"{item['severity']} | {_status(item)} | {reason} |"
        )
    out.append("\nApprovals: `golive signoff approve|reject RUN_DIR` (see signoff.html).")
    return "\n".join(out) + "\n"


CSS = """
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1d1d1f}
h1{margin:0 0 4px;font-size:28px} .go{color:#0a7c2f} .nogo{color:#b3261e} .waived{color:#8a6d00}
.banner{border:3px solid currentColor;padding:12px 16px;margin-bottom:16px}
.banner ul{margin:6px 0 0 18px;padding:0;color:#1d1d1f}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 12px}
dt{font-weight:600} dd{margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;page-break-inside:auto}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2} tr{page-break-inside:avoid}
.passed{color:#0a7c2f;font-weight:600} .failed,.broken,.missing{color:#b3261e;font-weight:600}
.skipped{color:#8a6d00;font-weight:600} .forged{color:#b3261e;text-decoration:line-through}
@page{size:A4;margin:12mm} @media print{body{margin:0;font-size:11px} a{color:inherit}}
"""


def page(doc: dict[str, Any], approvals: list[dict[str, Any]]) -> str:
    e = html.escape
    run, counts = doc["run"], doc["counts"]
    tone = {GO: "go", GO_WAIVED: "waived"}.get(doc["verdict"], "nogo")
    why = "".join(f"<li>{e(r)}</li>" for r in _why(doc))
    why += "".join(f"<li>warning: {e(w)}</li>" for w in doc["warnings"])
    facts = {
        "Environment": f"{run['environment']} ({run['tier']})",
        "Scenario": run["scenario"],
        "Run": run["run_id"],
        "Ran by": run["ran_by"],
        "Time": f"{run['started']} to {run['finished'] or '(not finished)'}",
        "golive": run["golive_version"],
        "Checks": ", ".join(f"{v} {k}" for k, v in counts.items()),
        "Changes": " ".join(_change_lines(doc)),
    }
    if run.get("faults"):
        facts["Sandbox faults"] = ", ".join(run["faults"])
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in facts.items())
    sections = []
    for checklist in dict.fromkeys(i["checklist"] for i in doc["items"]):
        rows = []
        for i in (x for x in doc["items"] if x["checklist"] == checklist):
            evidence = f'<a href="{e(i["evidence"])}">evidence</a>' if i["evidence"] else ""
            waiver = i["waiver"]
            waived = (
                f"{e(waiver['reason'])} ({e(waiver['approved_by'])}, until {e(waiver['expires'])})"
                if waiver
                else ""
            )
            rows.append(
                f"<tr><td>{e(i['id'])}</td><td>{e(i['title'])}</td>"
                f"<td>{e(i['subject'] or '-')}</td><td>{e(i['severity'])}</td>"
                f'<td class="{e(i["status"])}">{_status(i)}</td>'
                f"<td>{e(i['reason'])}</td><td>{waived}</td><td>{evidence}</td></tr>"
            )
        sections.append(
            f"<h2>{e(checklist)}</h2><table><thead><tr><th>ID</th><th>Item</th><th>Subject</th>"
            f"<th>Severity</th><th>Status</th><th>Reason</th><th>Waiver</th><th></th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )
    listed = "".join(
        (
            '<li class="forged">FORGED, not an approval (no valid signature): '
            if a.get("state") == "forged"
            else "<li>"
        )
        + f"{e(a['action'])} by {e(a['by'])} ({e(a['role'])}) at {e(a['at'])}"
        f"{': ' + e(a['comment']) if a['comment'] else ''}</li>"
        for a in approvals
    )
    signed = f"<ul>{listed}</ul>" if listed else "<p>No approval recorded yet.</p>"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>golive signoff: {e(doc['verdict'])} ({e(run['environment'])})</title>"
        f"<style>{CSS}</style></head><body>"
        f'<div class="banner {tone}" data-testid="verdict"><h1>{e(doc["verdict"])}</h1>'
        f"<ul>{why}</ul></div><dl>{dl}</dl>{''.join(sections)}"
        f'<h2>Approvals</h2><div data-testid="approvals">{signed}</div></body></html>'
    )
