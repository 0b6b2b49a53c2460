"""The ``golive`` command.

    golive run [--scenario FILE] [--tags EXPR] [--sandbox-fault NAME]... [--output DIR]
               [--no-html] [-- PYTEST_ARGS]
    golive gate RUN_DIR [--public-key FILE]
    golive signoff approve|reject RUN_DIR --by NAME --role ROLE [--comment TEXT]
    golive verify RUN_DIR [--public-key FILE]
    golive merge RUN_DIR... [--output DIR] [--public-key FILE] [--unsigned]
    golive keygen [--out PREFIX]
    golive sandbox [--port N] [--fault NAME]... [--list-faults]

Exit codes: 0 GO, 1 NO-GO, 2 the run could not be judged (bad input, harness error).
Never 0 when a check could not run.
"""

from __future__ import annotations

# Only the standard library at module level: `golive run --bogus` answers before pydantic,
# requests or pytest are loaded, and golive.plugin and pytest-bdd are first imported by
# pytest itself, which rewrites their asserts (imported earlier, pytest warns it cannot).
import argparse
import contextlib
import fcntl
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from . import __version__, clock  # clock: the standard library only

if TYPE_CHECKING:
    import pytest

    from .context import RunContext
    from .launcher import StartingSandbox
    from .verdict import Verdict

EXIT_GO, EXIT_NO_GO, EXIT_UNJUDGED = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell reports for a reader gone away
SCRATCH_PREFIX = "golive-run-"
SCRATCH_LOCK = ".lock"


def _now() -> str:
    return clock.stamp(clock.now())


