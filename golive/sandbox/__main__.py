"""``python -m golive.sandbox``: run the built-in sandbox until interrupted.

On start it prints one line of JSON to stdout, ``{"ready": true, "url": ..., "smtp_port":
...}``, which the launcher waits for. The API token comes from ``GOLIVE_SANDBOX_TOKEN``
(one is generated and printed when it is unset, for a sandbox run by hand).

Started by the launcher (``GOLIVE_SANDBOX_FAULT_ANSWER`` set), it answers for its faults
first, before it loads any data, in a line of its own: ``{"faults": "accepted"}``, then
goes on; or ``{"unknown_faults": [...], "known": [...]}`` and exit 3. ``golive run``
waits for that answer alone before it makes the run folder, so a misspelt
``--sandbox-fault`` is refused with nothing made and without a process of its own to ask
(the rest of the start-up overlaps with pytest's). Run by hand, it prints no such line
and an unknown fault ends it with a message (exit 1).

Its database lives in a temporary folder that is removed when it stops: on SIGTERM, SIGINT
(Ctrl-C) or SIGHUP, also while it is still loading its data. Started by the launcher, it
dies with the process named by ``GOLIVE_SANDBOX_PARENT``, even one killed with SIGKILL
(Linux: ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import NoReturn

PARENT_VAR = "GOLIVE_SANDBOX_PARENT"  # golive/launcher.py
FAULT_ANSWER_VAR = "GOLIVE_SANDBOX_FAULT_ANSWER"  # golive/launcher.py: answer for the faults
EXIT_UNKNOWN_FAULT = 3  # golive/launcher.py
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """Ask Linux for SIGTERM when the launching process ends, however it ends; exit now
    if it has already gone (then this process was handed to another parent)."""
    parent = os.environ.get(PARENT_VAR)
    if not parent or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if str(os.getppid()) != parent:
        raise SystemExit(0)


if __name__ == "__main__":
    # before the imports below, which take a second or more on a busy machine: a launcher
    # killed meanwhile takes this process with it, instead of leaving it to finish loading
    die_with_parent()

import uvicorn  # noqa: E402

from . import domains as fault_table  # noqa: E402
from .app import create_app  # noqa: E402
from .common import Fault, Settings  # noqa: E402
from .db import BASE_SCHEMA, Database  # noqa: E402
from .mail import start_capture  # noqa: E402
from .partners import PARTNERS_VAR  # noqa: E402

DEFAULT_SEED = 20261122


USAGE = """\
Run the built-in sandbox: the partner platform, integration hub, e-invoicing provider,
EDI monitor and billing system that golive's checklists check, with their web pages and
a capture mailbox, on loopback, until Ctrl-C. It prints one line of JSON with its URL.
Each --fault breaks one checklist item the way a real system breaks."""
EPILOG = """\
The API token is GOLIVE_SANDBOX_TOKEN (one is made up and printed when it is unset).

examples:
  golive sandbox --list-faults                 every fault and the item it breaks
  golive sandbox --port 8000                   serve on http://127.0.0.1:8000
  golive sandbox --fault buyers-empty          MTP-06 fails for TP-1003
