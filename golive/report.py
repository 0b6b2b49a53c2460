"""The run folder's finishing work: scrubbing secrets, Allure environment, the HTML report.

Layout of ``reports/<run id>/``::

    run.json            what ran: scenario, environment, policy snapshot, pytest's exit
    plan.json           the items the run meant to check
    allure-results/     written by allure-pytest-bdd during the run
    allure-report/      the HTML report (Allure 3, ``allure generate``)
    junit.xml
    signoff.json|md|html
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from .config import Policy, Waiver
from .files import make_readable
from .redact import Redactor
from .results import ENVIRONMENT_ERRORS

POLYFILL = Path(__file__).with_name("allure-node20.cjs")
REPORT_SCRIPT = Path(__file__).with_name("allure-report.mjs")

TEXT_SUFFIXES = {".json", ".txt", ".xml", ".md", ".html", ".properties", ".log", ".csv", ".yaml"}


def scrub_tree(root: Path, redactor: Redactor) -> list[Path]:
    """Replace every secret in every text file under ``root``; return the files changed.

    The run's own layers already redact what they write; this is the last line, for
    text that reached a file some other way (a library's repr, a traceback's locals)."""
    changed: list[Path] = []
    if redactor.empty:
        return changed
    for path in root.rglob("*"):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        data = path.read_bytes()
        clean = redactor.scrub_bytes(data)
        if clean != data:
            path.write_bytes(clean)
            changed.append(path)
    return changed


def write_environment(results_dir: Path, values: dict[str, str]) -> None:
    """Allure's environment section: only what golive chooses to show (an allowlist)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{k.replace(' ', '.')}={v}" for k, v in values.items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", "utf-8")


def allure_command(root: Path) -> list[str] | None:
    chosen = os.environ.get("GOLIVE_ALLURE")
    if chosen:
        return [chosen]
    local = root / "node_modules" / ".bin" / "allure"
    if local.exists():
        return [str(local)]
    found = shutil.which("allure")
    return [found] if found else None


