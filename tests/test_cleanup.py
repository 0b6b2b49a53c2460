"""What a run leaves behind, and what a user sees on every run (issue 12, items 4 and 5).

Every ``golive run`` and ``golive sandbox`` leaves its temporary folder (``TMPDIR``, set to
a fresh folder per test) empty: after a normal run, after SIGTERM or SIGINT, when an
xdist worker dies, and, after a SIGKILL, once the next run has started. No process the run
started (the sandbox, Playwright's driver, Chromium) outlives it: each test marks its run
with an environment variable that every descendant inherits and looks for it in /proc.
The output has no warnings; a reader that closes the pipe early gets no traceback; an
argument error answers before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, golive_env

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")

MARKER_VAR = "GOLIVE_TEST_MARKER"
DEADLINE = 120.0  # generous: the machine may be busy; nothing here waits for it to pass


def marked(marker: str) -> dict[int, tuple[int, str]]:
    """Processes whose environment carries ``MARKER_VAR=marker``: pid -> (ppid, cmdline)."""
    needle = f"{MARKER_VAR}={marker}".encode()
    found: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state[0] != "Z":  # a zombie has ended; only its exit status is left
            found[int(entry.name)] = (int(state[1]), cmdline)
    return found


def wait_for(what: str, condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended (exit {process.returncode}) before {what}:\n{out}{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {DEADLINE:.0f} s")
        time.sleep(0.05)


def outlived(marker: str) -> dict[int, tuple[int, str]]:
    """The marked processes still there once the run has ended, given a moment to finish
    exiting (a process in its last system calls still shows in /proc)."""
    deadline = time.monotonic() + 10
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The run's TMPDIR: a fresh, empty folder."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def marker() -> Iterator[str]:
    """A mark for this test's processes; whatever still carries it at the end is ended."""
    mark = uuid.uuid4().hex
    yield mark
    for pid in marked(mark):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def start(tmp_path: Path, scratch: Path, marker: str, *args: str) -> subprocess.Popen[str]:
    """``golive ARGS`` in the background, its temporary files in ``scratch``."""
    if args[0] == "run":
        args = ("run", "--output", str(tmp_path / "reports"), *args[1:])
    return subprocess.Popen(
        [sys.executable, "-m", "golive", *args],
        cwd=ROOT,
        env=golive_env(TMPDIR=str(scratch), **{MARKER_VAR: marker}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_run_prints_no_warning_and_leaves_no_temporary_folder(
    golive_cli: Callable[..., Run], scratch: Path
) -> None:
    run = golive_cli("run", "--no-html", "--tags", "MTP-01", env=golive_env(TMPDIR=str(scratch)))
    assert run.code == 0, run.stdout + run.stderr
    warnings = [line for line in (run.stdout + run.stderr).splitlines() if "Warning" in line]
    assert not warnings, run.stdout + run.stderr
    assert not list(scratch.iterdir())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_sandbox_leaves_no_temporary_folder(
    tmp_path: Path, scratch: Path, marker: str, signum: int
) -> None:
    process = start(tmp_path, scratch, marker, "sandbox")
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], DEADLINE)
    assert ready, f"the sandbox printed no ready line within {DEADLINE:.0f} s"
    assert '"ready": true' in process.stdout.readline()
    assert [p.name[:15] for p in scratch.iterdir()] == ["golive-sandbox-"]  # its database
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    assert not list(scratch.iterdir())


def test_a_run_stopped_by_sigterm_leaves_no_process_and_no_temporary_folder(
    tmp_path: Path, scratch: Path, marker: str
) -> None:
    """Stopped while its browser is open: the sandbox, Playwright's driver and Chromium
    end with the run, which still writes a signoff that says it could not be judged."""
    process = start(tmp_path, scratch, marker, "run", "--tags", "ERP-07")

    def browser_open() -> bool:
        commands = [cmd for _, cmd in marked(marker).values()]
        return any("chrom" in c for c in commands) and any("golive.sandbox" in c for c in commands)

    try:
        wait_for("a browser and the sandbox", browser_open, process)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        process.kill()
    assert process.returncode == 2, out + err
    assert "golive: NO-GO (could not be judged)" in out, out + err
    assert "not generated: the run was stopped by a signal" in out
    assert not outlived(marker)
    assert not list(scratch.iterdir())


def test_a_dead_worker_leaves_no_process_and_no_temporary_folder(
    tmp_path: Path, scratch: Path, marker: str
) -> None:
    """An xdist worker killed outright (SIGKILL) while its browser is open: the run goes
    on without it, and what the worker had in the temporary folder goes with the run's."""
    process = start(tmp_path, scratch, marker, "run", "--no-html", "--tags", "ERP-07", "-n", "2")
    found: list[int] = []

    def worker_with_browser() -> bool:
        procs = marked(marker)
        for pid, (_, cmd) in procs.items():
            if "chrom" in cmd:
                while pid in procs and procs[pid][0] != process.pid:
                    pid = procs[pid][0]  # up to the worker: golive's child
                if pid in procs:
                    found.append(pid)
                    return True
        return False

    try:
        wait_for("a worker with a browser", worker_with_browser, process)
        os.kill(found[0], signal.SIGKILL)
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        process.kill()
    assert process.returncode == 1, out + err
    assert "crashed while running" in out, out + err
    assert not outlived(marker)
    assert not list(scratch.iterdir())


