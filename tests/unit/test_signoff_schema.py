"""signoff.json's published JSON Schema is generated from the models that write it, and
docs/signoff.md agrees with both (golive/signoff_schema.py)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from pydantic import ValidationError

from golive.config import Policy
from golive.signoff import document
from golive.signoff_schema import (
    DOC_FILE,
    SCHEMA_FILE,
    Signoff,
    json_schema,
    schema_text,
    with_table,
)
from golive.verdict import judge

from .conftest import TODAY, outcomes, planned, waiver
from .test_signoff_render import INFO

REGENERATE = "run `python -m golive.signoff_schema` and commit the result"


def doc_example() -> dict[str, object]:
    text = DOC_FILE.read_text("utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block is not None, "docs/signoff.md has no ```json example"
    example: dict[str, object] = json.loads(block.group(1))  # valid JSON, no comments
    return example


def test_the_published_schema_is_the_one_the_models_generate() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == schema_text(), REGENERATE


def test_the_docs_field_table_is_the_one_the_schema_generates() -> None:
    text = DOC_FILE.read_text("utf-8")
    assert with_table(text) == text, REGENERATE
    for field in ("waived", "waiver", "changes", "checklists", "history", "pack"):
        assert f"| `{field}` |" in text


def test_the_docs_example_validates_against_the_models_and_the_schema() -> None:
    example = doc_example()
    Signoff.model_validate(example)
    jsonschema.Draft202012Validator(json_schema()).validate(example)


def test_what_golive_writes_validates_against_the_published_schema() -> None:
    plan = [planned("MTP-01", "TP-1001"), planned("MTP-06", "TP-1003"), planned("ERP-05")]
    found = outcomes((plan[0], "passed"), (plan[1], "failed"))  # ERP-05: no result
    verdict = judge(plan, found, Policy(), today=TODAY)
    published = json.loads(SCHEMA_FILE.read_text("utf-8"))
    jsonschema.Draft202012Validator(published).validate(document(INFO, verdict, {}))
    waived = judge(
        plan[:2],
        found,
        Policy(),
        waivers=[waiver("MTP-06")],
        today=TODAY,
    )
    doc = document(INFO, waived, {})
    jsonschema.Draft202012Validator(published).validate(doc)
    assert doc["items"][1]["waiver"]["expires"] == "2027-04-01"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("verdict",), "MAYBE"),
        (("exit_code",), 3),
        (("items", 0, "status"), "passing"),
        (("items", 0, "unknown"), "x"),
    ],
)
def test_a_document_of_another_shape_is_refused(path: tuple[object, ...], value: object) -> None:
    example = json.loads(json.dumps(doc_example()))
    target = example
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(ValidationError):
        Signoff.model_validate(example)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json_schema()).validate(example)