def _ran_by() -> str:
    import getpass

    for var in ("GOLIVE_RAN_BY", "GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


WORKERS_PER_CORE = 4  # -n above cores x this is refused: processes that only wait


def workers(value: str) -> str:
    """``-n``: a positive whole number or ``auto``, refused here (exit 2, before anything
    starts) rather than by pytest-xdist halfway into a run. At most ``WORKERS_PER_CORE``
    workers per core: checks mostly wait on the network, but beyond that each process
    only adds start-up time and memory."""
    if value == "auto":
        return value
    if not (value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number or 'auto', got {value!r}"
        )
    most = (os.cpu_count() or 1) * WORKERS_PER_CORE
    if int(value) > most:
        raise argparse.ArgumentTypeError(
            f"expected at most {most} ({WORKERS_PER_CORE} per core on this machine), got {value}"
        )
    return value


def writable_folder(path: Path) -> Path:
    """``--output``: a folder golive can write in (made when missing), or ``InputError``."""
    from .errors import InputError

    if path.exists() and not path.is_dir():
        raise InputError(f"--output {path}: expected a folder, found a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".golive-probe-"):
            pass
    except OSError as exc:
        raise InputError(
            f"--output {path}: expected a folder golive can write in ({exc.strerror or exc})"
        ) from None
    return path


EXIT_CODES = """\
exit codes:
  0  GO, or GO WITH WAIVERS: every blocking item passed or is covered by a valid waiver
  1  NO-GO: a blocking item failed; an item broke, was not run or has no result; or
     zero checks ran
  2  the run could not be judged: bad input (scenario, arguments), a harness error,
     corrupt results
"""
EXAMPLES = """\
examples:
  golive run                                     every checklist against the built-in sandbox
  golive run --scenario acme.yaml -n 2           a real environment, two processes
  golive run --tags "MTP-06 or blocker"          only the items these Gherkin tags select
  golive run --sandbox-fault buyers-empty        a NO-GO to look at: MTP-06 fails for TP-1003
  golive gate reports/latest                     re-judge a finished run (a CI gate)
  golive signoff approve reports/latest --by "Jane Roe" --role "release manager"
  golive verify reports/latest --public-key golive.pub
  golive sandbox --list-faults                   the faults the built-in sandbox can inject
  golive init my-suite --pack orders --prefix ORD   a team's own suite, with one pack
  golive check --scenario acme.yaml              the packs and the scenario, nothing contacted
"""
RUN_EPILOG = """\
-- PYTEST_ARGS
  After "--", only options that change how results are shown pass to pytest: -v, -q, -s,
  -l, -x, --maxfail, -r..., --tb, --headed, --slowmo, --tracing, --video, --screenshot,
  --durations, --color, --capture, --log-level. Anything that could narrow the plan,
  change the scenario or move the results (-k, -m, paths, -p, -c, --lf, ...) is refused
  with exit 2 before anything runs, there or in PYTEST_ADDOPTS. Default: none.

examples:
  golive run --tags MTP-06 --sandbox-fault buyers-empty --no-html
  golive run --scenario scenarios/acme.yaml --waivers waivers.yaml -n 4
  golive run --tags "ERP-07" -- --headed --slowmo 250

"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Epilogs as written; an option whose help does not say its default gets it said."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            "default" in text
            or not action.option_strings
            or action.default in (None, argparse.SUPPRESS)
        ):
            return text
        if action.default is False or action.default == []:
            return f"{text} (default: off)" if action.default is False else text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """golive's parsers, its subcommands' too (argparse makes them of the top's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


TRUSTED_KEY = (
    "the Ed25519 public key to trust (PEM; default: env GOLIVE_PUBLIC_KEY_FILE, else the"
    " public half of GOLIVE_SIGNING_KEY_FILE)"
)


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="golive",
        description="Go-live verification harness: checks each checklist item against the"
        " real systems and ends every run with a signoff, an Allure report and a GO / NO-GO"
        " verdict that a CI gate obeys.",
        epilog=f"{EXIT_CODES}\n{EXAMPLES}\n'golive COMMAND --help' tells more about each.",
    )
    top.add_argument("--version", action="version", version=f"golive {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run the checklists and write the signoff",
        description="Run the checklists of a scenario, judge the results, and write the run"
        " folder: signoff.html|md|json, the Allure report, junit.xml, manifest.json.",
        epilog=f"{RUN_EPILOG}{EXIT_CODES}",
    )
    run.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="the run's input: environment, systems, subjects, policy (README.md; default:"
        " scenarios/sandbox.yaml, the built-in sandbox)",
    )
    run.add_argument(
        "--tags",
        metavar="EXPR",
        help="select items by Gherkin tag expression, e.g. 'MTP-06 or blocker', 'api and not"
        " mutating' (pytest -m syntax; default: every item)",
    )
    run.add_argument(
        "--sandbox-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="start the built-in sandbox with this fault; repeatable (default: none; golive"
        " sandbox --list-faults lists them)",
    )
    run.add_argument(
        "--output",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="folder that receives the run folder and 'latest' (default: reports)",
    )
    run.add_argument(
        "-n",
        "--workers",
        type=workers,
        metavar="N",
        help="run checks in N processes (pytest-xdist; 'auto': one per core; default: 1)",
    )
    run.add_argument(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="waiver file (default: the scenario's `waivers`, else none)",
    )
    run.add_argument(
        "--no-html",
        action="store_true",
        help="skip the Allure HTML report; the signoff has no evidence links then (default:"
        " the report is written)",
    )
    run.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARGS",
        help="options for pytest that change how results are shown (see below)",
    )

    gate = sub.add_parser("gate", help="re-judge a finished run from its files")
    gate.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a finished run folder")
    gate.add_argument(
        "--public-key", type=Path, metavar="FILE", help="the Ed25519 public key to trust (PEM)"
    )

    merge = sub.add_parser("merge", help="join runs of several CI jobs (shards) into one")
    merge.add_argument(
        "run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="the shards' run folders"
    )
    merge.add_argument(
        "--output",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="folder that receives the merged run folder and 'latest' (default: reports)",
    )
    merge.add_argument("--no-html", action="store_true", help="skip the Allure HTML report")
    merge.add_argument("--public-key", type=Path, metavar="FILE", help=TRUSTED_KEY)
    merge.add_argument(
        "--unsigned",
        action="store_true",
        help="merge shards that no trusted signature proves (the merged run is unproven too)",
    )

    signoff = sub.add_parser("signoff", help="record an approval or rejection of a run")
    signoff.add_argument("action", choices=["approve", "reject"], help="approve or reject")
    signoff.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a finished run folder")
    signoff.add_argument("--by", required=True, metavar="NAME", help="who decides (required)")
    signoff.add_argument(
        "--role", required=True, metavar="ROLE", help="as what, e.g. 'release manager' (required)"
    )
    signoff.add_argument(
        "--comment", default="", metavar="TEXT", help="why, shown on the signoff (default: none)"
    )
    signoff.add_argument("--public-key", type=Path, metavar="FILE", help=TRUSTED_KEY)

    verify = sub.add_parser("verify", help="check that a run's files are as it wrote them")
    verify.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run folder")
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="the Ed25519 public key to trust (PEM; default: env GOLIVE_PUBLIC_KEY_FILE)",
    )

    keygen = sub.add_parser("keygen", help="write a new Ed25519 key pair for signing runs")
    keygen.add_argument(
        "--out",
        type=Path,
        default=Path("golive"),
        metavar="PREFIX",
        help="writes PREFIX.pem (private, mode 0600) and PREFIX.pub (default: golive)",
    )

    sub.add_parser("sandbox", help="run the built-in sandbox (golive sandbox --help)")

    init = sub.add_parser(
        "init",
        help="start a team's own suite (a project that depends on golive) with one pack",
        description="Write a new project into DIR: the design card's layout, one example"
        " checklist pack for a REST service to fill in, an example scenario, a README."
        " docs/packs.md is the guide.",
    )
    init.add_argument("dir", type=Path, metavar="DIR", help="an absent or empty folder")
    init.add_argument(
        "--pack",
        default="my_service",
        metavar="NAME",
        help="the pack's name: lower case, digits, underscores (default: my_service)",
    )
    init.add_argument(
        "--prefix",
        default="SVC",
        metavar="ID",
        help="the pack's checklist ID prefix: @SVC-01 (default: SVC)",
    )
    init.add_argument(
        "--title", metavar="TEXT", help="the checklist's title (default: from --pack)"
    )

    check = sub.add_parser(
        "check",
        help="check the scenario and its packs without contacting anything (exit 2 on a problem)",
        description="Lists every installed pack, validates the scenario and each selected"
        " pack's settings, and lints each selected pack: phrases defined once, every step"
        " bound, one ID and one severity per item, adapters following their Protocols."
        " Every golive run does the same before it starts.",
    )
    check.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="the scenario to check (default: scenarios/sandbox.yaml)",
    )
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        code = command(argv)
        sys.stdout.flush()  # a reader gone away shows here, not as noise at exit
        return code
    except BrokenPipeError:
        # https://docs.python.org/3/library/signal.html#note-on-sigpipe: stdout's reader
        # closed it (`golive sandbox --list-faults | head`); the rest is not wanted.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def command(argv: list[str]) -> int:
    if argv[:1] == ["sandbox"]:  # its own options, its own --help
        from .sandbox.__main__ import main as sandbox_main  # the launcher for this command

        return sandbox_main(argv[1:])
    args = parser().parse_args(argv)
    from .errors import GoliveError, InputError

    try:
        if args.command == "run":
            return run(args)
        if args.command == "signoff":
            from . import integrity

            action = "approved" if args.action == "approve" else "rejected"
            record = integrity.approve(
                args.run_dir, action, args.by, args.role, args.comment, args.public_key
            )
            print(f"golive: {action} by {record['by']} ({record['role']}): {record['verdict']}")
            return EXIT_GO
        if args.command == "merge":
            return merge(
                args.run_dirs,
                args.output,
                html=not args.no_html,
                key=args.public_key,
                unsigned=args.unsigned,
            )
        if args.command == "init":
            from .project import init

            written = init(args.dir, args.pack, args.prefix, args.title)
            print(f"golive: wrote {len(written)} files to {args.dir}; next: its README.md")
            return EXIT_GO
        if args.command == "check":
            return check_project(args.scenario)
        if args.command == "keygen":
            return keygen(args.out)
        if args.command == "verify":
            return verify(args.run_dir, args.public_key)
        return gate(args.run_dir, args.public_key)
    except InputError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return EXIT_UNJUDGED
    except GoliveError as exc:
        print(f"golive: harness error: {exc}", file=sys.stderr)
        return EXIT_UNJUDGED


