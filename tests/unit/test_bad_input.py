"""Adversarial input (issue 17, family D), in process: each crafted scenario, waiver file
or argument is refused with one line naming the file, the line, the key and what was
expected, within a second or two; never a traceback, a hang or a silent acceptance."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from golive import cli
from golive.config import MAX_BYTES, load_scenario, load_waivers
from golive.errors import InputError, ScenarioError
from golive.packs import load as load_with_packs

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "scenarios" / "sandbox.yaml").read_text()
TOKEN = "unit-token-0123"
ENV = {
    "GOLIVE_SANDBOX_TOKEN": TOKEN,
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}


def variant(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def bomb(levels: int = 9) -> str:
    """The billion laughs: each level repeats the previous one nine times."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


WAIVER = "waivers:\n  - id: MTP-06\n    reason: vendor fix next week\n    approved_by: Jane Roe\n"

# name: (file content, env or None, expected message after "FILE:" ("LINE: KEY: PROBLEM"))
SCENARIOS: dict[str, tuple[str | bytes, dict[str, str] | None, str]] = {
    "binary garbage": (
        b"version: 1\n\x89PNG\r\n\x1a\n\xff\xfe\xfd garbage \x80\x81",
        None,
        "2: expected UTF-8 text (is this a YAML file?)",
    ),
    "a NUL byte": (
        "version: 1\nname: a\x00b\n",
        None,
        "2: not valid YAML: unacceptable character #x0000: control characters are not allowed",
    ),
    "flow lists nested 20,000 deep": (
        "version: 1\ndeep: " + "[" * 20_000 + "]" * 20_000 + "\n",
        None,
        "2: deep: expected at most 64 levels of nesting",
    ),
    "flow mappings nested 20,000 deep": (
        "version: 1\ndeep: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
        None,
        "2: deep: expected at most 64 levels of nesting",
    ),
    "block mappings nested 100 deep": (
        "deep:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(100)) + " " * 101 + "v\n",
        None,
        "65: deep: expected at most 64 levels of nesting",
    ),
    "an alias bomb": (bomb(), None, "6: expected at most 250000 values with aliases expanded"),
    "an alias bomb below a key of a real scenario": (
        GOOD + "x-bomb:\n" + "".join(f"  {line}\n" for line in bomb().splitlines()),
        None,
        f"{GOOD.count(chr(10)) + 7}: expected at most 250000 values with aliases expanded",
    ),
    "a duplicate key: tier given twice": (
        variant("  tier: test\n", "  tier: production\n  tier: test\n"),
        None,
        f"{line_of(GOOD, '  tier: test') + 1}: environment.tier: duplicate key"
        f" (first given on line {line_of(GOOD, '  tier: test')})",
    ),
    "a duplicate top-level key": (
        GOOD + "version: 1\n",
        None,
        f"{GOOD.count(chr(10)) + 1}: version: duplicate key"
        f" (first given on line {line_of(GOOD, 'version: 1')})",
    ),
    "a duplicate key inside a list item": (
        variant("  - id: EINV-13 ", "  - id: EINV-12\n    id: EINV-13 "),
        None,
        f"{line_of(GOOD, '  - id: EINV-13') + 1}: attestations.0.id: duplicate key"
        f" (first given on line {line_of(GOOD, '  - id: EINV-13')})",
    ),
    "an impossible date in an attestation": (
        variant("    at: 2026-11-20T09:00:00Z", "    at: 2026-02-30T09:00:00Z"),
        None,
        f"{line_of(GOOD, '    at: 2026-11-20')}: attestations.0.at: input should be a valid"
        " datetime or date, day value is outside expected range, got '2026-02-30T09:00:00Z'",
    ),
    "an impossible date in the upgrade's attestation": (
        variant("        at: 2026-11-21T15:30:00Z", "        at: 2026-02-30T15:30:00Z"),
        None,
        f"{line_of(GOOD, '        at: 2026-11-21T15:30')}:"
        " packs.billing_upgrade.attestations.UPG-20.at: input"
        " should be a valid datetime or date, day value is outside expected range,"
        " got '2026-02-30T15:30:00Z'",
    ),
    "a credential variable set but empty": (
        GOOD,
        {**ENV, "GOLIVE_SANDBOX_TOKEN": ""},
        f"{line_of(GOOD, 'token: ${')}: systems.partners.credentials.token: environment variable"
        " GOLIVE_SANDBOX_TOKEN is set but empty",
    ),
    "a credential variable holding a newline": (
        GOOD,
        {**ENV, "GOLIVE_SANDBOX_TOKEN": TOKEN + "\nX-Injected: 1"},
        f"{line_of(GOOD, 'token: ${')}: systems.partners.credentials.token: environment variable"
        " GOLIVE_SANDBOX_TOKEN holds a line break or control character",
    ),
    "a credential variable ending in CR LF": (
        GOOD,
        {**ENV, "GOLIVE_SANDBOX_TOKEN": TOKEN + "\r\n"},
        f"{line_of(GOOD, 'token: ${')}: systems.partners.credentials.token: environment variable"
        " GOLIVE_SANDBOX_TOKEN holds a line break or control character",
    ),
    "a credential variable holding an escape character": (
        GOOD,
        {**ENV, "GOLIVE_SANDBOX_TOKEN": TOKEN + "\x1b[2J"},
        f"{line_of(GOOD, 'token: ${')}: systems.partners.credentials.token: environment variable"
        " GOLIVE_SANDBOX_TOKEN holds a line break or control character",
    ),
    "a Python object tag": (
        "version: !!python/object/apply:os.system ['touch /tmp/golive-pwned']\n",
        None,
        "1: not valid YAML: could not determine a constructor for the tag"
        " 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "an alias to no anchor": (
        "version: *nowhere\n",
        None,
        "1: not valid YAML: found undefined alias",
    ),
    "a sequence as a mapping key": (
        "? [a, b]\n: 1\nversion: 1\n",
        None,
        "1: not valid YAML: found unhashable key",
    ),
    "UTF-16 text": (GOOD.encode("utf-16"), None, "1: expected UTF-8 text (is this a YAML file?)"),
    "a tab as indentation": (
        "version: 1\nenvironment:\n\tname: x\n",
        None,
        "3: not valid YAML: found character that cannot start any token",
    ),
    "300,000 values without an alias": (
        "version: [" + ",".join(["1"] * 300_000) + "]\n",
        None,
        "1: expected at most 250000 values with aliases expanded",
    ),
    "two YAML documents": (
        "version: 1\n---\nversion: 2\n",
        None,
        "2: not valid YAML: but found another document",
    ),
    "a user name variable set but empty": (
        GOOD,
        {**ENV, "GOLIVE_SANDBOX_USER": ""},
        f"{line_of(GOOD, 'username: ${')}: systems.billing_production.credentials.username:"
        " environment variable GOLIVE_SANDBOX_USER is set but empty",
    ),
}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str | bytes], Path]:
    def write(content: str | bytes) -> Path:
        path = tmp_path / "bad.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return write


