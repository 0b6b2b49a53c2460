"""``python -m tests.forkprobe [EXIT] [sleep|raise|interrupt]``: prints, as one line of
JSON, what a program started this way sees of its start (tests/test_forkrun.py compares
a forked start with an executed one), then ends with EXIT."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import warnings


def facts() -> dict[str, object]:
    return {
        "argv": sys.argv,
        "cwd": os.getcwd(),
        "path": sys.path,
        "environ": dict(os.environ),
        "tempdir": tempfile.gettempdir(),
        "stdin": sys.stdin.read(),
        "stdin_tty": sys.stdin.isatty(),
        "stdout": [sys.stdout.encoding, sys.stdout.errors, sys.stdout.isatty()],
        "stderr": [sys.stderr.encoding, sys.stderr.errors, sys.stderr.isatty()],
        "signals": {
            s.name: str(signal.getsignal(s))
            for s in (
                signal.SIGINT,
                signal.SIGHUP,
                signal.SIGQUIT,
                signal.SIGTERM,
                signal.SIGUSR1,
                signal.SIGPIPE,
                signal.SIGXFSZ,
                signal.SIGCHLD,
            )
        },
        "dont_write_bytecode": sys.dont_write_bytecode,
        "warnings": [repr(f) for f in warnings.filters],
        "main": __name__,
    }


if __name__ == "__main__":
    print(json.dumps(facts()))
    print("to stderr: é", file=sys.stderr)
    then = sys.argv[2] if len(sys.argv) > 2 else ""
    if then == "sleep":
        time.sleep(60)
    elif then == "raise":
        raise RuntimeError("probe failed")
    elif then == "interrupt":
        raise KeyboardInterrupt
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