def check_project(scenario: Path | None) -> int:
    from .config import DEFAULT_SCENARIO
    from .project import check

    found, problems = check(scenario or DEFAULT_SCENARIO)
    for line in found:
        print(f"golive: {line}")
    for problem in problems:
        print(f"golive: {problem}", file=sys.stderr)
    if problems:
        print(f"golive: check: {len(problems)} problem(s); exit 2", file=sys.stderr)
        return EXIT_UNJUDGED
    print("golive: check: the scenario and its packs are ready to run")
    return EXIT_GO


class Stopped(KeyboardInterrupt):
    """What a handled signal raises. To pytest and to every ``except``/``finally`` it is a
    ``KeyboardInterrupt``; it is not the built-in class itself, because CPython (3.11) marks
    a bare ``KeyboardInterrupt`` that leaves an ``exec`` of source text (dataclasses,
    namedtuple and others run such code while a run imports) as unhandled, and then ends
    the process by SIGINT once ``main`` has returned, whatever it returned: a run stopped at
    that moment exited -2 instead of 2. A subclass is not marked."""


class Signals:
    """SIGINT, SIGTERM and SIGHUP stop a run the way Ctrl-C does: ``Stopped``, a
    ``KeyboardInterrupt``, which pytest answers by tearing down its fixtures (browser,
    sandbox) and the run by unwinding its ``finally`` blocks. Inside ``shielded()`` (the
    clean-up itself) a signal waits until the clean-up is done."""

    HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.received: list[int] = []
        self._shield = 0
        self._deferred = False

    def install(self) -> None:
        for signum in self.HANDLED:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self._shield:
            self._deferred = True
            return
        raise Stopped(signal.Signals(signum).name)

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        self._shield += 1
        try:
            yield
        finally:
            self._shield -= 1
            if not self._shield and self._deferred:
                self._deferred = False
                raise Stopped("signal during clean-up")


SIGNALS = Signals()


