"""Issue 17, family A, forging approvals and merges: an approvals line replayed onto
another run or another manifest, removed, reordered or repeated; a gate asked to judge a
tampered run; shards that are unsigned, disagree, or let a pass hide a failure. Each case
first shows that the forgery gets past what it would have got past (a signature that
holds, results that judge GO), then that golive catches it. In process, in tmp_path."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from golive import attest, cli, verdict
from golive.integrity import APPROVAL_CONTEXT, APPROVALS, MANIFEST, chain_hash
from golive.results import read_outcomes
from golive.signoff import render_page
from tests.conftest import FAR_FUTURE

from .runs import keypair, make_run

Golive = Callable[..., tuple[int, str, str]]
RM = ("--by", "Ann", "--role", "release manager")


def lines(run: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run / APPROVALS).read_text().splitlines()]


def write_lines(run: Path, records: list[dict[str, Any]]) -> None:
    (run / APPROVALS).write_text("".join(json.dumps(r) + "\n" for r in records))
    render_page(run)  # the page re-rendered as the forger wants it read


def signature_holds(run: Path, record: dict[str, Any]) -> bool:
    """What the approval's signature alone says, without the run and chain it names."""
    key = attest.load_public(run / attest.PUBLIC_KEY_FILE, "key")
    body = {k: v for k, v in record.items() if k != "signature"}
    return attest.valid(key, APPROVAL_CONTEXT, body, record["signature"])


# --- approvals bound to their run, their manifest and their place ---------------------


