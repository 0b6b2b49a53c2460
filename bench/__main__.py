"""``make bench`` / ``python -m bench``: every benchmark against the sandbox, one table.

Each ratio compares two figures measured in this run, side by side: the two sides run
alternately (A B A B ...) and the table shows the median of ``--repeat`` runs of each, so
a busy shared machine slows both. Goals are reported, never asserted: this is not a test.
See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import yaml

from golive import launcher
from golive.sandbox.partners import PARTNERS_VAR

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# `golive ARGS` with one more pytest plugin (a module name, the first argument)
WITH_PLUGIN = (
    "import importlib, sys; from golive import cli;"
    " cli.EXTRA_PLUGINS.append(importlib.import_module(sys.argv.pop(1)));"
    " sys.exit(cli.main(sys.argv[1:]))"
)
API_TAGS = "api and not ui"
UI_TAGS = "ui and (ERP-06 or ERP-07)"  # the monitor's browser checks (see README)
MTP_TAGS = " or ".join(f"MTP-{n:02d}" for n in range(1, 11))
READY = "Ready for Production"

Row = dict[str, Any]


class Bench:
    def __init__(self, repeat: int, work: Path) -> None:
        self.repeat = repeat
        self.work = work
        self.rows: list[Row] = []
        self.count = 0
        launcher.ensure_token()  # one token for every run, recordings and replays alike

    # -- plumbing ---------------------------------------------------------------------
    def measure(self, cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
        """One timed run of cmd in a fresh measuring process; its output kept in work/."""
        self.count += 1
        log = self.work / f"run-{self.count:03d}.log"
        wrapper = [sys.executable, "-m", "bench.measure", str(log), "--", *cmd]
        environ = {**os.environ, **(env or {})}
        # Both sides with Python's byte-code cache, as on a user's machine: without it every
        # run compiles golive's modules and pytest re-rewrites every step module (~1 s).
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            wrapper, capture_output=True, text=True, check=True, cwd=ROOT, env=environ
        )
        figures: dict[str, Any] = json.loads(done.stdout)
        figures["log"] = log
        figures["output"] = log.read_text("utf-8", "replace")
        return figures

    def golive(
        self, *args: str, env: dict[str, str] | None = None, plugin: str = ""
    ) -> dict[str, Any]:
        out = self.work / f"reports-{self.count + 1:03d}"
        cmd = [str(BIN / "golive"), "run", "--no-html", "--output", str(out), *args]
        if plugin:  # golive run refuses -p after --: the plugin is handed over in process
            cmd[:1] = [sys.executable, "-c", WITH_PLUGIN, plugin]
        figures = self.measure(cmd, env)
        figures["run_dir"] = (out / "latest").resolve()
        if figures["rc"] != 0:
            print(figures["output"][-2000:], file=sys.stderr)
            raise SystemExit(f"bench: golive run {' '.join(args)} exited {figures['rc']}")
        return figures

    def side_by_side(
        self, a: Callable[[], dict[str, Any]], b: Callable[[], dict[str, Any]], repeat: int = 0
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        runs_a, runs_b = [], []
        for _ in range(repeat or self.repeat):
            runs_a.append(a())
            runs_b.append(b())
        return runs_a, runs_b

    def row(self, bench: str, what: str, value: str, goal: str = "", note: str = "") -> None:
        self.rows.append({"bench": bench, "what": what, "value": value, "goal": goal, "note": note})
        print(f"  {bench:<10} {what:<50} {value:>14}  {goal}", file=sys.stderr, flush=True)

    def record(self, tags: str) -> Path:
        """One untimed golive run with bench.recorder: what it sent, for the baseline."""
        path = self.work / f"recording-{len(self.rows)}.jsonl"
        path.unlink(missing_ok=True)
        env = {"BENCH_RECORD": str(path), "PYTHONPATH": str(ROOT)}
        self.golive("--tags", tags, env=env, plugin="bench.recorder")
        return path

    # -- 1 and 2: golive against the same work without the framework --------------------
    def overhead(self, name: str, tags: str) -> None:
        recording = self.record(tags)
        replay = [sys.executable, "-m", "bench.baseline", str(recording)]
        runs_g, runs_b = self.side_by_side(
            lambda: self.golive("--tags", tags), lambda: self.measure(replay)
        )
        counts = json.loads(runs_b[0]["output"].strip().splitlines()[-1])
        g, b = med(runs_g), med(runs_b)
        sent = f"{counts['http']} HTTP requests, {counts['web']} browser actions"
        sent += f", {counts['wait']:.2f} s of poll pauses (both sides)"
        self.row(name, f"golive run --tags '{tags}' (s)", f"{g:.2f}", note=sent)
        self.row(name, "baseline replay of the same work (s)", f"{b:.2f}")
        self.row(name, "ratio golive / baseline", f"{g / b:.2f}", "<= 1.2")
        work_g = statistics.median(junit_seconds(r["run_dir"]) for r in runs_g)
        work_b = statistics.median(
            json.loads(r["output"].splitlines()[-1])["seconds"] for r in runs_b
        )
        self.row(name, "  checks only: pytest session / replay (s)", f"{work_g:.2f} / {work_b:.2f}")
        self.row(name, "  checks only: ratio", f"{work_g / work_b:.2f}")

    # -- 3: parallel ----------------------------------------------------------------------
    def parallel(self) -> None:
        runs_s, runs_p = self.side_by_side(
            lambda: self.golive(), lambda: self.golive("-n", "2"), repeat=max(1, self.repeat - 1)
        )
        s, p = med(runs_s), med(runs_p)
        same = all(
            outcomes(r["run_dir"]) == outcomes(runs_s[0]["run_dir"]) for r in runs_s + runs_p
        )
        n = len(outcomes(runs_s[0]["run_dir"]))
        self.row("parallel", "whole suite, serial (s)", f"{s:.2f}", note=f"{n} checks")
        self.row("parallel", "whole suite, -n 2 (s)", f"{p:.2f}")
        self.row("parallel", "speed-up serial / -n 2", f"{s / p:.2f}", ">= 1.6")
        busy = [statistics.median(r.get("cores_busy", 0.0) for r in rs) for rs in (runs_s, runs_p)]
        if busy[0]:
            cores = os.cpu_count() or 1
            self.row(
                "parallel",
                f"cores busy on average, serial / -n 2 (of {cores})",
                f"{busy[0]:.2f} / {busy[1]:.2f}",
                note=f"best speed-up these cores allow: {cores / busy[0]:.2f}",
            )
        self.row("parallel", "identical results", "yes" if same else "NO")

    # -- 4: scale -------------------------------------------------------------------------
    def scenario_for(self, n: int) -> Path:
        """A scenario naming the N ready partners, read from the sandbox's own API."""
        os.environ[PARTNERS_VAR] = str(n)
        try:
            sandbox = launcher.start([], timeout=120)
        finally:
            os.environ.pop(PARTNERS_VAR)
        try:
            token = os.environ[launcher.TOKEN_VAR]
            answer = requests.get(
                f"{sandbox.url}/api/partners",
                params={"status": READY},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            answer.raise_for_status()
            partners = answer.json()
        finally:
            sandbox.stop()
        if len(partners) != n:
            raise SystemExit(f"bench: the sandbox has {len(partners)} ready partners, not {n}")
        doc = yaml.safe_load((ROOT / "scenarios" / "sandbox.yaml").read_text("utf-8"))
        doc["packs"]["partner_go_live"]["partners"] = [
            {
                "id": p["id"],
                "business_rep": p["business_rep"],
                "notification_emails": p["notification_emails"],
            }
            for p in partners
        ]
        path = self.work / f"partners-{n}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
        return path

    def scale(self, sizes: list[int]) -> None:
        seconds: dict[int, float] = {}
        for n in sizes:
            scenario = self.scenario_for(n)
            env = {PARTNERS_VAR: str(n)}
            run = self.golive("--scenario", str(scenario), "--tags", MTP_TAGS, env=env)
            checks = len(outcomes(run["run_dir"]))
            report = self.measure([sys.executable, "-m", "bench.report", str(run["run_dir"])])
            made = json.loads(report["output"].splitlines()[-1])
            seconds[n] = run["seconds"]
            self.row(
                "scale",
                f"{n} partners: run (s) / peak RSS (MiB)",
                f"{run['seconds']:.1f} / {run['peak_rss_mib']:.0f}",
                note=f"{checks} checks, {run['seconds'] / n * 1000:.0f} ms per partner",
            )
            ok = made["report"] and made["signoff"] and made["html_error"] is None
            self.row(
                "scale",
                f"{n} partners: Allure report + signoff (s)",
                f"{made['seconds']:.1f}",
                note="generated" if ok else f"NOT generated: {made['html_error']}",
            )
        slopes = [
            (seconds[big] - seconds[small]) / (big - small)
            for small, big in itertools.pairwise(sizes)
        ]
        for (small, big), slope in zip(itertools.pairwise(sizes), slopes, strict=True):
            self.row("scale", f"slope {small}->{big} partners (ms/partner)", f"{slope * 1000:.1f}")
        if len(slopes) >= 2:
            ratio = slopes[-1] / slopes[0]
            self.row("scale", "slope ratio last / first (flat: ~1)", f"{ratio:.2f}", "~1")

    # -- 5: reconciliation ------------------------------------------------------------------
    def reconcile(self, sizes: list[int]) -> None:
        from bench.reconcile import run as reconcile_run

        for n in sizes:
            figures = reconcile_run(n, 1000)
            self.row(
                "reconcile",
                f"{n} accounts: s / accounts/s / peak MiB",
                f"{figures['seconds']} / {figures['accounts_per_second']}"
                f" / {figures['peak_rss_mib']}",
                "< 30 s" if n >= 100_000 else "",
                note=f"sandbox start {figures['sandbox_start_seconds']} s,"
                f" {figures['mismatches']} mismatches",
            )

    # -- 6: start-up --------------------------------------------------------------------------
    def startup(self) -> None:
        from bench.startup import write_plain_project

        plain = self.work / "plain-pytest-bdd"
        steps = write_plain_project(ROOT / "features", plain)
        pytest_bin = str(BIN / "pytest")
        golive_cmd = [pytest_bin, "--collect-only", "-q", "-p", "no:cacheprovider", "features"]
        plain_cmd = [pytest_bin, "--collect-only", "-q", "-p", "pytest_bdd.plugin"]
        plain_cmd += [f"--rootdir={plain}", str(plain)]
        # plain pytest-bdd: pytest with the pytest-bdd plugin only, none of the other plugins
        # this virtualenv installs (Playwright, Allure, xdist, faker, anyio)
        plain_env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        self.measure(golive_cmd)  # once each, untimed: warm the byte-code and disk caches
        self.measure(plain_cmd, plain_env)
        runs_g, runs_p = self.side_by_side(
            lambda: self.measure(golive_cmd), lambda: self.measure(plain_cmd, plain_env)
        )
        for r in runs_g + runs_p:
            if r["rc"] != 0:
                raise SystemExit(f"bench: collection failed:\n{r['output'][-2000:]}")
        g, p = med(runs_g), med(runs_p)
        self.row(
            "startup",
            "golive: pytest --collect-only features (s)",
            f"{g:.2f}",
            note=collected(runs_g[0]),
        )
        self.row(
            "startup",
            "plain pytest-bdd, no-op steps (s)",
            f"{p:.2f}",
            note=f"{collected(runs_p[0])}, {steps} step texts",
        )
        self.row("startup", "ratio golive / plain", f"{g / p:.2f}", "<= 1.5")

    # -- 7: the redactor's regexes ------------------------------------------------------------
    def redact(self) -> None:
        from bench.redact import rows

        for bench, what, value, goal, note in rows(max(self.repeat, 5)):
            self.row(bench, what, value, goal, note)

    def table(self) -> str:
        head = f"| {'benchmark':<10} | {'figure':<50} | {'value':>20} | {'goal':<7} | note"
        lines = [head, "|" + "-" * 12 + "|" + "-" * 52 + "|" + "-" * 22 + "|" + "-" * 9 + "|------"]
        for r in self.rows:
            lines.append(
                f"| {r['bench']:<10} | {r['what']:<50} | {r['value']:>20} | {r['goal']:<7}"
                f" | {r['note']}"
            )
        return "\n".join(lines)


def med(runs: list[dict[str, Any]]) -> float:
    return statistics.median(r["seconds"] for r in runs)


def junit_seconds(run_dir: Path) -> float:
    suite = ET.parse(run_dir / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    return float(suite.get("time", "0"))


def outcomes(run_dir: Path) -> dict[str, str]:
    """Check name -> outcome, from the run's junit.xml."""
    found = {}
    for case in ET.parse(run_dir / "junit.xml").getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        found[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return found


def collected(run: dict[str, Any]) -> str:
    lines = [
        line
        for line in run["output"].splitlines()
        if " collected" in line or "tests collected" in line
    ]
    return lines[-1].strip() if lines else ""


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


ALL = ("api", "ui", "parallel", "scale", "reconcile", "startup", "redact")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated of {ALL}")
    parser.add_argument("--partners", default="10,100,1000", help="scale: partner counts")
    parser.add_argument("--accounts", default="10000,100000", help="reconcile: account counts")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    chosen = [name for name in args.only.split(",") if name]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="golive-bench-") as tmp:
        bench = Bench(args.repeat, Path(tmp))
        print(f"bench: {', '.join(chosen)}; {args.repeat} runs per side", file=sys.stderr)
        for name in chosen:
            if name == "api":
                bench.overhead("api", API_TAGS)
            elif name == "ui":
                bench.overhead("ui", UI_TAGS)
            elif name == "parallel":
                bench.parallel()
            elif name == "scale":
                bench.scale(sizes(args.partners))
            elif name == "reconcile":
                bench.reconcile(sizes(args.accounts))
            elif name == "startup":
                bench.startup()
            elif name == "redact":
                bench.redact()
            else:
                raise SystemExit(f"bench: unknown benchmark {name!r} (known: {', '.join(ALL)})")
    print()
    print(bench.table())
    print(
        f"\n{args.repeat} runs per side, medians; cores: {os.cpu_count()};"
        f" load average at the end: {os.getloadavg()[0]:.1f}; bench took"
        f" {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(bench.rows, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