def _owner_gone(folder: Path) -> bool:
    """True when the run that made ``folder`` has ended: nobody holds its lock."""
    try:
        fd = os.open(folder / SCRATCH_LOCK, os.O_RDONLY)
    except OSError:
        return False  # no lock yet: a run that is just starting, or not ours
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """One temporary folder for everything the run starts: ``TMPDIR`` (and Python's
    ``tempfile``) point into it for this process and every child (the sandbox's database,
    pytest-xdist workers, pytest's ``tmp_path``, Playwright, Chromium, Allure's node), and
    it is removed when the run ends, however it ends. What a worker that died left there
    goes with it. A folder whose run was killed outright (SIGKILL: no clean-up possible)
    is removed by the next run: its lock is free."""
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for stale in base.glob(f"{SCRATCH_PREFIX}*"):
            if _owner_gone(stale):
                shutil.rmtree(stale, ignore_errors=True)
    root = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    lock = os.open(root / f"{SCRATCH_LOCK}.new", os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # held until this process ends (not inherited)
    os.replace(root / f"{SCRATCH_LOCK}.new", root / SCRATCH_LOCK)
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(root)
    tempfile.tempdir = str(root)
    try:
        yield root
    finally:
        with SIGNALS.shielded():
            if saved[0] is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved[0]
            tempfile.tempdir = saved[1]
            shutil.rmtree(root, ignore_errors=True)
            os.close(lock)


def preset(ctx: RunContext, starting: StartingSandbox | None = None) -> Any:
    """A plugin that hands this process's run the context its caller already built, so
    the scenario file is read, resolved and validated once per process, not twice; and,
    once the checks are collected, the URL of the sandbox started beside it. A sandbox
    that does not start leaves nothing to run: ``failed`` holds why, for the caller.

    Made here, not imported from golive.plugin: pytest imports the plugin itself (through
    the root conftest), after it has set up assertion rewriting."""
    import pytest

    from . import launcher
    from .errors import SandboxError

    class Preset:
        failed: SandboxError | None = None

        @pytest.hookimpl(tryfirst=True)
        def pytest_configure(self, config: pytest.Config) -> None:
            from .plugin import CTX_KEY

            config.stash[CTX_KEY] = ctx

        @pytest.hookimpl(trylast=True)
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            if starting is None or ctx.sandbox_url:
                return
            try:
                ctx.sandbox_url = starting.ready().url
            except SandboxError as exc:
                self.failed = exc
                session.items.clear()
                return
            os.environ[launcher.URL_VAR] = ctx.sandbox_url

    return Preset()


# What may follow `golive run --`: options that change how pytest reports or how the
# browser shows, never what is selected, which scenario runs or where results go (the
# plan is what --scenario and --tags select). Stopping early (-x, --maxfail) is allowed:
# a planned item left without a result is "missing", so the run cannot be GO.
PASS_FLAGS = frozenset(
    [
        "-v",
        "-vv",
        "-vvv",
        "--verbose",
        "-q",
        "-qq",
        "--quiet",
        "-s",
        "-l",
        "--showlocals",
        "-x",
        "--exitfirst",
        "--headed",
        "--full-page-screenshot",
        "--no-header",
        "--no-summary",
        "--strict-markers",
    ]
)
PASS_VALUED = frozenset(
    [
        "--tb",
        "--slowmo",
        "--tracing",
        "--video",
        "--screenshot",
        "--durations",
        "--durations-min",
        "--color",
        "--maxfail",
        "--capture",
        "--log-level",
        "--log-cli-level",
        "--show-capture",
        "-r",
    ]
)
PASSED_THROUGH = "-v, -q, -s, -l, -x, -r..., --tb, --headed, --slowmo, --tracing, --video, ..."
# The pytest plugins a run is made of, and the only ones it loads: plugin autoloading is off
# (PYTEST_DISABLE_PLUGIN_AUTOLOAD), so a plugin installed beside golive (one that reruns
# failures, or marks them passed) cannot change what is checked, in any project, whatever
# its pytest configuration says. A pack that needs another pytest plugin names it in its
# step module's ``pytest_plugins`` (docs/packs.md).
RUN_PLUGINS = (
    "pytest_bdd.plugin",
    "allure_pytest_bdd.plugin",
    "pytest_playwright.pytest_playwright",
    "xdist.plugin",
)


# Plugin objects a program that calls ``main`` in its own process adds to the run (the
# bench's request recorder). Nothing on the command line or in the environment reaches it.
EXTRA_PLUGINS: list[object] = []


def refused_pytest_args(tokens: list[str]) -> str | None:
    """The first argument for pytest that golive does not pass through, or None."""
    rest = iter(tokens)
    for token in rest:
        name = token.split("=", 1)[0] if token.startswith("--") else token
        if name in PASS_FLAGS and "=" not in token:
            continue
        if name in PASS_VALUED:
            if "=" not in token:
                value = next(rest, None)
                if value is None or value.startswith("-"):
                    return token  # no value: pytest would take the next option as it
            continue
        if token.startswith("-r") and len(token) > 2 and token[2:].isalpha():
            continue  # -ra, -rfE: which outcomes the summary lists
        return token
    return None


def check_pytest_args(pytest_args: list[str]) -> str | None:
    """Why the run is refused before it starts, or None: an argument after ``--`` or in
    ``PYTEST_ADDOPTS`` that could narrow the plan, change the scenario or move the results."""
    import shlex

    for origin, tokens in (
        ("after --", pytest_args),
        ("in PYTEST_ADDOPTS", shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))),
    ):
        bad = refused_pytest_args(tokens)
        if bad is not None:
            return (
                f"refused pytest argument {bad!r} {origin}: only options that change how"
                " results are shown pass through; what is checked is what --scenario and"
                f" --tags select (allowed: {PASSED_THROUGH}; README, PYTEST_ARGS)"
            )
    if os.environ.get("PYTEST_PLUGINS"):
        return "refused: PYTEST_PLUGINS is set; plugins could change what is checked"
    return None


