"""Issue 17, family E: eight ``golive signoff approve`` at once on one GO run, in eight
processes, five approvals each: every approval recorded exactly once, none refused, and
the run verifies afterwards and while they are written."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from golive.attest import SIGNING_KEY_VAR
from golive.integrity import APPROVALS
from tests.conftest import ROOT, golive_env

from .runs import make_run

Golive = Callable[..., tuple[int, str, str]]
PROCESSES, EACH = 8, 5

# One process approving EACH times in a row, as a person would run the command.
APPROVER = """
import sys
from golive.cli import main
run, who, each = sys.argv[1], sys.argv[2], int(sys.argv[3])
args = ["signoff", "approve", run, "--role", "rm", "--by"]
sys.exit(max(main([*args, f"{who}-{n}"]) for n in range(each)))
"""


def approve_at_once(
    run: Path, env: dict[str, str], each: int = EACH, verify_too: bool = False
) -> list[str]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPROVER, str(run), f"p{p}", str(each)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(PROCESSES)
    ]
    checks = []
    if verify_too:
        for _ in range(3):
            checks.append(
                subprocess.run(
                    [sys.executable, "-m", "golive", "verify", str(run)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            )
    errors = []
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        if proc.returncode != 0:
            errors.append(err)
    errors += [c.stdout for c in checks if c.returncode != 0]
    return errors


def approvers(run: Path) -> list[str]:
    return [json.loads(line)["by"] for line in (run / APPROVALS).read_text().splitlines()]


def test_concurrent_approvals_are_each_recorded_once(tmp_path: Path, golive: Golive) -> None:
    run = make_run(tmp_path)
    # verify runs meanwhile: it never sees an approval appended but not yet on the page
    assert approve_at_once(run, golive_env(), verify_too=True) == []
    names = approvers(run)
    assert sorted(names) == sorted(f"p{p}-{n}" for p in range(PROCESSES) for n in range(EACH))
    code, out, _ = golive("verify", str(run))
    assert code == 0 and out.count("run unchanged since") == PROCESSES * EACH


def test_concurrent_signed_approvals_all_verify(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    env = golive_env(**{SIGNING_KEY_VAR: str(signing[0])})
    assert approve_at_once(run, env, each=1) == []
    assert len(set(approvers(run))) == PROCESSES
    code, out, _ = golive("verify", str(run))
    assert code == 0 and "golive: intact (signature valid)" in out
    assert "FORGED" not in out


def test_two_runs_into_one_reports_folder_at_once_stay_complete_and_verifiable(
    tmp_path: Path, golive: Golive
) -> None:
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "golive", "run", "--no-html", "--output", str(out)]
    procs = [
        subprocess.Popen(
            [*cmd, "--tags", "MTP-05"],
            cwd=ROOT, env=golive_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, stdin=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = sorted(p for p in out.iterdir() if (p / "run.json").exists() and not p.is_symlink())
    assert len(runs) == 2
    for run in runs:
        code, text, _ = golive("verify", str(run))
        assert code == 0, text
        assert json.loads((run / "signoff.json").read_text())["verdict"] == "GO"
    assert (out / "latest").resolve() in runs
