"""Benchmark (not a test): the bill-run reconciliation at telco scale, from Parquet.

    .venv/bin/python -m bench.billrun                       # 1M accounts, 3 runs per side
    .venv/bin/python -m bench.billrun --accounts 100000 --repeat 5
    .venv/bin/python -m bench.billrun --spill-limit 256MB   # also out of core
    .venv/bin/python -m bench.billrun --accounts 10000000 --memory-limit 1GB \\
        --data /work/billrun-data                           # 100M rows a side, golive only

Generates (once, kept in ``--data``) production's bill run and the candidate's, ~10 items
per account (``golive.sandbox.billing_runs``, the candidate with the four export faults),
then times, alternately, each in a fresh measuring process (``bench.measure``: wall time and
peak RSS of the process tree):

- golive: ``packs.billing_upgrade.billrun.reconcile`` on DuckDB, the whole item (control
  totals, both passes, the mismatch list as Parquet and CSV, the summary);
- the floor: ``bench.billrun_floor``, a hand-written DuckDB join-diff over the same files;
- datacompy (if installed; ``--datacompy-accounts``, default 100,000, since it holds both
  sides in pandas): ``datacompy.Compare`` on the items, against golive on the same data.

``--spill-limit`` adds one golive run with DuckDB's ``memory_limit`` at that size and a
``temp_directory``: the same comparison spilling to disk. ``--memory-limit`` runs only
that (no floor, no datacompy), for a bill run far larger than memory: wall time, peak RSS
and the most the temporary directory held at once. ``--api-accounts`` times UPG-17's
API path at each size, once per ``--api-in-flight`` setting. Goals are reported, never
asserted (bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ("charge-moved", "invoice-dropped", "item-doubled", "tax-rounded")


def generate(folder: Path, accounts: int) -> Path:
    from golive.sandbox.billing_runs import write_pair

    data = folder / f"billrun-{accounts}"
    done = data / ".done"
    if not done.exists():
        started = time.perf_counter()
        write_pair(data, accounts, faults=FAULTS)
        done.write_text(f"{time.perf_counter() - started:.1f}")
    return data


def inner(run: dict[str, Any]) -> float:
    """The comparison's own time, as the run printed it ("... in 4.12 s"): without the
    interpreter's start and imports (golive's pack package costs ~0.4 s to import)."""
    return float(run["output"][0].rsplit(" in ", 1)[1].split()[0])


def measure(work: Path, name: str, cmd: list[str]) -> dict[str, Any]:
    log = work / f"{name}.log"
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", str(log), "--", *cmd],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    figures: dict[str, Any] = json.loads(done.stdout)
    figures["output"] = log.read_text("utf-8", "replace").strip().splitlines()[-1:]
    if figures["rc"] != 0:
        raise SystemExit(f"{name} failed: {log.read_text()}")
    return figures


def run_golive(data: Path, out: Path, memory_limit: str | None, temp: Path | None) -> None:
    from packs.billing_upgrade.billrun.reconcile import SideSource, TableSource, reconcile

    def side(name: str) -> SideSource:
        return SideSource(
            *(
                TableSource((str(data / name / f"{t}.parquet"),))
                for t in ("accounts", "invoices", "items")
            )
        )

    options = {"memory_limit": memory_limit, "temp_directory": temp}
    spill = Spill(temp) if temp is not None else None
    started = time.perf_counter()
    try:
        result = reconcile(side("production"), side("candidate"), out, engine_options=options)
    finally:
        if spill is not None:
            spill.stop()
    note = f"; spilled at most {spill.peak / 2**20:,.0f} MiB at once" if spill else ""
    print(f"{result.mismatches} mismatches in {time.perf_counter() - started:.2f} s{note}")


class Spill:
    """The largest the DuckDB temporary directory grew (its files' bytes, looked at every
    0.1 s): what the comparison spilled to disk at once."""

    def __init__(self, folder: Path) -> None:
        import threading

        self.folder, self.peak = folder, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def size(self) -> int:
        total = 0
        for root, _, files in os.walk(self.folder):
            for name in files:
                with contextlib.suppress(OSError):  # removed while looked at
                    total += os.stat(os.path.join(root, name)).st_size
        return total

    def watch(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, self.size())

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def run_datacompy(data: Path) -> None:
    import datacompy
    import pandas as pd  # type: ignore[import-untyped]

    from packs.billing_upgrade.billrun.layout import ITEM_KEY

    started = time.perf_counter()
    p = pd.read_parquet(data / "production" / "items.parquet")
    c = pd.read_parquet(data / "candidate" / "items.parquet")
    keys = list(ITEM_KEY)
    for df in (p, c):
        df[keys] = df[keys].astype("string").fillna("")
        df["amount"] = df["amount"].astype(float)
    compare = datacompy.PandasCompare(p, c, join_columns=keys, abs_tol=0.0)
    differ = len(compare.all_mismatch()) + len(compare.df1_unq_rows) + len(compare.df2_unq_rows)
    print(f"{differ} mismatches in {time.perf_counter() - started:.2f} s")


def run_api(url: str, out: Path, in_flight: int) -> None:
    """UPG-17's path against a running sandbox: both instances read through the API."""
    from bench.reconcile import sandbox_billing
    from packs.billing_upgrade.billrun.checklist import through_api
    from packs.billing_upgrade.billrun.settings import BillRun

    started = time.perf_counter()
    result, p, _ = through_api(
        sandbox_billing(url, "production"),
        sandbox_billing(url, "candidate"),
        BillRun(in_flight=in_flight),
        out,
        excluded=set(),
        created=lambda a: False,
    )
    seconds = time.perf_counter() - started
    print(
        f"{p.accounts} accounts, {p.items} items a side, {result.mismatches} mismatches,"
        f" {p.accounts / seconds:.0f} accounts/s"
    )