def unknown_faults(names: list[str], known: list[str], scenario: str | None = None) -> str | None:
    """Why ``names`` asks for a fault the sandbox does not have (``known``: the names it
    has), or None. The names are ``--sandbox-fault``'s, or with ``scenario``, that file's
    ``sandbox.faults``. ``golive run`` has the sandbox it starts say which it has
    (``refused_faults``), before the run folder is made."""
    import difflib

    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        where = f"{scenario}: sandbox.faults: {name}" if scenario else f"--sandbox-fault {name}"
        return (
            f"{where}: the sandbox has no such fault{hint}"
            f" ('golive sandbox --list-faults' lists all {len(known)})"
        )
    return None


def refused_faults(args: argparse.Namespace, starting: StartingSandbox | None) -> None:
    """``InputError`` when the run asks for a fault the sandbox does not have. The sandbox
    being started answers for its faults before it loads anything (no process of its own
    to ask, no run folder made yet); a run that starts none, given ``--sandbox-fault`` all
    the same, asks the sandbox program for its list (launcher.fault_names)."""
    from . import launcher
    from .errors import InputError

    if starting is None:
        known = launcher.fault_names() if args.sandbox_fault else []
        refusal = unknown_faults(args.sandbox_fault, known)
        if refusal:
            raise InputError(refusal)
        return
    try:
        starting.accepted()
    except launcher.UnknownFaults as exc:
        given = [n for n in exc.unknown if n in args.sandbox_fault]
        refusal = unknown_faults(given, exc.known) or unknown_faults(
            exc.unknown, exc.known, str(args.scenario)
        )
        raise InputError(refusal or str(exc)) from None


def run(args: argparse.Namespace) -> int:
    refusal = check_pytest_args(args.pytest_args)
    if refusal:
        print(f"golive: {refusal}", file=sys.stderr)
        return EXIT_UNJUDGED
    SIGNALS.install()
    try:
        with scratch():
            return run_checks(args)
    except KeyboardInterrupt:
        names = ", ".join(signal.Signals(s).name for s in SIGNALS.received) or "interrupted"
        print(f"\ngolive: stopped ({names}); the run could not be judged", file=sys.stderr)
        return EXIT_UNJUDGED


