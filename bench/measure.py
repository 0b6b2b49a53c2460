"""Run one command and report its wall time and the peak memory of its process tree.

    python -m bench.measure OUTPUT_FILE -- CMD...

Prints one JSON line: ``seconds``, ``rc`` and ``peak_rss_mib``, the largest resident set of
any process of the tree that has ended (``getrusage(RUSAGE_CHILDREN)``: the golive process
or the sandbox it started, whichever peaked higher). A fresh process per measurement, since
that figure only grows. The command's output goes to OUTPUT_FILE.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    output, cmd = argv[0], argv[2:]
    with open(output, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rc": rc, "peak_rss_mib": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
