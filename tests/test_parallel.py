"""Beyond one process: `golive run -n 2` and `golive merge` of CI shards. The healthy
sandbox's full run under the real clock is a `-n 2` run (tests/test_runs.py): it shows a
parallel run complete and identical to a serial one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run, golive_env


def test_parallel_run_with_a_fault(golive_cli: Callable[..., Run]) -> None:
    mtp = " or ".join(f"MTP-{n:02d}" for n in range(1, 11))  # the partner checklist
    run = golive_cli(
        "run", "--no-html", "-n", "2", "--tags", mtp, "--sandbox-fault", "move-not-persisted"
    )
    assert run.code == 1
    failing = {k for k, v in run.statuses().items() if v != "passed"}
    assert failing == {("MTP-08", "TP-1002")}


def test_merge_joins_two_shards_into_one_signoff(
    golive_cli: Callable[..., Run], tmp_path: Path
) -> None:
    from tests.adversarial.runs import keypair

    private, _ = keypair(tmp_path)  # merge takes only shards a trusted signature proves
    env = golive_env(GOLIVE_SIGNING_KEY_FILE=str(private))
    first = golive_cli("run", "--tags", "MTP-01 or MTP-02 or MTP-03", "--no-html", env=env)
    shard_a = first.run_dir
    second = golive_cli(
        "run",
        "--tags",
        "MTP-04 or MTP-05 or MTP-06",
        "--no-html",
        "--sandbox-fault",
        "implementer-unassigned",
        "--sandbox-fault",
        "buyers-empty",
        env=env,
    )
    shard_b = second.run_dir
    total = len(first.statuses()) + len(second.statuses())
    assert len(first.statuses()) == 9
    merged = golive_cli(
        "merge", str(shard_a), str(shard_b), "--output", str(tmp_path / "m"), output=False, env=env
    )
    assert merged.code == 1, merged.stdout + merged.stderr
    run_dir = (tmp_path / "m" / "latest").resolve()
    doc = Run(merged.code, merged.stdout, merged.stderr, tmp_path / "m").signoff
    assert len(doc["items"]) == total
    failing = {(i["id"], i["subject"]) for i in doc["items"] if i["status"] != "passed"}
    assert failing == {("MTP-06", "TP-1003")}  # the implementer fault hit no item of shard b
    assert (run_dir / "allure-report" / "index.html").exists()
