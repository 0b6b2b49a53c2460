"""Benchmark (not a test): what building the redactor's regexes costs a golive process.

    .venv/bin/python -m bench.redact                  # 9 runs per side
    .venv/bin/python -m bench.redact --repeat 21

Every ``golive run`` process (and every pytest-xdist worker) builds a redactor for the
run's secrets and compiles its regexes on first use. The baseline is the redactor as it
was: one alternation of every form of every secret, compiled whole
(``ReferenceRedactor``, the oracle of tests/unit/test_redact_equivalence.py, which proves
the two mask the same). Both sides run in this process, alternately (A B A B ...), each
on a fresh redactor after ``re.purge()``; the table shows the medians and their ratio.

The secrets are those of a real run: scenarios/sandbox.yaml's, with a fresh token as
``golive run`` makes one (``golive.context.secrets_of``); then, as a second set, eight
random URL-safe tokens of 24-40 characters and one basic-auth pair. For each: the first
use on a text holding no secret (most texts), on one holding the token as it is (only
that form and its prefix are compiled), and on one holding every form of every secret at
once (everything compiled: the worst case). Last, the cost of scrubbing 1 MiB of JSON
without a secret once the regexes are built, new against old.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

from golive import launcher
from golive.context import secrets_of
from golive.packs import load
from golive.redact import Redactor
from tests.unit.test_redact_equivalence import ReferenceRedactor

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, str, str, str, str]


def sandbox_redactor() -> Redactor:
    """The redactor of a golive run against the sandbox, with a fresh token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_SANDBOX_")}
    launcher.ensure_token(env)
    return secrets_of(*load(ROOT / "scenarios" / "sandbox.yaml", env=env))


def token_redactor(rng: random.Random) -> Redactor:
    alphabet = string.ascii_letters + string.digits + "-_"
    redactor = Redactor(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(24, 40))) for _ in range(8)
    )
    redactor.add_basic("svc-bench", "".join(rng.choice(alphabet) for _ in range(32)))
    return redactor


def fresh(redactor: Redactor) -> Redactor:
    copy = Redactor()
    copy._values = set(redactor._values)
    copy._forms = set(redactor._forms)
    copy._base64 = set(redactor._base64)
    return copy


def timed(work: Callable[[], object]) -> float:
    re.purge()  # re's own cache would hand back the last side's patterns
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def side_by_side(sides: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, work in sides.items():
            runs[name].append(timed(work))
    return {name: statistics.median(times) for name, times in runs.items()}


def compile_rows(name: str, redactor: Redactor, repeat: int) -> list[Row]:
    token = max(
        (v for v in redactor._values if v in redactor._forms), key=len
    )  # a secret as it is (not a basic-auth token)
    every = " ".join(sorted(redactor._forms | redactor._base64))
    clean = "nothing secret here: " + string.ascii_letters * 4
    median = side_by_side(
        {
            "old": lambda: ReferenceRedactor(redactor).pattern,
            "new, no secret": lambda: fresh(redactor).text(clean),
            "new, the token": lambda: fresh(redactor).text(f"echo {token} echo"),
            "new, every form": lambda: fresh(redactor).text(every),
        },
        repeat,
    )
    old = median["old"]
    forms = len(redactor._forms | redactor._base64)
    size = len(ReferenceRedactor(redactor).pattern.pattern)
    prefilter = len(fresh(redactor).matcher.prefilter.pattern)
    rows: list[Row] = [
        (
            "redact",
            f"{name}: old, one regex, compiled (ms)",
            f"{old * 1000:.1f}",
            "",
            f"{len(redactor._values)} values, {forms} forms, {size:,} characters of regex",
        ),
    ]
    for side, goal, note in (
        ("new, no secret", ">= 5", f"first use; the prefilter only, {prefilter:,} characters"),
        ("new, the token", "", "first use; the prefilter, then the token's own form"),
        ("new, every form", "", "first use; worst case: every form compiled, one by one"),
    ):
        rows.append(
            (
                "redact",
                f"{name}: new, {side.removeprefix('new, ')} (ms) / ratio",
                f"{median[side] * 1000:.1f} / {old / median[side]:.1f}",
                goal,
                note,
            )
        )
    return rows


def scrub_row(redactor: Redactor, repeat: int) -> Row:
    rng = random.Random(7)
    records = [
        {"id": f"{rng.getrandbits(128):032x}", "name": "x" * rng.randint(1, 20), "n": rng.random()}
        for _ in range(12_000)
    ]
    text = json.dumps(records)[: 1 << 20]
    new, old = fresh(redactor), ReferenceRedactor(redactor)
    new.text("warm"), old.text("warm")  # compiled before the clock starts
    median = side_by_side({"old": lambda: old.text(text), "new": lambda: new.text(text)}, repeat)
    return (
        "redact",
        "scrub 1 MiB of JSON, no secret: new / old (ms)",
        f"{median['new'] * 1000:.0f} / {median['old'] * 1000:.0f}",
        "~1",
        f"ratio {median['new'] / median['old']:.2f}",
    )


def rows(repeat: int) -> list[Row]:
    sandbox = sandbox_redactor()
    return [
        *compile_rows("sandbox", sandbox, repeat),
        *compile_rows("8 tokens+basic", token_redactor(random.Random(42)), repeat),
        scrub_row(sandbox, repeat),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.redact", description=__doc__)
    parser.add_argument("--repeat", type=int, default=9, help="runs of each side (median)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table = rows(args.repeat)
    width = max(len(r[1]) for r in table)
    print(f"| benchmark  | {'figure':<{width}} | {'value':>14} | goal | note")
    for bench, figure, value, goal, note in table:
        print(f"| {bench:<10} | {figure:<{width}} | {value:>14} | {goal:<4} | {note}")
    print(
        f"\n{args.repeat} runs per side, medians; cores: {os.cpu_count()}; load average at the"
        f" end: {os.getloadavg()[0]:.1f}; bench took {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