def test_an_approval_names_its_run_its_manifest_and_the_line_before_it(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    assert golive("signoff", "approve", str(run), *RM)[0] == 0
    assert golive("signoff", "approve", str(run), "--by", "Bob", "--role", "cab")[0] == 0
    first, second = lines(run)
    digest = json.loads((run / MANIFEST).read_text())["digest"]
    assert first["run_id"] == run.name and first["manifest_digest"] == digest
    assert first["previous"] == digest and second["previous"] == chain_hash(first)
    code, out, _ = golive("verify", str(run))
    assert code == 0 and out.count("run unchanged since") == 2


def test_a_signed_approval_replayed_onto_another_run_of_the_same_key_is_forged(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    approved = make_run(tmp_path, name="20270315-100000-aaaaaa")
    other = make_run(tmp_path, name="20270315-110000-bbbbbb")
    golive("signoff", "approve", str(approved), *RM)
    [line] = lines(approved)
    # the attack: the line copied as it is, the page re-rendered; its signature holds, as
    # the runner's one key signed both runs
    assert signature_holds(other, line)
    write_lines(other, [line])
    code, out, _ = golive("verify", str(other))
    assert code == 1 and out.splitlines()[-1] == "golive: CHANGED"
    assert f"given for run '{approved.name}', not for this run ({other.name})" in out
    assert "run unchanged since" not in out
    code, _, err = golive("signoff", "approve", str(other), "--by", "Bob", "--role", "rm")
    assert code == 2 and "not for this run" in err


def test_an_approval_of_the_run_before_it_was_re_signed_is_forged(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "passed", "MTP-06": "passed"})
    golive("signoff", "approve", str(run), *RM)
    # the run re-finished by someone holding the key (results changed, all re-signed): the
    # approval was given for what the run was before, and its signature still holds
    [result] = [p for p in (run / "allure-results").glob("*.json") if "MTP-06" in p.read_text()]
    result.unlink()
    cli.finish(run, html=False)
    [line] = lines(run)
    assert signature_holds(run, line) and line["run_id"] == run.name
    code, out, _ = golive("verify", str(run))
    assert code == 1
    assert "given for another manifest: the run changed since, or the line was copied" in out


@pytest.mark.parametrize(
    "tamper",
    [
        lambda records: records[1:],  # the first approval (say, a rejection) removed
        lambda records: [records[1], records[0], records[2]],  # reordered
        lambda records: [*records, records[0]],  # a line repeated at the end
        lambda records: [records[0], records[0], *records[1:]],  # repeated in place
    ],
    ids=["first removed", "reordered", "repeated at the end", "repeated in place"],
)
def test_an_approvals_log_edited_line_by_line_is_caught_by_its_chain(
    tmp_path: Path,
    signing: tuple[Path, Path],
    golive: Golive,
    tamper: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    run = make_run(tmp_path)
    golive("signoff", "reject", str(run), "--by", "Cy", "--role", "security")
    golive("signoff", "approve", str(run), *RM)
    golive("signoff", "approve", str(run), "--by", "Bob", "--role", "cab")
    edited = tamper(lines(run))
    assert all(signature_holds(run, r) for r in edited)  # every line is genuinely signed
    write_lines(run, edited)
    code, out, _ = golive("verify", str(run))
    assert code == 1
    assert "out of place: a line before it was removed, reordered or inserted" in out


def test_on_an_unsigned_run_a_line_without_run_or_chain_is_forged(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path)
    golive("signoff", "approve", str(run), *RM)
    [line] = lines(run)
    write_lines(run, [{k: v for k, v in line.items() if k not in ("run_id", "previous")}])
    code, out, _ = golive("verify", str(run))
    assert code == 1 and "FORGED: approvals.jsonl line 1" in out


# --- the gate checks the run's files ---------------------------------------------------


def forge_go(run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Results and signoff of a NO-GO run rewritten to GO, manifest recomputed unsigned."""
    monkeypatch.delenv(attest.SIGNING_KEY_VAR, raising=False)
    for path in (run / "allure-results").glob("*-result.json"):
        raw = json.loads(path.read_text())
        raw["status"] = "passed"
        raw.pop("statusDetails", None)
        path.write_text(json.dumps(raw))
    cli.finish(run, html=False)


def test_the_gate_with_a_public_key_refuses_a_forged_go(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    forge_go(run, monkeypatch)
    assert verdict.judge_dir(run).exit_code == 0  # the forged results alone judge GO
    code, out, _ = golive("gate", str(run), "--public-key", str(signing[1]))
    assert code == 2
    assert "golive: NO-GO (could not be judged)" in out
    assert "the run's files do not verify: the manifest is not signed" in out


def test_the_gate_trusts_the_public_key_from_the_environment(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path, statuses={"MTP-06": "failed"})
    other, _ = keypair(tmp_path, "mallory")
    monkeypatch.setenv(attest.SIGNING_KEY_VAR, str(other))
    cli.finish(run, html=False)  # re-signed by Mallory's key, signing-key.pub replaced
    monkeypatch.delenv(attest.SIGNING_KEY_VAR)
    monkeypatch.setenv(attest.PUBLIC_KEY_VAR, str(signing[1]))
    code, out, _ = golive("gate", str(run))
    assert code == 2 and "signature does not match the configured public key" in out


def test_the_gate_refuses_a_run_whose_results_were_deleted_or_added(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path, statuses={"MTP-05": "passed", "MTP-06": "failed"})
    [failed] = [p for p in (run / "allure-results").glob("*.json") if "failed" in p.read_text()]
    passed = json.loads(failed.read_text())
    passed.update(status="passed", stop=9, uuid="f" * 32)
    del passed["statusDetails"]
    (run / "allure-results" / f"{'f' * 32}-result.json").write_text(json.dumps(passed))
    assert verdict.judge_dir(run).exit_code == 0  # a later pass covers the failure
    code, out, _ = golive("gate", str(run))
    assert code == 2 and f"added: allure-results/{'f' * 32}-result.json" in out


def test_the_gate_refuses_a_run_with_a_forged_approval(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    with (run / APPROVALS).open("a") as log:
        log.write(json.dumps({"action": "approved", "by": "M", "role": "r", "at": "x"}) + "\n")
    code, out, _ = golive("gate", str(run))
    assert code == 2 and "FORGED: approvals.jsonl line 1" in out


def test_the_gate_on_an_intact_unsigned_run_says_it_is_not_proven(
    tmp_path: Path, golive: Golive
) -> None:
    run = make_run(tmp_path)
    code, out, _ = golive("gate", str(run))
    assert code == 0 and "golive: GO" in out
    assert "integrity: no change found, but not proven" in out


def test_the_gate_on_an_intact_signed_run_is_go(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    code, out, _ = golive("gate", str(run), "--public-key", str(signing[1]))
    assert code == 0 and "golive: GO" in out and "not proven" not in out


def test_approve_judges_the_results_once(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path)
    calls: list[Path] = []
    real = verdict.judge_dir

    def counted(run_dir: Path, raw: dict[str, Any] | None = None) -> verdict.Verdict:
        calls.append(run_dir)
        return real(run_dir, raw)

    monkeypatch.setattr(verdict, "judge_dir", counted)
    assert golive("signoff", "approve", str(run), *RM)[0] == 0
    assert calls == [run]


# --- merge -------------------------------------------------------------------------------


def merge(golive: Golive, out: Path, *runs: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    code, stdout, err = golive("merge", *map(str, runs), "--output", str(out), "--no-html", *extra)
    return code, stdout + err


def merged_signoff(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(((out / "latest").resolve() / "signoff.json").read_text())
    return doc


def test_merge_refuses_unsigned_shards_unless_told(tmp_path: Path, golive: Golive) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "passed"})
    assert golive("verify", str(a))[0] == 0  # each shard alone: "no change found"
    code, text = merge(golive, tmp_path / "out", a, b)
    assert code == 2 and "refused: no trusted signature proves the shard" in text
    assert not (tmp_path / "out").exists()
    assert merge(golive, tmp_path / "out", a, b, extra=("--unsigned",))[0] == 0


def test_merge_refuses_a_shard_signed_by_a_key_nobody_trusts(
    tmp_path: Path, keys: tuple[Path, Path], golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(attest.SIGNING_KEY_VAR, str(keys[0]))
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    monkeypatch.delenv(attest.SIGNING_KEY_VAR)
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "passed"})
    code, text = merge(golive, tmp_path / "out", a, b)
    assert code == 2 and f"{a}: refused: no trusted signature" in text
    code, text = merge(golive, tmp_path / "out", a, b, extra=("--public-key", str(keys[1])))
    assert code == 2 and f"{b}: refused: the shard does not verify" in text


def overlapping(tmp_path: Path, first: str, second: str) -> tuple[Path, Path]:
    """Two signed shards that both planned MTP-06, ``first`` and ``second`` its statuses;
    the second shard's result is the later one."""
    statuses = {"MTP-06": first, "MTP-05": "passed"}
    a = make_run(tmp_path, name="20270315-100000-aaaaaa", statuses=statuses)
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": second})
    for path in (b / "allure-results").glob("*-result.json"):
        path.write_text(path.read_text().replace('"stop": 2', '"stop": 9'))
    cli.finish(b, html=False)  # signed as its run wrote it
    return a, b


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("failed", "passed", "failed"),
        ("passed", "failed", "failed"),
        ("broken", "passed", "broken"),
        ("failed", "broken", "failed"),
        ("skipped", "passed", "skipped"),
    ],
)
def test_a_pass_in_one_shard_never_covers_another_shards_failure(
    tmp_path: Path,
    signing: tuple[Path, Path],
    golive: Golive,
    first: str,
    second: str,
    kept: str,
) -> None:
    a, b = overlapping(tmp_path, first, second)
    both = tmp_path / "both"
    both.mkdir()
    for shard in (a, b):
        for path in (shard / "allure-results").glob("*-result.json"):
            shutil.copy(path, both / path.name)
    # joined as files, the later result of the same item wins (a rerun's rule): a pass
    # in the second shard would hide the first shard's failure
    assert read_outcomes(both)["MTP-06|"].status == second
    for order in ((a, b), (b, a)):
        out = tmp_path / f"out-{order[0].name}"
        code, _ = merge(golive, out, *order)
        doc = merged_signoff(out)
        assert [i["status"] for i in doc["items"] if i["id"] == "MTP-06"] == [kept]
        assert code == 1 and doc["verdict"] == "NO-GO"


def test_an_item_one_shard_has_no_result_for_stays_missing(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    a, b = overlapping(tmp_path, "", "passed")
    code, _ = merge(golive, tmp_path / "out", a, b)
    doc = merged_signoff(tmp_path / "out")
    assert code == 1 and [i["status"] for i in doc["items"] if i["id"] == "MTP-06"] == ["missing"]


def test_shards_that_plan_one_item_differently_are_refused(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    a, b = overlapping(tmp_path, "failed", "failed")
    # shard b's plan says MTP-06 is minor: kept, the merge would only warn about it
    plan = json.loads((b / "plan.json").read_text())
    plan["items"][0]["severity"] = "minor"
    (b / "plan.json").write_text(json.dumps(plan))
    cli.finish(b, html=False)  # and signed: it is the runner's own shard
    assert verdict.judge_dir(b).exit_code == 0  # alone, b is GO with a warning
    code, text = merge(golive, tmp_path / "out", a, b)
    assert code == 2 and "cannot merge: MTP-06 is planned as" in text
    assert "blocker" in text and "minor" in text


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("tier", "production", "tiers"),
        ("environment", "prod-eu", "environments"),
        ("policy", {"blocking_severities": ["blocker"]}, "policies"),
        (
            "waivers",
            [{"id": "MTP-06", "reason": "r", "approved_by": "J", "expires": FAR_FUTURE}],
            "waivers",
        ),
    ],
)
def test_shards_run_under_different_settings_are_refused(
    tmp_path: Path,
    signing: tuple[Path, Path],
    golive: Golive,
    field: str,
    value: object,
    label: str,
) -> None:
    a = make_run(tmp_path, name="20270315-100000-aaaaaa")
    b = make_run(tmp_path, name="20270315-100100-bbbbbb", statuses={"MTP-06": "failed"})
    info = json.loads((b / "run.json").read_text())
    info[field] = value
    (b / "run.json").write_text(json.dumps(info))
    cli.finish(b, html=False)
    code, text = merge(golive, tmp_path / "out", a, b)
    assert code == 2 and f"cannot merge runs of different {label}" in text


# --- keygen --------------------------------------------------------------------------------


def test_keygen_writes_a_key_pair_that_signs_and_verifies_a_run(
    tmp_path: Path, golive: Golive, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "ci"
    code, out, _ = golive("keygen", "--out", str(prefix))
    assert code == 0 and "ci.pem" in out
    private, public = Path(f"{prefix}.pem"), Path(f"{prefix}.pub")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    monkeypatch.setenv(attest.SIGNING_KEY_VAR, str(private))
    run = make_run(tmp_path)
    monkeypatch.delenv(attest.SIGNING_KEY_VAR)
    code, out, _ = golive("verify", str(run), "--public-key", str(public))
    assert code == 0 and "golive: intact (signature valid)" in out


def test_keygen_never_overwrites_a_key(tmp_path: Path, golive: Golive) -> None:
    prefix = tmp_path / "ci"
    assert golive("keygen", "--out", str(prefix))[0] == 0
    before = Path(f"{prefix}.pem").read_bytes()
    code, _, err = golive("keygen", "--out", str(prefix))
    assert code == 2 and "already exists" in err
    assert Path(f"{prefix}.pem").read_bytes() == before
