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
from .redact import Redactor
from .results import ENVIRONMENT_ERRORS

POLYFILL = Path(__file__).with_name("allure-node20.cjs")

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
) -> Path:
    """The run's ``allurerc.mjs``: single-file report, golive's categories, the history of
    this scenario's runs, waivers as accepted known issues, and a quality gate that agrees
    with golive's verdict (``allure quality-gate`` exits 1 exactly when golive says NO-GO
    for failed, broken, not-run or missing items).

    ``waivers`` pairs each valid waiver with the Allure test case IDs it covers and the
    subject its message must name."""
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
        "name": name,
        "historyPath": str(history),
        "plugins": {"awesome": {"options": {"singleFile": True, "reportLanguage": "en"}}},
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
    text = f"""// Written by golive for this run. The quality gate agrees with golive's verdict
// (golive/verdict.py): it fails on failed items of a blocking severity, on items broken
// or not run (any severity while policy.unchecked_blocks), and on missing results
// (fewer results than the {planned} planned items, less the waived ones, which Allure
// accepts as known issues and leaves out of the rules' results).
const BLOCKING = {json.dumps(policy.blocking_severities)};
const UNCHECKED_BLOCKS = {"true" if policy.unchecked_blocks else "false"};
const severity = (tr) => (tr.labels ?? []).find((l) => l.name === "severity")?.value;
const blocks = (tr) =>
  tr.status !== "passed" &&
  (BLOCKING.includes(severity(tr)) ||
    (UNCHECKED_BLOCKS && ["broken", "skipped", "unknown"].includes(tr.status)));
const goliveVerdict = {{
  rule: "goliveVerdict",
  message: ({{ actual, expected }}) =>
    `NO-GO: ${{actual.blocking}} blocking item(s), ` +
    `${{actual.missing}} of ${{expected}} results missing`,
  successMessage: () => "GO: no blocking item and no missing result",
  validate: async ({{ trs, expected, state }}) => {{
    const previous = state.getResult() ?? {{ seen: 0, blocking: [] }};
    const blocking = [...previous.blocking, ...trs.filter(blocks).map((tr) => tr.id)];
    const seen = previous.seen + trs.length;
    state.setResult({{ seen, blocking }}, blocking);
    const missing = Math.max(0, expected - seen);
    return {{
      success: blocking.length === 0 && missing === 0,
      actual: {{ blocking: blocking.length, missing }},
      testResults: blocking,
    }};
  }},
}};
const config = {json.dumps(config, indent=2)};
config.qualityGate = {{
  use: [goliveVerdict],
  rules: [{{ id: "golive", goliveVerdict: {expected} }}],
}};
export default config;
"""
    path = run_dir / "allurerc.mjs"
    path.write_text(text, "utf-8")
    return path


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
    """Run ``allure generate``; return None on success or the reason it failed.

    The report is one self-contained ``index.html`` (the awesome plugin's single-file
    mode), so it opens from disk or a CI artifact without a web server."""
    done = _allure(
        root,
        run_dir,
        [
            "generate",
            str(run_dir / "allure-results"),
            "-o",
            str(run_dir / "allure-report"),
            "--config",
            str(config),
        ],
    )
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return f"allure generate exited {done.returncode}: {done.stderr.strip()[-300:]}"
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