def refused(load: Callable[[], object]) -> ScenarioError:
    """The error ``load`` raises. How fast it comes is bench's to measure, not a test's: a
    hang (an alias bomb expanded, a pipe waited on) would stop the suite, not pass."""
    with pytest.raises(ScenarioError) as caught:
        load()
    return caught.value


@pytest.mark.parametrize("case", SCENARIOS, ids=list(SCENARIOS))
def test_a_crafted_scenario_is_refused_in_one_line(
    write: Callable[[str | bytes], Path], case: str
) -> None:
    content, env, expected = SCENARIOS[case]
    path = write(content)
    err = refused(lambda: load_with_packs(path, env=ENV if env is None else env))
    assert str(err) == f"{path}:{expected}"


WAIVERS = {
    "a month 13, day 45 expiry": (
        WAIVER + "    expires: 2026-13-45\n",
        "5: waivers.0.expires: input should be a valid date or datetime, month value is"
        " outside expected range of 1-12, got '2026-13-45'",
    ),
    "a 30 February expiry": (
        WAIVER + "    expires: 2026-02-30\n",
        "5: waivers.0.expires: input should be a valid date or datetime, day value is outside"
        " expected range, got '2026-02-30'",
    ),
    "a waiver given twice the same key": (
        WAIVER + "    expires: 2030-01-01\n    reason: another reason\n",
        "6: waivers.0.reason: duplicate key (first given on line 3)",
    ),
    "an alias bomb in a waiver file": (
        bomb() + "waivers: []\n",
        "6: expected at most 250000 values with aliases expanded",
    ),
}


@pytest.mark.parametrize("case", WAIVERS, ids=list(WAIVERS))
def test_a_crafted_waiver_file_is_refused_in_one_line(
    write: Callable[[str | bytes], Path], case: str
) -> None:
    content, expected = WAIVERS[case]
    path = write(content)
    err = refused(lambda: load_waivers(path))
    assert str(err) == f"{path}:{expected}"


def test_dev_zero_as_the_scenario_is_refused_after_reading_a_bounded_amount() -> None:
    err = refused(lambda: load_scenario("/dev/zero", env=ENV))
    assert str(err) == "/dev/zero: expected at most 1024 KiB of YAML"


def test_a_scenario_file_over_the_size_limit_is_refused(
    write: Callable[[str | bytes], Path],
) -> None:
    path = write(GOOD + "#" * MAX_BYTES)
    err = refused(lambda: load_scenario(path, env=ENV))
    assert str(err) == f"{path}: expected at most 1024 KiB of YAML"


