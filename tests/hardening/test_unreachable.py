"""Group 1a: a target that cannot be checked never yields GO.

Every system of the scenario points at a local target that misbehaves; the run must end in
bounded time with the items it reached broken, category "environment unreachable" (not
"product defect"), and the verdict NO-GO. MTP-05 (three partners, one GET each) is enough
to reach the target; the failure text must say what went wrong.

A target that answers, but badly, answers each partner in its own way (``Target.modes``):
one run shows three ways, each on its own partner, and two runs show all six. A refused
connection and a refused certificate refuse the whole target: a run each, every partner.
The runs that share a target are made once for the module (``ONE_WORKER``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.hardening.conftest import (
    CANARY,
    Target,
    closed_port,
    encodings,
    leaks,
    pointed_at,
    run_in,
    serve,
)

# a way of answering badly: (the Target's mode, text the reason must hold)
ANSWERS = {
    "5xx": ("error", "HTTP 500 Internal Server Error"),
    "cut short": ("cut", "the response was cut short"),
    "truncated JSON": ("halfjson", "with a body that is not JSON"),
    "too slow": ("slow", "timed out waiting for the response"),
    "429 with Retry-After": ("throttled", "HTTP 429"),
    "HTML, not JSON": ("html", "with a body that is not JSON"),
}
# the runs that show them: (scenario additions per system, each partner's way)
RUNS = {
    "defaults": ("", {"TP-1001": "5xx", "TP-1002": "cut short", "TP-1003": "truncated JSON"}),
    "timeout 1 s, 1 retry": (
        "\n    timeout: 1\n    retries: 1",
        {"TP-1001": "too slow", "TP-1002": "429 with Retry-After", "TP-1003": "HTML, not JSON"},
    ),
}


def judge_unreachable(run: Run, expected: dict[str, str]) -> None:
    """``expected``: the text each partner's reason must hold."""
    # that it ends at all is run_in's timeout; how fast is bench's to measure
    assert run.code == 1, run.stdout + run.stderr
    doc = run.signoff
    assert doc["verdict"] == "NO-GO"
    items = doc["items"]
    assert sorted(item["subject"] for item in items) == sorted(expected)
    for item in items:
        assert item["status"] == "broken", item
        assert item["category"] == "environment unreachable", item
        assert expected[item["subject"]] in item["reason"], item["reason"]
        assert item["subject"] in item["reason"]  # names the partner's URL
    # and the credentials sent to the misbehaving target stay out of every file
    assert leaks(run.run_dir, encodings(CANARY)) == []


def run_against(tmp_path: Path, base: str, extra: str) -> Run:
    scenario = pointed_at(tmp_path, base, extra)
    args = ("--scenario", str(scenario), "--tags", "MTP-05")
    return run_in(ROOT, *args, out=tmp_path / "reports", GOLIVE_SANDBOX_TOKEN=CANARY)


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], tuple[Run, Target]]]:
    """Each of ``RUNS``, made the first time a test asks for it, with its target."""
    made: dict[str, tuple[Run, Target]] = {}

    def run_of(name: str) -> tuple[Run, Target]:
        if name not in made:
            extra, ways = RUNS[name]
            server, _ = serve()
            server.modes = {subject: ANSWERS[way][0] for subject, way in ways.items()}
            made[name] = run_against(tmp_path_factory.mktemp("run"), server.url, extra), server
        return made[name]

    yield run_of
    for _, server in made.values():
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("way", ANSWERS, ids=list(ANSWERS))
def test_an_unusable_answer_is_broken_environment_unreachable_and_no_go(
    runs: Callable[[str], tuple[Run, Target]], way: str
) -> None:
    [(name, subject)] = [
        (n, s) for n, (_, ways) in RUNS.items() for s, w in ways.items() if w == way
    ]
    run, target = runs(name)
    judge_unreachable(run, {s: ANSWERS[w][1] for s, w in RUNS[name][1].items()})
    hits = [path for _, path in target.hits if subject in path]
    if way == "429 with Retry-After":  # retried once (retries: 1), after the capped delay
        assert len(hits) == 2, hits
    if way == "5xx":  # a 500 is not retried: it is an answer, not a hiccup
        assert len(hits) == 1, hits


PARTNERS = ("TP-1001", "TP-1002", "TP-1003")


def test_a_refused_connection_is_broken_environment_unreachable_and_no_go(
    tmp_path: Path,
) -> None:
    run = run_against(tmp_path, f"http://127.0.0.1:{closed_port()}", "")
    judge_unreachable(run, dict.fromkeys(PARTNERS, "connection refused (after 3 attempts)"))


def test_a_self_signed_certificate_is_not_accepted(tls_target: Target, tmp_path: Path) -> None:
    run = run_against(tmp_path, tls_target.url, "")
    judge_unreachable(run, dict.fromkeys(PARTNERS, "TLS certificate not accepted"))
    assert tls_target.hits == []  # no request got through the failed handshake