def test_a_killed_run_takes_its_sandbox_and_the_next_run_its_folder(
    tmp_path: Path, scratch: Path, marker: str
) -> None:
    """SIGKILL leaves golive no clean-up: the sandbox still ends (it dies with its parent)
    and the folder the killed run left is removed by the next run."""
    process = start(tmp_path, scratch, marker, "run", "--no-html", "--tags", "MTP-01")

    def sandbox() -> bool:
        return any("golive.sandbox" in cmd for _, cmd in marked(marker).values())

    try:
        wait_for("the sandbox", sandbox, process)
        process.kill()
        process.communicate(timeout=60)
    finally:
        process.kill()
    assert not outlived(marker)
    assert [p.name[:11] for p in scratch.iterdir()] == ["golive-run-"]
    again = start(tmp_path, scratch, marker, "run", "--no-html", "--tags", "MTP-01")
    out, err = again.communicate(timeout=DEADLINE)
    assert again.returncode == 0, out + err
    assert not list(scratch.iterdir())


@pytest.mark.parametrize("case", ["misspelt fault", "output is a file", "SIGTERM at once"])
def test_a_run_that_ends_before_its_run_folder_leaves_no_sandbox(
    tmp_path: Path, scratch: Path, marker: str, case: str
) -> None:
    """``golive run`` starts its sandbox before it has checked all its inputs (the sandbox
    answers for its faults first, golive/launcher.py): a run refused after that, or stopped
    meanwhile, still ends its sandbox, and a refused one makes no run folder."""
    reports = tmp_path / "reports"
    if case == "output is a file":
        reports.write_text("not a folder")
    fault = "buyers-emty" if case == "misspelt fault" else "buyers-empty"
    process = start(tmp_path, scratch, marker, "run", "--no-html", "--sandbox-fault", fault)
    try:
        if case == "SIGTERM at once":
            wait_for(
                "the sandbox",
                lambda: any("golive.sandbox" in c for _, c in marked(marker).values()),
                process,
            )
            process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        process.kill()
    assert process.returncode == 2, out + err
    expected = {
        "misspelt fault": "golive: --sandbox-fault buyers-emty: the sandbox has no such fault;",
        "output is a file": f"golive: --output {reports}: expected a folder, found a file",
        "SIGTERM at once": "could not be judged",  # stopped before pytest, or in it
    }[case]
    assert expected in out + err, out + err
    assert "Traceback" not in err, err
    assert not outlived(marker)
    assert not list(scratch.iterdir())
    if case != "SIGTERM at once":  # stopped, it may have got as far as its run folder
        assert not reports.is_dir()


# A signal that lands while source text is exec'd (dataclasses, namedtuple and others do
# that while a run imports): the replaced step signals its own process from inside an exec.
STOPPED_IN_EXEC = """
import os, signal, sys
from golive import cli
from golive.sandbox import __main__ as sandbox

def stopped_in_exec(*args):
    exec("os.kill(os.getpid(), signal.SIGTERM); signal.pause()")

cli.run_checks = sandbox.run = stopped_in_exec
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("args", "code"), [(("run", "--no-html"), 2), (("sandbox",), 0)], ids=["run", "sandbox"]
)
def test_a_signal_inside_an_exec_still_ends_with_the_documented_code(
    tmp_path: Path, scratch: Path, args: tuple[str, ...], code: int
) -> None:
    """CPython 3.11 ends a ``python -m`` process by SIGINT (-2), whatever it returns, once a
    bare ``KeyboardInterrupt`` has left an ``exec`` of source text, even one caught later.
    A run stopped at such a moment must still exit 2, a stopped sandbox 0: the handlers
    raise a subclass, which is not marked (golive/cli.py, ``Stopped``)."""
    (tmp_path / "stopped_in_exec.py").write_text(STOPPED_IN_EXEC)
    # executed, not forked (golive_process): what is under test is how the interpreter
    # started by ``python -m`` ends, which a forked child does not reach
    done = subprocess.run(
        [sys.executable, "-m", "stopped_in_exec", *args],
        cwd=tmp_path,
        env=golive_env(TMPDIR=str(scratch), PYTHONPATH=str(ROOT)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert not list(scratch.iterdir())


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"), reason="Linux pipes")
def test_a_reader_that_closes_early_gets_no_traceback(tmp_path: Path) -> None:
    """``golive sandbox --list-faults | head -1``, made certain: the pipe holds one page,
    so the list is still being written when the reader closes after one line."""
    import fcntl

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [sys.executable, "-m", "golive", "sandbox", "--list-faults"],
        cwd=ROOT,
        env=golive_env(),
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(read_end, 1)
        assert byte, "the list ended before its first line did"
        line += byte
    os.close(read_end)
    _, err = process.communicate(timeout=60)
    assert line.split()[0] == b"change-request-open", line
    assert err == "", err
    assert process.returncode == 128 + signal.SIGPIPE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "argument -n/--workers: expected a positive whole number or 'auto'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_an_argument_error_is_refused_before_anything_starts(
    golive_cli: Callable[..., Run], args: list[str], message: str
) -> None:
    run = golive_cli("run", *args)
    assert run.code == 2
    assert message in run.stderr, run.stderr
    assert not run.out.exists()


def test_the_command_imports_nothing_heavy_before_its_arguments_are_read() -> None:
    """What makes an argument error fast, and keeps pytest-bdd and golive.plugin for
    pytest to import (it rewrites their asserts; imported earlier, it warns it cannot)."""
    heavy = ["pytest", "_pytest", "pytest_bdd", "pydantic", "requests", "yaml", "golive.plugin"]
    probe = (
        "import sys, golive.cli; "
        f"print(sorted(m for m in sys.modules if m in {heavy!r} or m.split('.')[0] in {heavy!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