def run_checks(args: argparse.Namespace) -> int:
    import json

    import pytest

    from . import launcher
    from .config import DEFAULT_SCENARIO, load_waivers, waiver_path
    from .context import RUN_ID_VAR, build
    from .files import write_atomic
    from .notify import send as send_notifications
    from .report import point_latest, scrub_tree, write_environment
    from .signoff import RunInfo
    from .signoff import write as write_signoff
    from .verdict import UNJUDGED, Verdict

    if args.scenario is None:
        args.scenario = DEFAULT_SCENARIO
    ctx = build(args.scenario, args.sandbox_fault)  # bad input stops here, exit 2
    scenario = ctx.scenario
    started = ctx.started = clock.now()  # the run's reference time (golive/clock.py)
    starting = None
    if scenario.uses_sandbox:
        # Started before the other inputs are checked: it answers for its faults first
        # (refused_faults, before the run folder is made), then loads while pytest starts
        # and collects (Preset waits for it). Every way out stops it (``finally``).
        seed = scenario.sandbox.seed if scenario.sandbox else None
        starting = launcher.spawn(ctx.faults, seed, reference=started)
    try:
        from .attest import signing_key

        signing_key()  # a signing key that cannot be read stops the run before it starts
        waiver_file = args.waivers or waiver_path(scenario)
        waivers = load_waivers(waiver_file) if waiver_file else []
        refused_faults(args, starting)  # a fault the sandbox does not have: nothing made
        writable_folder(args.output)  # the last input checked: it makes the folder
        run_id = f"{started:%Y%m%d-%H%M%S}-{ctx.run_id[:6]}"
        reports_root = args.output
        run_dir = (reports_root / run_id).resolve()
        results = run_dir / "allure-results"
        results.mkdir(parents=True)
        info: dict[str, Any] = {
            "run_id": run_id,
            "scenario": str(args.scenario),
            "environment": scenario.environment.name,
            "tier": scenario.environment.tier,
            "started": clock.stamp(started),
            "finished": "",
            "golive_version": __version__,
            "ran_by": _ran_by(),
            "faults": ctx.faults,
            "tags": args.tags or "",
            "policy": scenario.policy.model_dump(),
            "waivers": [w.model_dump(mode="json") for w in waivers],
            "pytest_exit": None,
        }
        write_atomic(run_dir / "run.json", json.dumps(info, indent=2))
        # Until the run ends, its signoff says so: a run killed halfway never reads as GO.
        unfinished = Verdict(UNJUDGED, EXIT_UNJUDGED, reasons=["the run has not finished"])
        write_signoff(run_dir, RunInfo.from_json(info), unfinished, {})
        os.environ[RUN_ID_VAR] = run_id
        os.environ[clock.STARTED_VAR] = clock.stamp(started)  # workers judge "now" alike
        if starting is not None and args.workers:  # workers take its URL from the env
            os.environ[launcher.URL_VAR] = starting.ready().url
        pytest_args = [
            "features",
            f"--rootdir={Path.cwd()}",
            f"--scenario={args.scenario}",
            f"--alluredir={results}",
            f"--junitxml={run_dir / 'junit.xml'}",
            f"--golive-run-dir={run_dir}",
            "-o",
            "junit_family=xunit2",
            # pytest cuts long assertion explanations at a character count before golive
            # can mask what they quote: a secret the cut falls inside would show its start
            "-o",
            "truncation_limit_chars=0",
            "-o",
            "truncation_limit_lines=0",
        ]
        pytest_args += [f"--sandbox-fault={fault}" for fault in args.sandbox_fault]
        if args.tags:
            pytest_args += ["-m", args.tags]
        if args.workers:
            pytest_args += ["-n", args.workers]
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # xdist's workers inherit it
        pytest_args += [a for plugin in RUN_PLUGINS for a in ("-p", plugin)]
        # The context built above, as the plugin would build it in this process (run ID,
        # run folder, sandbox URL): the scenario is loaded once, not once more by pytest.
        ctx.run_id, ctx.run_dir = run_id, run_dir
        ctx.sandbox_url = os.environ.get(launcher.URL_VAR) or None
        presetting = preset(ctx, starting)
        plugins: list[object] = [presetting, *EXTRA_PLUGINS]
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from .progress import Progress

            plugins.append(Progress(sys.stderr))
            pytest_args += ["-p", "no:terminal"]
        else:
            pytest_args += ["-q", "--tb=short", "--no-header"]
        exit_code = int(pytest.main([*pytest_args, *args.pytest_args], plugins=plugins))
        if presetting.failed is not None:  # the sandbox did not start: nothing was checked
            raise presetting.failed
    finally:
        with SIGNALS.shielded():
            if starting is not None:
                starting.stop()
            os.environ.pop(launcher.URL_VAR, None)
    info["finished"], info["pytest_exit"] = _now(), exit_code
    write_atomic(run_dir / "run.json", json.dumps(info, indent=2))
    scrubbed = scrub_tree(run_dir, ctx.redactor)
    if scrubbed:
        print(f"golive: masked credentials in {len(scrubbed)} report file(s)", file=sys.stderr)
    write_environment(
        results,
        {
            "environment": scenario.environment.name,
            "tier": scenario.environment.tier,
            "scenario": str(args.scenario),
            "run": run_id,
            "golive": __version__,
            "sandbox.faults": ", ".join(ctx.faults) or "none",
        },
    )
    stopped = bool(SIGNALS.received)  # judged and signed off, but nothing slow
    verdict, html_error = finish(run_dir, html=not args.no_html and not stopped)
    point_latest(reports_root, run_dir)  # only a run that finished becomes "latest"
    if stopped:
        html_error = "the run was stopped by a signal"
    summary(run_dir, verdict, html_error)
    notify = scenario.notify
    if (notify.email or notify.webhook) and not stopped:
        doc = json.loads((run_dir / "signoff.json").read_text("utf-8"))
        base = notify.report_url.rstrip("/") if notify.report_url else run_dir.as_uri()
        link = f"{base}/{run_id}/signoff.html" if notify.report_url else f"{base}/signoff.html"
        for problem in send_notifications(notify, doc, link, ctx.redactor):
            print(f"golive: warning: {problem}", file=sys.stderr)
    return verdict.exit_code