class _Synthetic:
    """A billing instance answering from memory, as fast as Python builds its answers: the
    API path's own memory (pages of accounts, invoices in flight, the Parquet batches) at a
    million accounts, where the loopback sandbox would take hours. Each account has two
    invoices of five items, a pure function of its number."""

    def __init__(self, count: int) -> None:
        self.count = count

    def accounts(self, page_size: int = 100) -> Any:
        from packs.billing_upgrade.killbill import Account

        for n in range(self.count):
            yield Account(
                f"acc-{n}", f"A-{n:08d}", "", "", "USD", -10.0 - n % 97, 0.0, "", "", "", None
            )

    def invoices(self, account_id: str) -> list[Any]:
        from packs.billing_upgrade.killbill import Invoice, InvoiceItem

        n = int(account_id[4:])
        invoices = []
        for month in (10, 11):
            items = [
                InvoiceItem(kind, "pro-monthly", "", amount, f"{account_id}-{month}-{k}")
                for k, (kind, amount) in enumerate(
                    [("RECURRING", 29.99), ("USAGE", 1.0 + n % 13), ("USAGE", 0.5),
                     ("ITEM_ADJ", -2.0), ("TAX", 2.61)]
                )
            ]  # fmt: skip
            total = round(sum(i.amount for i in items), 2)
            invoices.append(
                Invoice(f"{account_id}-{month}", "", f"2026-{month}-01", total, total, items)
            )
        return invoices


def run_api_synthetic(count: int, out: Path) -> None:
    from packs.billing_upgrade.billrun import api

    started = time.perf_counter()
    done = api.export(_Synthetic(count), out, page_size=1000)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    print(f"{done.accounts:,} accounts, {done.items:,} items, {done.accounts / seconds:.0f}/s")


