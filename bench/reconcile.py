"""Benchmark (not a test): reconcile N accounts between production and the candidate.

    .venv/bin/python -m bench.reconcile                 # 10,000 and 100,000 accounts
    .venv/bin/python -m bench.reconcile 100000 --page-size 1000

For each N it starts the sandbox with ``--accounts N`` (both instances generated from one
dataset, the candidate a copy), then runs the reconciliation the UPG-17 step runs (the
Kill Bill adapter streaming ``/accounts/pagination`` page by page,
``packs.billing_upgrade.reconcile.reconcile``) in a fresh child process, and reports
accounts per second and that process's peak resident memory. Each N runs in its own
process so the peaks are comparable: flat memory means the 100,000 peak is about the 10,000 one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from golive import launcher
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from packs.billing_upgrade.killbill import RestKillBill
from packs.billing_upgrade.reconcile import reconcile


def sandbox_billing(url: str, instance: str) -> RestKillBill:
    """The Kill Bill adapter for one billing instance of the running sandbox at ``url``."""
    token = os.environ[launcher.TOKEN_VAR]
    client = HttpClient(
        instance,
        f"{url}/{instance}",
        redactor=Redactor(),
        guard=MutationGuard("test", []),
        run_id="bench",
        headers={"X-Killbill-ApiKey": token, "X-Killbill-ApiSecret": token},
        auth=(os.environ[launcher.USER_VAR], token),
        timeout=60,
    )
    return RestKillBill(client)


def measure(url: str, page_size: int, expect: int) -> dict[str, float]:
    """Reconcile both instances of the running sandbox (in this process)."""
    started = time.perf_counter()
    with open(os.devnull, "w") as out:
        result = reconcile(
            sandbox_billing(url, "production").accounts(page_size),
            sandbox_billing(url, "candidate").accounts(page_size),
            out,
        )
    elapsed = time.perf_counter() - started
    if result.compared < expect:
        raise SystemExit(f"bench: compared {result.compared} accounts, expected {expect}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "accounts": result.compared,
        "seconds": round(elapsed, 2),
        "accounts_per_second": round(result.compared / elapsed),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "mismatches": result.mismatches,
        "max_pending": result.max_pending,
    }


def run(n: int, page_size: int) -> dict[str, float]:
    launcher.ensure_token()
    os.environ["GOLIVE_SANDBOX_ACCOUNTS"] = str(n)
    started = time.perf_counter()
    sandbox = launcher.start([], timeout=600)
    setup = time.perf_counter() - started
    try:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.reconcile",
                "--child",
                sandbox.url,
                "--page-size",
                str(page_size),
                str(n),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ),
        )
    finally:
        sandbox.stop()
    figures: dict[str, float] = json.loads(child.stdout)
    figures["sandbox_start_seconds"] = round(setup, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.reconcile", description=__doc__)
    parser.add_argument("accounts", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.page_size, args.accounts[0])))
        return 0
    for n in args.accounts:
        figures = run(n, args.page_size)
        print(json.dumps({"n": n, "page_size": args.page_size, **figures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
