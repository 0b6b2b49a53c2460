"""Issue 17, family A, last bullet: run files of the wrong shape. verify, approve, gate and
the next run's "changes since previous" answer with one line naming the file and exit 2,
never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from golive import cli
from golive.integrity import APPROVALS, MANIFEST

from .runs import make_run

Golive = Callable[..., tuple[int, str, str]]
APPROVE = ("--by", "Ann", "--role", "rm")

MANIFESTS = {
    "a list": "[]",
    "a string": '"files"',
    "files a list": '{"files": [], "digest": "x"}',
    "files to numbers": '{"files": {"run.json": 1}, "digest": "x"}',
    "no digest": '{"files": {}}',
    "digest a number": '{"files": {}, "digest": 7}',
    "signature a string": '{"files": {}, "digest": "x", "signature": "sig"}',
    "truncated": '{"files": {"run.js',
    "not utf-8": b"\xff\xfe{}".decode("latin-1"),
}


@pytest.mark.parametrize("content", MANIFESTS.values(), ids=MANIFESTS.keys())
@pytest.mark.parametrize("command", ["verify", "approve"])
def test_a_manifest_of_the_wrong_shape_is_one_line_and_exit_2(
    tmp_path: Path, golive: Golive, content: str, command: str
) -> None:
    run = make_run(tmp_path)
    (run / MANIFEST).write_text(content, encoding="latin-1")
    args = (
        ("signoff", "approve", str(run), *APPROVE) if command == "approve" else (command, str(run))
    )
    code, out, err = golive(*args)
    assert code == 2
    assert err.startswith(f"golive: {run / MANIFEST}: ") and len(err.splitlines()) == 1
    assert "Traceback" not in out + err


APPROVAL_LINES = {
    "truncated": '{"action": "approved", "by": "An',
    "a list": '["approved", "Ann"]',
    "no by": '{"action": "approved", "role": "rm", "at": "x"}',
    "by a number": '{"action": "approved", "by": 7, "role": "rm", "at": "x"}',
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("line", APPROVAL_LINES.values(), ids=APPROVAL_LINES.keys())
@pytest.mark.parametrize("command", ["verify", "approve"])
def test_an_approvals_log_with_a_bad_line_is_exit_2_naming_the_line(
    tmp_path: Path, golive: Golive, line: str, command: str
) -> None:
    run = make_run(tmp_path)
    assert golive("signoff", "approve", str(run), *APPROVE)[0] == 0
    with (run / APPROVALS).open("a") as log:
        log.write(line + "\n")
    args = (
        ("signoff", "approve", str(run), *APPROVE) if command == "approve" else (command, str(run))
    )
    code, out, err = golive(*args)
    assert code == 2
    assert f"{run / APPROVALS}:2: not an approval record" in err
    assert "Traceback" not in out + err
    assert len((run / APPROVALS).read_text().splitlines()) == 2  # nothing appended


SIGNOFFS = {
    "a list": "[]",
    "no items": '{"verdict": "GO", "exit_code": 0}',
    "items of strings": json.dumps(
        {
            "verdict": "GO",
            "exit_code": 0,
            "reasons": [],
            "warnings": [],
            "run": {},
            "counts": {},
            "changes": {},
            "items": ["MTP-05"],
        }
    ),
}


@pytest.mark.parametrize("content", SIGNOFFS.values(), ids=SIGNOFFS.keys())
def test_a_signoff_of_the_wrong_shape_is_exit_2_for_verify_and_approve(
    tmp_path: Path, golive: Golive, content: str
) -> None:
    run = make_run(tmp_path)
    (run / "signoff.json").write_text(content)
    for args in (("verify", str(run)), ("signoff", "approve", str(run), *APPROVE)):
        code, _, err = golive(*args)
        assert code == 2 and f"{run / 'signoff.json'}: not a golive signoff" in err


PREVIOUS = {
    "a list": "[]",
    "run a list": '{"run": [], "items": []}',
    "items not a list": json.dumps(
        {"run": {"scenario": "scenarios/sandbox.yaml", "finished": "x"}, "items": 3}
    ),
    "item without status": json.dumps(
        {
            "run": {"scenario": "scenarios/sandbox.yaml", "finished": "x", "run_id": "old"},
            "items": [{"id": "MTP-05", "subject": ""}],
        }
    ),
}


@pytest.mark.parametrize("content", PREVIOUS.values(), ids=PREVIOUS.keys())
def test_an_earlier_runs_bad_signoff_is_passed_over_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    old = tmp_path / "20270101-000000-oooooo"
    old.mkdir()
    (old / "signoff.json").write_text(content)
    run = make_run(tmp_path, judge=False)
    verdict, _ = cli.finish(run, html=False)
    err = capsys.readouterr().err
    assert verdict.decision == "GO"
    assert f"golive: warning: {old / 'signoff.json'}: " in err and "not compared" in err
    doc = json.loads((run / "signoff.json").read_text())
    assert doc["changes"]["previous_run"] is None


@pytest.mark.parametrize(
    "content", ["[]", '"run"', '{"pytest_exit": 0, "finished": "x", "policy": {"min_checks": 0}}']
)
def test_a_run_json_of_the_wrong_shape_or_policy_is_exit_2_for_the_gate(
    tmp_path: Path, golive: Golive, content: str
) -> None:
    run = make_run(tmp_path)
    (run / "run.json").write_text(content)
    code, out, err = golive("gate", str(run))
    assert code == 2 and "Traceback" not in out + err
    assert "run.json" in out + err
