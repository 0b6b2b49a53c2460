"""Issue 17, family E: eight ``golive signoff approve`` at once on one GO run, in eight
processes, five approvals each: every approval recorded exactly once, none refused, and
the run verifies afterwards and while they are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from golive import launcher
from golive.attest import SIGNING_KEY_VAR
from golive.integrity import APPROVALS
from tests.conftest import ROOT, external_scenario, golive_env

from .runs import make_run

Golive = Callable[..., tuple[int, str, str]]
PROCESSES, EACH = 8, 5

# PROCESSES processes, each approving EACH times in a row as a person would run the command
# (golive's own ``main``), and with "verify" verifying the run after each approval, while
# the others write theirs. They are forked from one process that has imported golive and
# verified the run once, and start together once all are forked: each pays for its own
# approvals, not for a Python start and golive's imports (half a second of CPU each).
APPROVERS = """
import os
import sys

from golive.cli import main

run, processes, each, verify = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if main(["verify", run]) != 0:  # the run is intact before, and golive is loaded
    sys.exit("the run did not verify before the approvals")
sys.stdout.flush()  # a child would print what is still buffered once more
start_r, start_w = os.pipe()
children = []
for p in range(processes):
    pid = os.fork()
    if pid == 0:
        os.close(start_w)
        os.read(start_r, 1)  # end of file once every child is forked and the parent let go
        codes = []
        for n in range(each):
            codes.append(main(["signoff", "approve", run, "--role", "rm", "--by", f"p{p}-{n}"]))
            if verify == "verify":
                codes.append(main(["verify", run]))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(max(codes))
    children.append(pid)
os.close(start_w)
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
for p, code in enumerate(codes):
    if code:
        print(f"approver p{p} ended with exit {code}", file=sys.stderr)
sys.exit(1 if any(codes) else 0)
"""


def approve_at_once(
    run: Path, env: dict[str, str], each: int = EACH, verify_too: bool = False
) -> subprocess.CompletedProcess[str]:
    verify = "verify" if verify_too else "no"
    return subprocess.run(
        [sys.executable, "-c", APPROVERS, str(run), str(PROCESSES), str(each), verify],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def approvers(run: Path) -> list[str]:
    return [json.loads(line)["by"] for line in (run / APPROVALS).read_text().splitlines()]


def test_concurrent_approvals_are_each_recorded_once(tmp_path: Path, golive: Golive) -> None:
    run = make_run(tmp_path)
    # verify runs meanwhile: it never sees an approval appended but not yet on the page
    done = approve_at_once(run, golive_env(), verify_too=True)
    assert done.returncode == 0, done.stderr + done.stdout
    names = approvers(run)
    assert sorted(names) == sorted(f"p{p}-{n}" for p in range(PROCESSES) for n in range(EACH))
    code, out, _ = golive("verify", str(run))
    assert code == 0 and out.count("run unchanged since") == PROCESSES * EACH


def test_concurrent_signed_approvals_all_verify(
    tmp_path: Path, signing: tuple[Path, Path], golive: Golive
) -> None:
    run = make_run(tmp_path)
    env = golive_env(**{SIGNING_KEY_VAR: str(signing[0])})
    done = approve_at_once(run, env, each=1)
    assert done.returncode == 0, done.stderr + done.stdout
    assert len(set(approvers(run))) == PROCESSES
    code, out, _ = golive("verify", str(run))
    assert code == 0 and "golive: intact (signature valid)" in out
    assert "FORGED" not in out


def test_two_runs_into_one_reports_folder_at_once_stay_complete_and_verifiable(
    tmp_path: Path, golive: Golive, sandbox: launcher.RunningSandbox
) -> None:
    """Both read one sandbox (MTP-05 only reads), as two jobs check one environment."""
    out = tmp_path / "reports"
    scenario = external_scenario(tmp_path, sandbox.url, "test", [])
    cmd = [sys.executable, "-m", "golive", "run", "--no-html", "--output", str(out)]
    env = golive_env(GOLIVE_SANDBOX_TOKEN=os.environ[launcher.TOKEN_VAR])
    procs = [
        subprocess.Popen(
            [*cmd, "--tags", "MTP-05", "--scenario", str(scenario)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