"""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="golive sandbox",
        description=USAGE,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=0, help="HTTP port (default: 0, any free port)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="inject a named fault; repeatable (default: none; --list-faults lists them)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"faker seed for all data (default: {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        metavar="N",
        help="billing accounts to generate (default: a few dozen; the bench uses 100,000)",
    )
    parser.add_argument(
        "--partners",
        type=int,
        metavar="N",
        help="trading partners ready for production (default: 3; the bench uses up to 1,000)",
    )
    parser.add_argument(
        "--list-faults", action="store_true", help="print the faults and exit (default: off)"
    )
    parser.add_argument(
        "--json", action="store_true", help="with --list-faults: as JSON (default: a table)"
    )
    return parser.parse_args(argv)


def list_faults(as_json: bool) -> None:
    if as_json:
        rows = [
            {
                "name": f.name,
                "breaks": f.breaks,
                "subject": f.subject,
                "description": f.description,
                "shows": f.shows,
            }
            for f in fault_table.FAULTS
        ]
        print(json.dumps(rows, indent=2))
        return
    width = max(len(f.name) for f in fault_table.FAULTS)
    for f in fault_table.FAULTS:
        print(f"{f.name:<{width}}  {f.breaks:<7} {f.subject:<8} {f.description}")


class Stopped(KeyboardInterrupt):
    """What ``stop`` raises: a ``KeyboardInterrupt`` that is not the built-in class itself,
    which CPython, once it has left an ``exec`` of source text, turns into an end by SIGINT
    whatever ``main`` returns (golive/cli.py's ``Stopped`` says more)."""


def stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM, SIGHUP and Ctrl-C end the sandbox alike (uvicorn handles them itself
    while it serves), so the ``finally`` below removes the database folder."""
    raise Stopped(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.list_faults:
        try:
            list_faults(args.json)
            sys.stdout.flush()
        except BrokenPipeError:  # `--list-faults | head`: the reader has what it wanted
            # https://docs.python.org/3/library/signal.html#note-on-sigpipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + signal.SIGPIPE  # as a shell reports a writer its reader left
        return 0
    try:
        return serve(args)
    except KeyboardInterrupt:
        return 0


def serve(args: argparse.Namespace) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop)
    die_with_parent()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        print("golive sandbox: listens on loopback only", file=sys.stderr)
        return 2
    faults = answer_faults(args.fault)
    if faults is None:
        return EXIT_UNKNOWN_FAULT
    if args.accounts is not None:
        os.environ["GOLIVE_SANDBOX_ACCOUNTS"] = str(args.accounts)
    if args.partners is not None:
        os.environ[PARTNERS_VAR] = str(args.partners)
    token = os.environ.get("GOLIVE_SANDBOX_TOKEN") or secrets.token_urlsafe(24)
    workdir = Path(tempfile.mkdtemp(prefix="golive-sandbox-"))
    try:
        run(args, faults, token, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def answer_faults(names: list[str]) -> list[Fault] | None:
    """The faults ``names`` asks for, checked before anything is loaded. For the launcher
    (``GOLIVE_SANDBOX_FAULT_ANSWER``): its answer printed on a line of its own, and None
    when a name is no fault's; by hand, an unknown name ends the sandbox with a message."""
    if not os.environ.get(FAULT_ANSWER_VAR):
        return fault_table.resolve(names)
    unknown = [n for n in names if n not in fault_table.BY_NAME]
    if unknown:
        known = [f.name for f in fault_table.FAULTS]
        print(json.dumps({"unknown_faults": unknown, "known": known}), flush=True)
        return None
    print(json.dumps({"faults": "accepted"}), flush=True)
    return fault_table.resolve(names)


def run(args: argparse.Namespace, faults: list[Fault], token: str, workdir: Path) -> None:
    db = Database(workdir / "sandbox.sqlite3")
    db.create(BASE_SCHEMA)
    for domain in fault_table.DOMAINS:
        domain.load(db, args.seed)
    for fault in faults:
        if fault.apply is not None:
            fault.apply(db)
    smtp = start_capture(db, args.host)
    try:
        settings = Settings(db, token, smtp.hostname, smtp.port, faults)
        serve_http(args, settings, smtp.port, faults, token)
    finally:
        smtp.stop()


def serve_http(
    args: argparse.Namespace, settings: Settings, smtp_port: int, faults: list[Fault], token: str
) -> None:
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it every keep-alive response body waits ~40 ms behind Nagle + delayed ACK.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit this: without it a keep-alive client waits ~40 ms per
    # response (Nagle against delayed ACK), which made a checklist's run 10x slower
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="off"
    )
    server = Server(config)
    ready = {
        "ready": True,
        "url": f"http://{args.host}:{port}",
        "smtp_port": smtp_port,
        "faults": [f.name for f in faults],
        "pid": os.getpid(),
    }
    if "GOLIVE_SANDBOX_TOKEN" not in os.environ:
        print(f"token: {token}", file=sys.stderr)
    server.ready_line = json.dumps(ready)
    server.run(sockets=[sock])  # until SIGTERM or SIGINT (uvicorn's own handlers)


class Server(uvicorn.Server):
    """uvicorn's server, printing the ready line once it serves. Printed any earlier, a
    signal sent on seeing it could land before uvicorn's handlers are in place, halfway
    through setting up the event loop."""

    ready_line = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        print(self.ready_line, flush=True)


def exit_now(code: int) -> NoReturn:
    """End the process once ``main`` has cleaned up (its database folder is gone): its
    output flushed, without the interpreter's own teardown of every module and object,
    which cost a sandbox 0.2 s of CPU after SIGTERM, for nothing anyone reads. A second
    signal meanwhile changes nothing: it is ending."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