def write_allure_config(
    run_dir: Path,
    name: str,
    policy: Policy,
    planned: int,
    waivers: list[tuple[Waiver, list[str], str]],
    history: Path,
    decision: str | None = None,
) -> Path:
    """The run's ``allurerc.mjs``: single-file report named after the verdict, grouped by
    checklist, golive's categories, the history of this scenario's runs, waivers as
    accepted known issues, and a quality gate of the policy's rules whose outcome is
    golive's verdict (``allure quality-gate`` exits 1 exactly when golive says NO-GO for
    failed, broken, not-run or missing items, or too few checks; the report shows each
    rule). No analytics: the report is about production systems and calls nobody.

    ``waivers`` pairs each valid waiver with the Allure test case IDs it covers and the
    subject its message must name. ``decision`` is the run's verdict (judged from the run
    folder when not given); it also goes into the report's environment section."""
    if decision is None:
        from .verdict import judge_dir

        decision = judge_dir(run_dir).decision
    set_environment(run_dir / "allure-results", "verdict", decision)
    rules = [
        {
            "resolution": "accepted",
            "comment": f"waived by {w.approved_by} until {w.expires.isoformat()}: {w.reason}",
            "testCaseId": ids,
            **({"messageRegexp": re.escape(subject)} if subject else {}),
        }
        for w, ids, subject in waivers
        if ids
    ]
    config = {
        "name": f"{decision}: {name}",
        "historyPath": str(history),
        "plugins": {
            "awesome": {
                "options": {
                    "singleFile": True,
                    "reportLanguage": "en",
                    # the checklist, then the item (golive.allure_meta's labels)
                    "groupBy": ["parentSuite", "subSuite"],
                }
            }
        },
        "categories": {
            "rules": [
                {"name": "Product defect", "matchedStatuses": ["failed"]},
                {
                    "name": "Environment unreachable",
                    "matchedStatuses": ["broken"],
                    "messageRegex": f".*({'|'.join(ENVIRONMENT_ERRORS)}).*",
                },
                {"name": "Harness error", "matchedStatuses": ["broken", "unknown"]},
                {"name": "Not run", "matchedStatuses": ["skipped"]},
            ]
        },
        "resolutions": {"knownIssuesPath": str(run_dir / "known-issues.json"), "rules": rules},
    }
    expected = max(planned - len(waivers), 0)
    severities = ", ".join(policy.blocking_severities) or "none"
    gate_rules = [
        {"id": f"no failed item of a blocking severity ({severities})", "blockingFailed": 0},
        {
            "id": "no item broken or not run"
            + ("" if policy.unchecked_blocks else f" of a blocking severity ({severities})"),
            "notChecked": 0,
        },
        {"id": f"a result for every planned item ({expected} not waived)", "resultsSeen": expected},
        {
            "id": f"at least {policy.min_checks} checks concluded (policy.min_checks)",
            "minConcluded": max(policy.min_checks - len(waivers), 0),
        },
    ]
    if policy.required:
        gate_rules.append(
            {"id": "required items ran (policy.required)", "requiredRan": policy.required}
        )
    text = f"""// Written by golive for this run. The quality gate is the policy's rules, and its
// outcome is golive's verdict (golive/verdict.py): it fails on failed items of a blocking
// severity, on items broken or not run (any severity while policy.unchecked_blocks), on
// missing results (fewer results than the {planned} planned items, less the waived ones,
// which Allure accepts as known issues and leaves out of the rules' results), and on too
// few checks that concluded (passed or failed).
const BLOCKING = {json.dumps(policy.blocking_severities)};
const UNCHECKED_BLOCKS = {"true" if policy.unchecked_blocks else "false"};
const label = (tr, name) => (tr.labels ?? []).find((l) => l.name === name)?.value;
const unchecked = (tr) => ["broken", "skipped", "unknown"].includes(tr.status);
const blocking = (tr) => BLOCKING.includes(label(tr, "severity"));
// A rule that counts results across the gate's batches (its state) and lists those it
// blames: `pick` says which results count, `judge` whether the count passes.
const counting = (rule, pick, judge, message, successMessage) => ({{
  rule,
  message,
  successMessage,
  validate: async ({{ trs, expected, state }}) => {{
    const previous = state.getResult() ?? {{ seen: 0, picked: [] }};
    const picked = [...previous.picked, ...trs.filter(pick).map((tr) => tr.id)];
    const seen = previous.seen + trs.length;
    state.setResult({{ seen, picked }}, picked);
    const actual = {{ seen, count: picked.length }};
    return {{ success: judge(actual, expected), actual, testResults: picked }};
  }},
}});
const blockingFailed = counting(
  "blockingFailed",
  (tr) => tr.status === "failed" && blocking(tr),
  (a, e) => a.count <= e,
  ({{ actual }}) => `NO-GO: ${{actual.count}} failed item(s) of a blocking severity`,
  () => "no failed item of a blocking severity",
);
const notChecked = counting(
  "notChecked",
  (tr) => unchecked(tr) && (UNCHECKED_BLOCKS || blocking(tr)),
  (a, e) => a.count <= e,
  ({{ actual }}) => `NO-GO: ${{actual.count}} item(s) broken or not run`,
  () => "every item was checked",
);
const resultsSeen = counting(
  "resultsSeen",
  () => false,
  (a, e) => a.seen >= e,
  ({{ actual, expected }}) =>
    `NO-GO: ${{Math.max(0, expected - actual.seen)}} of ${{expected}} results missing`,
  () => "a result for every planned item",
);
const minConcluded = counting(
  "minConcluded",
  (tr) => tr.status === "passed" || tr.status === "failed",
  (a, e) => a.count >= e,
  ({{ actual, expected }}) =>
    `NO-GO: ${{actual.count}} checks concluded; the policy needs ${{expected}}`,
  () => "enough checks concluded",
);
const REQUIRED = {json.dumps(_required_patterns(policy.required))};  // policy.required
const requiredRan = {{
  rule: "requiredRan",
  message: ({{ actual }}) => `NO-GO: required ${{actual.missing.join(", ")}} did not run`,
  successMessage: () => "every required item ran",
  validate: async ({{ trs, expected, state }}) => {{
    const previous = state.getResult() ?? {{ ran: [] }};
    const concluded = trs.filter((tr) => tr.status === "passed" || tr.status === "failed");
    const ran = [...previous.ran, ...concluded.map((tr) => label(tr, "golive_id"))];
    state.setResult({{ ran }}, []);
    const matches = (p) => ran.some((id) => id && new RegExp(REQUIRED[p]).test(id));
    const missing = expected.filter((p) => !matches(p));
    return {{ success: missing.length === 0, actual: {{ missing }}, testResults: [] }};
  }},
}};
const config = {json.dumps(config, indent=2)};
config.qualityGate = {{
  use: [blockingFailed, notChecked, resultsSeen, minConcluded, requiredRan],
  rules: {json.dumps(gate_rules, indent=2)},
}};
export default config;
"""
    path = run_dir / "allurerc.mjs"
    path.write_text(text, "utf-8")
    return path


def _required_patterns(patterns: list[str]) -> dict[str, str]:
    """policy.required's patterns (``*`` and ``?`` as in the verdict's fnmatch) as the
    JavaScript regular expressions the quality gate matches IDs with."""
    wild = {"*": ".*", "?": "."}
    return {
        p: "^" + "".join(wild.get(c) or re.sub(r"([^A-Za-z0-9])", r"\\\1", c) for c in p) + "$"
        for p in patterns
    }


def set_environment(results_dir: Path, key: str, value: str) -> None:
    """One line of Allure's environment section, first, replacing an earlier one."""
    path = results_dir / "environment.properties"
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if not line.startswith(f"{key}=")]
    results_dir.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([f"{key}={value}", *kept]) + "\n", "utf-8")


def _node(run_dir: Path, command: list[str]) -> subprocess.CompletedProcess[str] | str:
    env = dict(os.environ)
    env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require {POLYFILL}".strip()
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=600, cwd=run_dir, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the Allure report failed: {exc}"


