"""The signoff: what a release manager reads, in three forms.

``signoff.json`` for machines (schema ``golive.signoff/1``, described in
docs/signoff.md), ``signoff.md`` for a pull-request or ticket comment, and
``signoff.html``, one printable page: the verdict first with why, then the run's facts and
counts, then every checklist item with its status, reason and a link to its evidence in
the Allure report. All three are written atomically, after the verdict is known.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import write_atomic
from .verdict import GO, Verdict

SCHEMA = "golive.signoff/1"
STATUS_MARK = {
    "passed": "PASS",
    "failed": "FAIL",
    "broken": "BROKEN",
    "skipped": "NOT RUN",
    "missing": "MISSING",
}


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


def document(info: RunInfo, verdict: Verdict, links: dict[str, str]) -> dict[str, Any]:
    """The signoff as data; ``links`` maps item keys to evidence URLs."""
    return {
        "schema": SCHEMA,
        "verdict": verdict.decision,
        "exit_code": verdict.exit_code,
        "reasons": verdict.reasons,
        "warnings": verdict.warnings,
        "run": info.__dict__,
        "counts": verdict.counts,
        "items": [
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
                "evidence": links.get(i.item.key, ""),
                "source": f"features/{i.item.file}:{i.item.line}",
            }
            for i in verdict.items
        ],
    }


def write(run_dir: Path, info: RunInfo, verdict: Verdict, links: dict[str, str]) -> dict[str, Any]:
    doc = document(info, verdict, links)
    write_atomic(run_dir / "signoff.json", json.dumps(doc, indent=2, ensure_ascii=False))
    write_atomic(run_dir / "signoff.md", markdown(doc))
    write_atomic(run_dir / "signoff.html", page(doc))
    return doc


def _why(doc: dict[str, Any]) -> list[str]:
    if doc["reasons"]:
        return list(doc["reasons"])
    return [f"every blocking item passed ({doc['counts']['passed']} checks passed)"]


def markdown(doc: dict[str, Any]) -> str:
    run, counts = doc["run"], doc["counts"]
    out = [f"## golive signoff: **{doc['verdict']}**", ""]
    out += [f"- {line}" for line in _why(doc)]
    out += [f"- warning: {w}" for w in doc["warnings"]]
    out += [
        "",
        f"Environment **{run['environment']}** ({run['tier']}), scenario "
        f"`{run['scenario']}`, run `{run['run_id']}` by {run['ran_by']}, "
        f"{run['started']} to {run['finished']}.",
        "",
        " · ".join(f"{k} {v}" for k, v in counts.items()),
        "",
        "| ID | Item | Subject | Severity | Status | Reason |",
        "|---|---|---|---|---|---|",
    ]
    for item in doc["items"]:
        reason = item["reason"].replace("|", "\\|")
        out.append(
            f"| {item['id']} | {item['title']} | {item['subject'] or '-'} | "
            f"{item['severity']} | {STATUS_MARK[item['status']]} | {reason} |"
        )
    return "\n".join(out) + "\n"


CSS = """
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1d1d1f}
h1{margin:0 0 4px;font-size:28px} .go{color:#0a7c2f} .nogo{color:#b3261e}
.banner{border:3px solid currentColor;padding:12px 16px;margin-bottom:16px}
.banner ul{margin:6px 0 0 18px;padding:0;color:#1d1d1f}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 12px}
dt{font-weight:600} dd{margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;page-break-inside:auto}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2} tr{page-break-inside:avoid}
.passed{color:#0a7c2f;font-weight:600} .failed,.broken,.missing{color:#b3261e;font-weight:600}
.skipped{color:#8a6d00;font-weight:600}
@page{size:A4;margin:12mm} @media print{body{margin:0} a{color:inherit}}
"""


def page(doc: dict[str, Any]) -> str:
    e = html.escape
    run, counts = doc["run"], doc["counts"]
    tone = "go" if doc["verdict"] == GO else "nogo"
    why = "".join(f"<li>{e(r)}</li>" for r in _why(doc))
    why += "".join(f"<li>warning: {e(w)}</li>" for w in doc["warnings"])
    facts = {
        "Environment": f"{run['environment']} ({run['tier']})",
        "Scenario": run["scenario"],
        "Run": run["run_id"],
        "Ran by": run["ran_by"],
        "Time": f"{run['started']} to {run['finished']}",
        "golive": run["golive_version"],
        "Checks": ", ".join(f"{v} {k}" for k, v in counts.items()),
    }
    if run.get("faults"):
        facts["Sandbox faults"] = ", ".join(run["faults"])
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in facts.items())
    sections = []
    for checklist in dict.fromkeys(i["checklist"] for i in doc["items"]):
        rows = []
        for i in (x for x in doc["items"] if x["checklist"] == checklist):
            evidence = f'<a href="{e(i["evidence"])}">evidence</a>' if i["evidence"] else ""
            rows.append(
                f"<tr><td>{e(i['id'])}</td><td>{e(i['title'])}</td>"
                f"<td>{e(i['subject'] or '-')}</td><td>{e(i['severity'])}</td>"
                f'<td class="{e(i["status"])}">{STATUS_MARK[i["status"]]}</td>'
                f"<td>{e(i['reason'])}</td><td>{evidence}</td></tr>"
            )
        sections.append(
            f"<h2>{e(checklist)}</h2><table><thead><tr><th>ID</th><th>Item</th><th>Subject</th>"
            f"<th>Severity</th><th>Status</th><th>Reason</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>golive signoff: {e(doc['verdict'])} ({e(run['environment'])})</title>"
        f"<style>{CSS}</style></head><body>"
        f'<div class="banner {tone}" data-testid="verdict"><h1>{e(doc["verdict"])}</h1>'
        f"<ul>{why}</ul></div><dl>{dl}</dl>{''.join(sections)}"
        f"<p>Approval: ____________________ (name, role, date)</p></body></html>"
    )
