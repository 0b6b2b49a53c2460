"""``python -m golive ARGS`` for the suite, in a process forked from a server that has
already imported what every golive command imports: pytest, pydantic, requests,
Playwright's client, golive's own core. A small ``golive run`` spends most of its CPU on
those imports (2.3-2.5 s of CPU a run, 1.5 s of it forked; tests/README.md, "Speed"), and
the suite makes a few hundred golive processes.

The command still runs in a process of its own, as ``python -m golive`` would: its own
pid, the environment and working folder the test gives it, stdin from /dev/null, stdout
and stderr captured apart, ``sys.path`` as a new interpreter in that folder has it, the
signals the test process ignores ignored (a suite run in the background or under nohup
ignores SIGINT) and every other reset, the exit code, or the signal that killed it. Only
the imports are shared, and of them only modules that no run rewrites: pytest rewrites
the assertions of the plugins a run loads (``-p``, ``pytest_plugins``: golive.plugin, its
fixtures, the packs' step modules), and a plugin imported before pytest would warn that
it cannot be. They are not preloaded, nor is anything of the sandbox (a process of its
own, which the run starts).

A command is executed afresh, not forked, when its environment changes how an interpreter
starts (``LD_PRELOAD``: faketime's clocks; ``PYTHON*`` settings other than those a new
interpreter reads the same way): see ``forkable``. Tests that signal or time a golive
process start it themselves (``subprocess.Popen``).

multiprocessing's forkserver is the server: one per test process, started at its first
command, ending with that process.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
# Imported once, by the server. Not the plugins a run loads (see above); a module listed
# here must read nothing of the environment at import (the commands' environments differ).
PRELOAD = (
    "tests.forkrun",  # first: the child's target, and the interpreter's state before the rest
    "pytest",
    "_pytest.assertion.rewrite",
    "_pytest.fixtures",
    "_pytest.junitxml",
    "_pytest.main",
    "_pytest.python",
    "_pytest.terminal",
    "allure",
    "allure_commons",
    "cryptography.hazmat.primitives.serialization",
    "execnet",
    "jinja2",
    "playwright.sync_api",
    "pydantic",
    "pytest_bdd.gherkin_parser",
    "pytest_bdd.parser",
    "pytest_bdd.scenario",
    "requests",
    "yaml",
    "golive.attest",
    "golive.cli",
    "golive.config",
    "golive.context",
    "golive.integrity",
    "golive.launcher",
    "golive.report",
    "golive.signoff",
    "golive.verdict",
)
EXEC_VAR = "GOLIVE_TESTS_EXEC"
# stdio's encoding and error handlers come from the server's start: the same locale only
LOCALE = ("LC_ALL", "LC_CTYPE", "LANG")
# What a new interpreter reads of these, a forked child is given too (``_child``).
SAME_START = frozenset({"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH"})
# Exec keeps a signal the caller ignores and resets every other to its default; of these,
# subprocess's restore_signals resets to the default those Python ignores (then ignores).
SETTABLE = tuple(s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP))
RESTORED = frozenset({signal.SIGPIPE, signal.SIGXFSZ})

# the server's state before it imports anything else (this module is its first import)
_WARNING_FILTERS = list(warnings.filters)
_context: multiprocessing.context.ForkServerContext | None = None
_lock = threading.Lock()
_base_path: list[str] | None = None


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def forkable(env: dict[str, str]) -> bool:
    """Whether a command with this environment starts in a forked process as it would in a
    new interpreter. ``GOLIVE_TESTS_EXEC=1`` in the suite's environment executes every
    command afresh (to compare, or to rule the server out)."""
    if os.environ.get(EXEC_VAR) == "1" or "LD_PRELOAD" in env:
        return False
    if any(env.get(k) != os.environ.get(k) for k in LOCALE):
        return False
    return all(k in SAME_START for k in env if k.startswith("PYTHON"))


def base_path() -> list[str]:
    """A new interpreter's ``sys.path`` without its first entry and without PYTHONPATH."""
    global _base_path
    if _base_path is None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        found = subprocess.run(
            [sys.executable, "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd="/",
        )
        _base_path = list(json.loads(found.stdout))
    return _base_path


def server() -> multiprocessing.context.ForkServerContext:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(PRELOAD))
            _context = context
    return _context


