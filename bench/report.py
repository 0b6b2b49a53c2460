"""Generate the Allure report and the signoff of a finished run, timed.

    python -m bench.report RUN_DIR

What ``golive run`` does after the checks (``golive.cli.finish``): judge the run from its
files, generate the Allure HTML report, write the signoff and the manifest. Prints one JSON
line with the seconds it took and whether the report and the signoff were written.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from golive.cli import finish


def main(argv: list[str]) -> int:
    run_dir = Path(argv[0]).resolve()
    started = time.perf_counter()
    verdict, html_error = finish(run_dir, html=True)
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "decision": verdict.decision,
        "html_error": html_error,
        "report": (run_dir / "allure-report" / "index.html").exists(),
        "signoff": (run_dir / "signoff.html").exists(),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