def synthetic_rows(work: Path, sizes: list[int]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for n in sizes:
        cmd = [sys.executable, "-m", "bench.billrun", "--api-synthetic-run", str(n)]
        m = measure(work, f"api-synthetic-{n}", [*cmd, str(work / f"synthetic-{n}")])
        rows.append(
            (
                "billrun",
                f"API path's export, {n:,} accounts from memory: s / peak MiB",
                f"{m['seconds']:.1f} / {m['peak_rss_mib']:.0f}",
                "memory flat",
                m["output"][0],
            )
        )
    return rows


def api_rows(
    work: Path, sizes: list[int], in_flight: list[int]
) -> list[tuple[str, str, str, str, str]]:
    """UPG-17's path at each size, once per ``in_flight`` setting, alternately, against
    one sandbox per size (its start is in no figure)."""
    from golive import launcher

    launcher.ensure_token()
    rows = []
    for n in sizes:
        os.environ["GOLIVE_SANDBOX_ACCOUNTS"] = str(n)
        sandbox = launcher.start([], timeout=900)
        try:
            for k in in_flight:
                out = work / f"api-{n}-{k}"
                cmd = [
                    sys.executable,
                    "-m",
                    "bench.billrun",
                    "--api",
                    sandbox.url,
                    str(out),
                    str(k),
                ]
                m = measure(work, f"api-{n}-{k}", cmd)
                rows.append(
                    (
                        "billrun",
                        f"API path, {n:,} accounts, in_flight {k}: s / peak MiB",
                        f"{m['seconds']:.1f} / {m['peak_rss_mib']:.0f}",
                        "memory flat",
                        m["output"][0],
                    )
                )
        finally:
            sandbox.stop()
    return rows


def table(
    rows: list[tuple[str, str, str, str, str]], repeat: int, items: int, started: float
) -> None:
    width = max(len(r[1]) for r in rows)
    print(f"| benchmark  | {'figure':<{width}} | {'value':>20} | goal                 | note")
    for bench, figure, value, goal, note in rows:
        print(f"| {bench:<10} | {figure:<{width}} | {value:>20} | {goal:<20} | {note}")
    load = os.getloadavg()[0]
    print(
        f"\n{repeat} runs per side, medians; cores: {os.cpu_count()}; items a side: {items:,};"
        f" load average at the end: {load:.1f}; bench took {time.perf_counter() - started:.0f} s"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--api"]:
        run_api(argv[1], Path(argv[2]), int(argv[3]))
        return 0
    if argv[:1] == ["--api-synthetic-run"]:
        run_api_synthetic(int(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == ["--golive"]:
        temp = Path(argv[4]) if len(argv) > 4 and argv[4] else None
        run_golive(Path(argv[1]), Path(argv[2]), argv[3] or None, temp)
        return 0
    if argv[:1] == ["--datacompy"]:
        run_datacompy(Path(argv[1]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.billrun")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--datacompy-accounts", type=int, default=100_000)
    parser.add_argument("--spill-limit", default="")
    parser.add_argument(
        "--memory-limit",
        default="",
        help="out of core: one golive run at this DuckDB memory_limit (e.g. 1GB), spilling"
        " into --data, and no floor (its joins need the whole bill run in memory)",
    )
    parser.add_argument("--api-accounts", default="", help="e.g. 10000,100000: UPG-17's API path")
    parser.add_argument(
        "--api-in-flight", default="4", help="bill_run.in_flight settings to time, e.g. 1,4"
    )
    parser.add_argument(
        "--api-synthetic",
        default="",
        help="e.g. 100000,1000000: the API path's export from an instance answering from"
        " memory, for its own peak RSS at sizes the sandbox cannot serve in time",
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="golive-bench-billrun-"))
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str, str]] = []

    def golive_cmd(data: Path, limit: str = "", temp: str = "") -> list[str]:
        out = work / f"out-{time.perf_counter_ns()}"
        return [sys.executable, "-m", "bench.billrun", "--golive", str(data), str(out), limit, temp]

    def floor_cmd(data: Path) -> list[str]:
        out = work / f"floor-{time.perf_counter_ns()}.parquet"
        return [
            sys.executable,
            "-m",
            "bench.billrun_floor",
            str(data / "production"),
            str(data / "candidate"),
            str(out),
        ]

    if args.api_synthetic:
        rows += synthetic_rows(work, [int(n) for n in args.api_synthetic.split(",")])
    if args.api_accounts:
        sizes = [int(n) for n in args.api_accounts.split(",")]
        rows += api_rows(work, sizes, [int(k) for k in args.api_in_flight.split(",")])
    if not args.accounts:  # --accounts 0: the API path only
        table(rows, args.repeat, 0, started)
        return 0
    data = generate(args.data, args.accounts)
    items = 10 * args.accounts
    if args.memory_limit:
        temp = args.data / f"spill-{time.perf_counter_ns()}"
        temp.mkdir(parents=True)
        try:
            cmd = golive_cmd(data, args.memory_limit, str(temp))
            o = measure(work, "golive-out-of-core", cmd)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        rows.append(
            (
                "billrun",
                f"golive, {args.accounts:,} accounts x 10 items a side,"
                f" memory_limit {args.memory_limit}: s / peak MiB",
                f"{o['seconds']:.1f} / {o['peak_rss_mib']:.0f}",
                "no OOM",
                o["output"][0] + f"; generated in {(data / '.done').read_text()} s",
            )
        )
        table(rows, 1, items, started)
        return 0
    side_a: list[dict[str, Any]] = []
    side_b: list[dict[str, Any]] = []
    for n in range(args.repeat):
        side_a.append(measure(work, f"golive-{n}", golive_cmd(data)))
        side_b.append(measure(work, f"floor-{n}", floor_cmd(data)))

    def med(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    g, f = med(side_a, "seconds"), med(side_b, "seconds")
    gi, fi = (
        statistics.median(inner(r) for r in side_a),
        statistics.median(inner(r) for r in side_b),
    )
    label = f"{args.accounts:,} accounts x 10 items a side"
    rows.append(
        (
            "billrun",
            f"golive, {label}: s / peak MiB",
            f"{g:.2f} / {med(side_a, 'peak_rss_mib'):.0f}",
            "<= 20 s, <= 1536 MiB",
            side_a[0]["output"][0],
        )
    )
    rows.append(
        (
            "billrun",
            "floor: hand-written DuckDB join-diff: s / peak MiB",
            f"{f:.2f} / {med(side_b, 'peak_rss_mib'):.0f}",
            "",
            side_b[0]["output"][0],
        )
    )
    rows.append(
        (
            "billrun",
            "ratio golive / floor",
            f"{g / f:.2f}",
            "<= 1.2",
            f"generated in {(data / '.done').read_text()} s",
        )
    )
    rows.append(
        ("billrun", "  comparison only: golive / floor (s)", f"{gi:.2f} / {fi:.2f}", "", "")
    )
    rows.append(("billrun", "  comparison only: ratio", f"{gi / fi:.2f}", "<= 1.2", ""))
    if args.spill_limit:
        temp = work / "spill"
        temp.mkdir()
        s = measure(work, "golive-spill", golive_cmd(data, args.spill_limit, str(temp)))
        rows.append(
            (
                "billrun",
                f"golive, memory_limit {args.spill_limit} (spills): s / peak MiB",
                f"{s['seconds']:.2f} / {s['peak_rss_mib']:.0f}",
                "no OOM",
                s["output"][0],
            )
        )
    import importlib.util

    if not args.datacompy_accounts:  # --datacompy-accounts 0: not this time
        pass
    elif importlib.util.find_spec("datacompy") is None:
        rows.append(("billrun", "datacompy", "not installed", "", "pip install datacompy"))
    else:
        small = generate(args.data, args.datacompy_accounts)
        d_runs, g_runs = [], []
        for n in range(max(1, args.repeat // 2)):
            g_runs.append(measure(work, f"golive-small-{n}", golive_cmd(small)))
            d_runs.append(
                measure(
                    work,
                    f"datacompy-{n}",
                    [sys.executable, "-m", "bench.billrun", "--datacompy", str(small)],
                )
            )
        dg, dd = med(g_runs, "seconds"), med(d_runs, "seconds")
        label = f"{args.datacompy_accounts:,} accounts"
        rows.append(
            (
                "billrun",
                f"golive, {label}: s / peak MiB",
                f"{dg:.2f} / {med(g_runs, 'peak_rss_mib'):.0f}",
                "",
                g_runs[0]["output"][0],
            )
        )
        rows.append(
            (
                "billrun",
                f"datacompy (pandas), items of {label}: s / peak MiB",
                f"{dd:.2f} / {med(d_runs, 'peak_rss_mib'):.0f}",
                "",
                d_runs[0]["output"][0],
            )
        )
        rows.append(("billrun", "ratio datacompy / golive", f"{dd / dg:.2f}", "reported", ""))
    table(rows, args.repeat, items, started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