def run(
    args: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    module: str = "golive",
    fork: bool | None = None,
    prefix: list[str] | None = None,
) -> Done:
    """``python -m MODULE *args`` (golive) in ``cwd`` with ``env``, to its end; stdout
    and stderr go through two files of the suite's temporary folder, removed after. Past
    ``timeout`` it is killed and ``subprocess.TimeoutExpired`` raised, as
    ``subprocess.run`` does. ``fork``: forked (True) or executed (False); by default
    forked when ``forkable``. ``prefix``: a command the interpreter is started by
    (``faketime CLOCK``), so always executed."""
    if prefix or not (forkable(env) if fork is None else fork):
        done = subprocess.run(
            [*(prefix or []), sys.executable, "-m", module, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        return Done(done.returncode, done.stdout, done.stderr)
    out, err = _scratch("stdout"), _scratch("stderr")
    # what an executed child would inherit ignored (a suite run in the background: SIGINT)
    ignored = [int(s) for s in SETTABLE if s not in RESTORED and _ignored(s)]
    process = server().Process(  # type: ignore[attr-defined]
        target=_child,
        args=(module, list(args), dict(env), str(cwd), base_path(), str(out), str(err), ignored),
    )
    try:
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired([module, *args], timeout)
        return Done(process.exitcode, _read(out), _read(err))
    finally:
        out.unlink()
        err.unlink()


def _ignored(signum: int) -> bool:
    try:
        return signal.getsignal(signum) == signal.SIG_IGN
    except ValueError:  # not a signal this platform has
        return False


def _scratch(stream: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=f"forkrun-{stream}-")
    os.close(handle)
    return Path(name)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", errors="replace", newline=None) as f:
        return f.read()


def _child(
    module: str,
    args: list[str],
    env: dict[str, str],
    cwd: str,
    base: list[str],
    out: str,
    err: str,
    ignored: list[int],
) -> None:
    """In the forked process: become ``python -m MODULE *args`` started in ``cwd``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    extra = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = list(dict.fromkeys([os.getcwd(), *extra, *base]))
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    tempfile.tempdir = None  # TMPDIR is read again
    warnings.filters[:] = _WARNING_FILTERS
    for fd, name, flags in (
        (0, os.devnull, os.O_RDONLY),
        (1, out, os.O_WRONLY),
        (2, err, os.O_WRONLY),
    ):
        opened = os.open(name, flags)
        os.dup2(opened, fd)
        os.close(opened)
    # the encodings and error handlers the server's interpreter chose for the same locale
    sys.stdin = _stream(0, "r", sys.__stdin__)
    sys.stdout = _stream(1, "w", sys.__stdout__, write_through=bool(env.get("PYTHONUNBUFFERED")))
    sys.stderr = _stream(2, "w", sys.__stderr__, line_buffering=True)
    # as a new interpreter started by the caller has them: what the caller ignores stays
    # ignored, the rest is reset; then Python's own: SIGPIPE and SIGXFSZ ignored, and
    # SIGINT raising KeyboardInterrupt unless it was ignored
    for signum in SETTABLE:
        with contextlib.suppress(OSError, ValueError):  # the ones the C library keeps
            signal.signal(signum, signal.SIG_IGN if signum in ignored else signal.SIG_DFL)
    for signum in RESTORED:
        signal.signal(signum, signal.SIG_IGN)
    if signal.SIGINT not in ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["-m", *args]  # runpy puts the module's file first, as -m does
    code, interrupted = 1, False
    try:
        import runpy

        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop)
    except BaseException as error:  # uncaught: its traceback, as the interpreter prints it
        import traceback

        traceback.print_exc()
        interrupted = isinstance(error, KeyboardInterrupt)
    finally:
        threading._shutdown()  # type: ignore[attr-defined]  # as at interpreter exit, then atexit
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    if interrupted:  # the interpreter ends by the signal itself (exit -2, not 1)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


def _stream(fd: int, mode: str, like: TextIO | None, **options: bool) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    encoding = like.encoding if like is not None else "utf-8"
    errors = like.errors if like is not None else "strict"
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, **options)


def _exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1