def test_a_named_pipe_nobody_writes_to_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    err = refused(lambda: load_scenario(fifo, env=ENV))
    assert str(err) == f"{fifo}:1: expected a mapping at the top level"


def test_a_folder_as_the_scenario_is_refused(tmp_path: Path) -> None:
    err = refused(lambda: load_scenario(tmp_path, env=ENV))
    assert str(err) == f"{tmp_path}: cannot read: Is a directory"


def test_ordinary_anchors_and_aliases_still_parse(write: Callable[[str | bytes], Path]) -> None:
    # the bound on aliases refuses a bomb, not the ordinary use of YAML's anchors
    text = variant("  - id: EINV-13 ", "  - &attested\n    id: EINV-13 ")
    text += "x-defaults: [*attested, *attested]\n"
    err = refused(lambda: load_scenario(write(text), env=ENV))
    assert (err.key, err.problem) == ("x-defaults", "unknown key")  # parsed; then validated


def test_valid_dates_are_still_dates(write: Callable[[str | bytes], Path]) -> None:
    waiver = load_waivers(write(WAIVER + "    expires: 2026-12-31\n"))[0]
    assert (waiver.expires.year, waiver.expires.month, waiver.expires.day) == (2026, 12, 31)


# -- the command line, in process -----------------------------------------------------------


@pytest.fixture
def handlers() -> Iterator[None]:
    """``golive run`` installs its signal handlers: give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in cli.Signals.HANDLED}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse's refusal
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()[-1] if err.strip() else ""


@pytest.mark.usefixtures("handlers")
def test_output_pointing_at_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    got = run_main(["run", "--no-html", "--output", str(afile)], capsys)
    assert got[:2] == (2, f"golive: --output {afile}: expected a folder, found a file")


@pytest.mark.usefixtures("handlers")
def test_output_below_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    (tmp_path / "afile").write_text("not a folder")
    below = tmp_path / "afile" / "reports"
    got = run_main(["run", "--no-html", "--output", str(below)], capsys)
    assert got[:2] == (
        2,
        f"golive: --output {below}: expected a folder golive can write in (Not a directory)",
    )


@pytest.mark.parametrize("place", ["/proc/golive-reports", "/sys/golive-reports"])
@pytest.mark.usefixtures("handlers")
def test_output_on_a_pseudo_file_system_is_refused(
    place: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    code, line = run_main(["run", "--no-html", "--output", place], capsys)
    prefix = f"golive: --output {place}: expected a folder golive can write in ("
    assert (code, line.startswith(prefix)) == (2, True), line


@pytest.mark.usefixtures("handlers")
def test_dev_zero_as_the_scenario_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    args = ["run", "--no-html", "--scenario", "/dev/zero", "--output", str(tmp_path / "r")]
    got = run_main(args, capsys)
    assert got == (2, "golive: /dev/zero: expected at most 1024 KiB of YAML")


@pytest.mark.usefixtures("handlers")
def test_binary_garbage_as_the_scenario_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(128, 256)) * 40)
    args = ["run", "--no-html", "--scenario", str(garbage), "--output", str(tmp_path / "r")]
    got = run_main(args, capsys)
    assert got[:2] == (2, f"golive: {garbage}:1: expected UTF-8 text (is this a YAML file?)")


@pytest.mark.usefixtures("handlers")
def test_an_impossible_waiver_date_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", TOKEN)
    waivers = tmp_path / "w.yaml"
    waivers.write_text(WAIVER + "    expires: 2026-13-45\n")
    out = tmp_path / "r"
    args = ["run", "--no-html", "--waivers", str(waivers), "--output", str(out)]
    code, line = run_main(args, capsys)
    assert (code, line.startswith(f"golive: {waivers}:5: waivers.0.expires: "), out.exists()) == (
        2,
        True,
        False,  # refused before the run folder was made
    )


def test_more_workers_than_four_per_core_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    code, line = run_main(["run", "-n", "999"], capsys)
    assert (code, line) == (
        2,
        "golive run: error: argument -n/--workers: expected at most 8 (4 per core on this"
        " machine), got 999",
    )


def test_four_workers_per_core_is_the_most_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert [cli.workers("8"), cli.workers("auto")] == ["8", "auto"]


def test_merge_output_pointing_at_a_file_is_refused(tmp_path: Path) -> None:
    from tests.unit.test_merge import shard

    a = shard(tmp_path, "a", {"MTP-01": "passed"})
    b = shard(tmp_path, "b", {"MTP-02": "passed"})
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    with pytest.raises(InputError) as caught:
        cli.merge([a, b], afile, html=False)
    assert str(caught.value) == f"--output {afile}: expected a folder, found a file"
