"""The models that write ``signoff.json`` (schema ``golive.signoff/1``), its published JSON
Schema (``docs/signoff.schema.json``) and the field table of docs/signoff.md.

``golive.signoff.document`` builds a :class:`Signoff` and writes what it dumps, so the
schema generated from these models is the file's shape, not a description beside it.
``python -m golive.signoff_schema`` rewrites both documents; tests/unit/test_signoff_schema.py
fails when either has drifted from the models.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "golive.signoff/1"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "docs" / "signoff.schema.json"
DOC_FILE = ROOT / "docs" / "signoff.md"
TABLE_START = "<!-- fields: generated from golive/signoff_schema.py; do not edit -->"
TABLE_END = "<!-- end of fields -->"

Status = Literal["passed", "failed", "broken", "skipped", "missing"]
Decision = Literal["GO", "GO WITH WAIVERS", "NO-GO", "NO-GO (could not be judged)"]
Category = Literal["", "product defect", "environment unreachable", "harness error", "not run"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RunFacts(_Model):
    """What ran, where, when and by whom."""

    run_id: str = Field(description="the run folder's name: start time and a random suffix")
    scenario: str = Field(description="the scenario file, as given to golive run")
    environment: str = Field(description="the scenario's environment name")
    tier: str = Field(description="test, staging or production")
    started: str = Field(description="UTC start, ISO 8601 (the run's reference time)")
    finished: str = Field(description="UTC end, ISO 8601; empty while the run has not finished")
    golive_version: str = Field(description="the version of golive that ran")
    ran_by: str = Field(description="GOLIVE_RAN_BY, the CI's actor, or the user")
    faults: list[str] = Field(description="sandbox faults injected, if any")


class Counts(_Model):
    """How many items ended in each status; `waived` counts items a waiver covers."""

    passed: int = Field(ge=0)
    failed: int = Field(ge=0)
    broken: int = Field(ge=0)
    skipped: int = Field(ge=0, description="not run")
    missing: int = Field(ge=0, description="planned, no result recorded")
    waived: int = Field(ge=0, description="covered by a valid waiver (any status)")


class Changes(_Model):
    """What changed since the previous finished run of the same scenario."""

    previous_run: str | None = Field(description="its run_id; null when there is none")
    newly_failing: list[str] = Field(description="`ID [subject]` that passed then, not now")
    fixed: list[str] = Field(description="`ID [subject]` that did not pass then, pass now")
    still_failing: list[str] = Field(description="`ID [subject]` that passed neither time")


class Checklist(_Model):
    """A checklist of the run, as its pack describes it."""

    name: str = Field(description="the pack's name; empty when the plan names no pack")
    title: str = Field(description="the title items carry in `checklist`")
    description: str = Field(description="the pack's one-paragraph description, or empty")
    applicable: bool = Field(
        default=True, description="false: the scenario lacks a system it needs; not run"
    )
    missing_systems: list[str] = Field(
        default_factory=list, description="the systems the scenario lacks for it"
    )


class HistoryEntry(_Model):
    """An earlier finished run of the same scenario, for the trend."""

    run_id: str
    started: str
    verdict: str = Field(description="its verdict as its own signoff states it")
    counts: Counts = Field(description="its items by status")


class WaiverApplied(_Model):
    """The valid waiver that covers an item."""

    id: str
    subject: str | None = Field(description="null: every subject of the item")
    reason: str
    approved_by: str
    expires: date = Field(description="the last day it is valid (YYYY-MM-DD)")
    covers: Literal["failed", "not_checked"]


class Item(_Model):
    """One checklist item for one subject."""

    id: str = Field(description="the checklist ID, e.g. MTP-06")
    title: str = Field(description="the item as the checklist words it")
    checklist: str = Field(description="the checklist's title (see `checklists`)")
    pack: str = Field(description="the checklist pack's name; empty before packs")
    feature: str = Field(description="the Gherkin feature's name")
    subject: str = Field(description="the subject checked (partner, customer, ...); may be empty")
    severity: str = Field(description="blocker, critical, normal or minor")
    status: Status = Field(
        description="failed: a check saw something wrong; broken: it could not complete;"
        " skipped: not run; missing: planned, no result"
    )
    reason: str = Field(description="what was seen and what was expected")
    category: Category = Field(description="why it did not pass; empty when it passed")
    blocking: bool = Field(description="true when this item keeps the verdict from GO")
    waiver: WaiverApplied | None = Field(description="the waiver that covers it, or null")
    evidence: str = Field(
        description="link to the item in the Allure report, relative to the run folder;"
        " empty without a report"
    )
    source: str = Field(description="feature file and line")


class Signoff(_Model):
    """signoff.json: the verdict of a golive run and every item behind it."""

    model_config = ConfigDict(
        title="golive signoff",
        json_schema_extra={"$id": "https://golive.invalid/schemas/golive.signoff-1.json"},
    )

    schema_name: Literal["golive.signoff/1"] = Field(
        alias="schema", description="this document's schema and version"
    )
    verdict: Decision = Field(description="GO and GO WITH WAIVERS let the go-live proceed")
    exit_code: Literal[0, 1, 2] = Field(description="0 GO, 1 NO-GO, 2 could not be judged")
    reasons: list[str] = Field(description="why not GO; empty on GO")
    warnings: list[str] = Field(description="what did not pass without blocking; waivers used")
    run: RunFacts = Field(description="what ran, where, when and by whom")
    counts: Counts = Field(description="items by status")
    changes: Changes = Field(description="against the previous run of the same scenario")
    checklists: list[Checklist] = Field(description="the run's checklists, in order")
    history: list[HistoryEntry] = Field(
        description="this scenario's earlier runs, newest first (at most 9)"
    )
    items: list[Item] = Field(description="every planned item, for each of its subjects")

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data


def json_schema() -> dict[str, Any]:
    schema = Signoff.model_json_schema(by_alias=True, mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _kind(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "const" in prop:
        return json.dumps(prop["const"])
    if "enum" in prop:
        return " \\| ".join(json.dumps(v) for v in prop["enum"])
    if "anyOf" in prop:
        return " or ".join(_kind(p, defs) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_kind(prop.get('items', {}), defs)}"
    return str(prop.get("format") or prop.get("type", "any"))


def field_table() -> str:
    """docs/signoff.md's field reference, one table per object, from the schema."""
    schema = json_schema()
    defs = schema.get("$defs", {})
    out = []
    for name, obj in [("Signoff", schema), *sorted(defs.items())]:
        out += [f"**{name}**: {obj.get('description', '').strip()}", ""]
        out += ["| field | type | meaning |", "|---|---|---|"]
        required = set(obj.get("required", []))
        for field, prop in obj.get("properties", {}).items():
            kind = _kind(prop, defs) + ("" if field in required else " (optional)")
            meaning = prop.get("description", "").replace("|", "\\|")
            out.append(f"| `{field}` | {kind} | {meaning} |")
        out.append("")
    return "\n".join(out).strip() + "\n"


def with_table(doc_text: str) -> str:
    """docs/signoff.md with its generated field table replaced by the current one."""
    start, end = doc_text.index(TABLE_START), doc_text.index(TABLE_END)
    return doc_text[: start + len(TABLE_START)] + "\n\n" + field_table() + "\n" + doc_text[end:]


def main(argv: list[str]) -> int:
    """Rewrite docs/signoff.schema.json and the table in docs/signoff.md from the models."""
    SCHEMA_FILE.write_text(schema_text(), "utf-8")
    DOC_FILE.write_text(with_table(DOC_FILE.read_text("utf-8")), "utf-8")
    print(f"wrote {SCHEMA_FILE} and the field table of {DOC_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