def finish(run_dir: Path, html: bool) -> tuple[Verdict, str | None]:
    """Judge the run from its files, generate the report, write the signoff."""
    from . import integrity
    from .files import read_json_object
    from .report import evidence_links, generate_html, write_allure_config
    from .results import read_outcomes
    from .signoff import RunInfo, previous_signoff
    from .signoff import write as write_signoff
    from .verdict import policy_from

    raw = read_json_object(
        run_dir / "run.json", f"{run_dir}: not a golive run folder (no run.json)", "a run record"
    )
    verdict = judge_dir(run_dir, raw)
    html_error: str | None = "skipped (--no-html)"
    links: dict[str, str] = {}
    outcomes = read_outcomes(run_dir / "allure-results") if verdict.exit_code != 2 else {}
    waivers = [
        (
            i.waiver,
            sorted({o.test_case_id for k, o in outcomes.items() if k == i.item.key}),
            i.item.subject,
        )
        for i in verdict.items
        if i.waiver is not None
    ]
    history = run_dir.parent / "history" / f"{Path(raw['scenario']).stem}.jsonl"
    history.parent.mkdir(exist_ok=True)
    config = write_allure_config(
        run_dir,
        f"golive {raw['environment']} {raw['run_id']}",
        policy_from(raw.get("policy")),
        len(verdict.items),
        waivers,
        history,
    )
    if html:
        html_error = generate_html(Path.cwd(), run_dir, config)
        if html_error is None:
            uuids = {o.key: o.uuid for o in outcomes.values()}
            links = evidence_links(run_dir / "allure-report", uuids)
    previous = previous_signoff(run_dir.parent, run_dir.name, raw["scenario"])
    write_signoff(run_dir, RunInfo.from_json(raw), verdict, links, previous)
    integrity.write_manifest(run_dir)
    return verdict, html_error


def judge_dir(run_dir: Path, raw: dict[str, Any] | None = None) -> Verdict:
    """The verdict of a run folder from its files (golive.verdict.judge_dir)."""
    from .verdict import judge_dir as judge_run_dir

    return judge_run_dir(run_dir, raw)


def keygen(prefix: Path) -> int:
    """``golive keygen``: PREFIX.pem for GOLIVE_SIGNING_KEY_FILE, PREFIX.pub for readers."""
    from .attest import PUBLIC_KEY_VAR, SIGNING_KEY_VAR, write_keypair

    private, public = Path(f"{prefix}.pem"), Path(f"{prefix}.pub")
    kid = write_keypair(private, public)
    print(f"golive: wrote {private} (private, 0600: {SIGNING_KEY_VAR}) and {public}")
    print(f"  (public: --public-key or {PUBLIC_KEY_VAR}); key {kid[:16]}")
    return EXIT_GO


def verify(run_dir: Path, public_key: Path | None) -> int:
    """``golive verify``: 1 when anything changed or a signature a configured key can check
    does not hold; 0 otherwise, saying plainly whether that is proven."""
    from . import integrity

    result = integrity.check(run_dir, public_key)
    print("\n".join(result.lines))
    if not result.intact:
        print("golive: CHANGED")
        return EXIT_NO_GO
    if result.proven:
        print("golive: intact (signature valid)")
    else:
        print("golive: no change found, but not proven: no trusted signature")
    return EXIT_GO


# What every shard of one merge must agree on: one scenario, run alike, judged alike.
MERGE_SAME = {
    "scenario": "scenarios",
    "environment": "environments",
    "tier": "tiers",
    "policy": "policies",
    "waivers": "waivers",
}
# Which shard's result an item of several shards keeps: the worst. A failure anywhere stays
# a failure; a pass never covers another shard's failure, break or skip.
MERGE_RANK = {"passed": 0, "skipped": 1, "broken": 2, "failed": 3}


