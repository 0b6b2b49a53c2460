"""Run one command and report its wall time and the peak memory of its process tree.

    python -m bench.measure OUTPUT_FILE -- CMD...

Prints one JSON line: ``seconds``, ``rc`` and ``peak_rss_mib``, the largest resident set of
any process of the tree that has ended (``getrusage(RUSAGE_CHILDREN)``: the golive process
or the sandbox it started, whichever peaked higher). A fresh process per measurement, since
that figure only grows. The command's output goes to OUTPUT_FILE. On Linux, also
``cores_busy``: how many of the machine's cores were busy on average while the command ran
(``/proc/stat``, every process on the machine: the command's whole tree, Chromium
included, and whatever else runs), which bounds what running in parallel can gain.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def busy_seconds() -> float | None:
    """CPU seconds the machine has spent busy (all cores, not idle or waiting on I/O)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    output, cmd = argv[0], argv[2:]
    with open(output, "w", encoding="utf-8") as out:
        busy_before = busy_seconds()
        started = time.perf_counter()
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        seconds = time.perf_counter() - started
        busy_after = busy_seconds()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures: dict[str, object] = {"seconds": seconds, "rc": rc, "peak_rss_mib": round(peak, 1)}
    if busy_before is not None and busy_after is not None and seconds > 0:
        figures["cores_busy"] = round((busy_after - busy_before) / seconds, 2)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