def _allure(root: Path, run_dir: Path, args: list[str]) -> subprocess.CompletedProcess[str] | str:
    """Run the Allure CLI inside the run's directory: whatever it writes by default
    (``quality-gate`` leaves ``allure-report/quality-gate.json`` in its working
    directory) stays with the run instead of landing in the checkout."""
    command = allure_command(root)
    if command is None:
        return "the Allure 3 CLI is not installed (npm ci, or set GOLIVE_ALLURE)"
    env = dict(os.environ)
    env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require {POLYFILL}".strip()
    try:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, timeout=600, cwd=run_dir, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"allure {args[0]} failed: {exc}"


def generate_html(root: Path, run_dir: Path, config: Path) -> str | None:
    """Write the HTML report; return None on success or the reason it failed.

    The report is one self-contained ``index.html`` (the awesome plugin's single-file
    mode), so it opens from disk or a CI artifact without a web server. It is made by
    ``allure-report.mjs`` (Allure 3's generate, plus the quality gate shown in the report)
    with the pinned Allure in ``root``'s node_modules, else by ``allure generate`` (the
    command ``GOLIVE_ALLURE`` names, or one on PATH); either way without the analytics
    script Allure's template carries."""
    report = run_dir / "allure-report"
    results = run_dir / "allure-results"
    core = root / "node_modules" / "@allurereport" / "core"
    node = shutil.which("node")
    if not os.environ.get("GOLIVE_ALLURE") and node and core.is_dir():
        done = _node(
            run_dir,
            [node, str(REPORT_SCRIPT), str(root), str(results), str(report), str(config)],
        )
    else:
        done = _allure(
            root, run_dir, ["generate", str(results), "-o", str(report), "--config", str(config)]
        )
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return f"allure generate exited {done.returncode}: {done.stderr.strip()[-300:]}"
    problem = finish_report(report / "index.html")
    make_readable(report)
    return problem


# Allure 3.18's awesome template loads Google's tag manager whenever a report is opened
# (its `analyticsEnable` is fixed to true): a report about production systems calls nobody.
ANALYTICS = re.compile(
    r"\s*<script async src=\"https://www\.googletagmanager\.com/[^\"]*\"></script>"
    r"\s*<script>\s*window\.dataLayer.*?</script>",
    re.S,
)


# The single-file template runs its app script first and defines the map of embedded data
# (`window.allureReportData`) in an inline script after it. The app reads a file from that
# map only if the map exists when it asks, else it fetches the file from disk, which a
# file:// page cannot: "Failed to fetch" and an empty report. It asks from a render effect,
# which on a busy machine can run before the parser has reached the map's script (a run's
# evidence link failed so in CI). Defined before the app, the map is always there, and
# the app waits until the data scripts say it is filled (`allureReportDataReady`).
APP_SCRIPT = re.compile(r"<script\s+src=\"data:text/javascript;base64,")
DATA_FIRST = "<script>window.allureReportData = window.allureReportData || {};</script>\n"


def finish_report(index: Path) -> str | None:
    """Take the analytics script out of the report and define its embedded data before its
    app; None, or why the report is refused (then it is removed: better no report than
    one that reports its readers)."""
    try:
        html = index.read_text("utf-8")
    except OSError as exc:
        return f"the report has no index.html ({exc.strerror or exc})"
    clean = ANALYTICS.sub("", html)
    if "googletagmanager" in clean or "gtag(" in clean:
        index.unlink()
        return "the report would call an analytics service when opened; removed"
    app = APP_SCRIPT.search(clean)
    if app is not None and DATA_FIRST not in clean and "window.allureReportData" in clean:
        clean = clean[: app.start()] + DATA_FIRST + clean[app.start() :]
    if clean != html:
        index.write_text(clean, "utf-8")
    return None


def quality_gate(root: Path, run_dir: Path) -> tuple[int, str]:
    """Run ``allure quality-gate`` with the run's config: its exit code and output."""
    done = _allure(
        root,
        run_dir,
        [
            "quality-gate",
            str(run_dir / "allure-results"),
            "--config",
            str(run_dir / "allurerc.mjs"),
        ],
    )
    if isinstance(done, str):
        return 2, done
    return done.returncode, done.stdout + done.stderr


def evidence_links(
    report_dir: Path, uuids: dict[str, str], prefix: str = "allure-report"
) -> dict[str, str]:
    """Item key -> link to that item's test result in the generated report.

    ``uuids`` maps item keys to Allure result UUIDs; Allure 3 names a test result by the
    MD5 of its UUID. Only results present in the report are linked."""
    try:
        raw = json.loads((report_dir / "test-results.json").read_text("utf-8"))
        present = set(raw.get("byId", {}))
    except (OSError, ValueError, AttributeError):
        return {}
    links = {}
    for key, uuid in uuids.items():
        report_id = hashlib.md5(uuid.encode()).hexdigest()
        if report_id in present:
            links[key] = f"{prefix}/index.html#/{report_id}"
    return links


def point_latest(reports_root: Path, run_dir: Path) -> None:
    latest = reports_root / "latest"
    tmp = reports_root / f".latest-{run_dir.name}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(tmp, latest)