def merge(
    run_dirs: list[Path],
    reports_root: Path,
    html: bool,
    key: Path | None = None,
    unsigned: bool = False,
) -> int:
    """One run folder from shards of the same scenario: plans joined, results copied,
    judged and reported as if one run had done it all. Every shard must have finished and
    verify, proven by a trusted signature unless ``unsigned``; the shards must agree on the
    scenario, environment, tier, policy and waivers, and on each item two of them planned.
    An item planned by several shards keeps the worst of their results, and no result when
    one of them has none."""
    import json
    from dataclasses import asdict

    from . import integrity
    from .errors import InputError
    from .files import read_json_object, write_atomic
    from .report import point_latest
    from .results import Outcome, Planned, read_outcomes, read_plan
    from .verdict import run_finished

    if reports_root.exists() and not reports_root.is_dir():  # made only once all is checked
        raise InputError(f"--output {reports_root}: expected a folder, found a file")
    infos = []
    for run_dir in run_dirs:
        info = read_json_object(
            run_dir / "run.json",
            f"{run_dir}: not a golive run folder (no run.json)",
            "a golive run record",
        )
        unfinished = run_finished(info)
        if unfinished:
            raise InputError(f"{run_dir}: refused: {unfinished}")
        checked = integrity.check(run_dir, key)
        if not checked.intact:
            raise InputError(
                f"{run_dir}: refused: the shard does not verify ({'; '.join(checked.problems)})"
            )
        if not checked.proven and not unsigned:
            raise InputError(
                f"{run_dir}: refused: no trusted signature proves the shard (sign the shards"
                " with GOLIVE_SIGNING_KEY_FILE and trust its public key with --public-key or"
                " GOLIVE_PUBLIC_KEY_FILE; --unsigned merges unproven shards into an unproven run)"
            )
        infos.append(info)
    for field, label in MERGE_SAME.items():
        values = {
            v if isinstance(v, str) else json.dumps(v, sort_keys=True)
            for v in (i.get(field) for i in infos)
        }
        if len(values) != 1:
            raise InputError(f"cannot merge runs of different {label}: {sorted(values)}")
    plan: dict[str, Planned] = {}
    planned_by: dict[str, list[int]] = {}
    outcomes: list[dict[str, Outcome]] = []
    for n, run_dir in enumerate(run_dirs):
        for item in read_plan(run_dir):
            seen = plan.setdefault(item.key, item)
            if seen != item:
                label = f"{item.id} [{item.subject}]" if item.subject else item.id
                raise InputError(
                    f"cannot merge: {label} is planned as {seen.file}:{seen.line}"
                    f" ({seen.title}, {seen.severity}) by {run_dirs[planned_by[item.key][0]]}"
                    f" and as {item.file}:{item.line} ({item.title}, {item.severity}) by {run_dir}"
                )
            planned_by.setdefault(item.key, []).append(n)
        outcomes.append(read_outcomes(run_dir / "allure-results"))
    kept: set[tuple[int, str]] = set()  # (shard, result uuid) of each result kept
    for item_key, shards in planned_by.items():
        found = [(n, outcomes[n][item_key]) for n in shards if item_key in outcomes[n]]
        if len(found) == len(shards):  # an item one shard has no result for stays missing
            n, worst = max(found, key=lambda f: MERGE_RANK.get(f[1].status, 3))
            kept.add((n, worst.uuid))
    first = infos[0]
    writable_folder(reports_root)
    run_id = f"{clock.now():%Y%m%d-%H%M%S}-merged"
    target = (reports_root / run_id).resolve()
    (target / "allure-results").mkdir(parents=True)
    copied: set[tuple[int, str]] = set()
    for n, run_dir in enumerate(run_dirs):
        for path in (run_dir / "allure-results").iterdir():
            if path.name.endswith("-result.json"):  # read as a result above: an object
                uuid = str(json.loads(path.read_text("utf-8")).get("uuid", ""))
                if (n, uuid) not in kept:
                    continue
                copied.add((n, uuid))
            shutil.copy2(path, target / "allure-results" / path.name)
    if copied != kept:
        raise InputError(f"cannot merge: a result kept has no uuid of its own ({kept - copied})")
    exits = [i.get("pytest_exit") for i in infos]
    stopped = [e for e in exits if e not in (0, 1, 5)]
    info = {
        **first,
        "run_id": run_id,
        "started": min(i["started"] for i in infos),
        "finished": max(i["finished"] or "" for i in infos),
        "faults": sorted({f for i in infos for f in i.get("faults", [])}),
        "pytest_exit": stopped[0] if stopped else max(e or 0 for e in exits),
        "merged_from": [i["run_id"] for i in infos],
    }
    write_atomic(target / "run.json", json.dumps(info, indent=2))
    items = [asdict(p) for p in plan.values()]
    write_atomic(target / "plan.json", json.dumps({"items": items}, indent=2))
    verdict, html_error = finish(target, html)
    point_latest(reports_root, target)
    summary(target, verdict, html_error)
    return verdict.exit_code


def gate(run_dir: Path, public_key: Path | None = None) -> int:
    """``golive gate``: the run judged again from its files, and exit 2 when its files do
    not verify as ``golive verify`` checks them (digests, signatures, approvals; against
    ``public_key`` or the configured key): a tampered run is never judged."""
    from . import attest, integrity
    from .errors import InputError
    from .verdict import UNJUDGED, Verdict

    attest.trusted_key(public_key)  # a key that cannot be read is bad input, exit 2
    verdict = judge_dir(run_dir)
    note = None
    if verdict.exit_code != EXIT_UNJUDGED:
        try:
            checked = integrity.check(run_dir, public_key, verdict)
            problems, proven = checked.problems, checked.proven
        except InputError as exc:
            problems, proven = [str(exc)], False
        if problems:
            verdict = Verdict(
                UNJUDGED,
                EXIT_UNJUDGED,
                reasons=[f"the run's files do not verify: {p}" for p in problems] + verdict.reasons,
                warnings=verdict.warnings,
                items=verdict.items,
            )
        elif not proven:
            note = "no change found, but not proven: no trusted signature (golive verify)"
    summary(run_dir, verdict, None, files=False)
    if note:
        print(f"  integrity: {note}")
    return verdict.exit_code


def summary(run_dir: Path, verdict: Verdict, html_error: str | None, files: bool = True) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in verdict.counts.items() if v)
    print(f"\ngolive: {verdict.decision} ({counts or 'no checks'}; exit {verdict.exit_code})")
    for reason in verdict.reasons:
        print(f"  blocking: {reason}")
    for warning in verdict.warnings:
        print(f"  warning:  {warning}")
    if files:
        print(f"signoff: {run_dir / 'signoff.html'}")
        report = run_dir / "allure-report" / "index.html"
        print(
            f"report:  {report}" if html_error is None else f"report:  not generated: {html_error}"
        )


if __name__ == "__main__":
    sys.exit(main())
