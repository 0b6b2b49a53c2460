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
import shutil
import subprocess
from pathlib import Path

from .redact import Redactor

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


def generate_html(root: Path, results_dir: Path, report_dir: Path, name: str) -> str | None:
    """Run ``allure generate``; return None on success or the reason it failed.

    The report is one self-contained ``index.html`` (the awesome plugin's single-file
    mode), so it opens from disk or a CI artifact without a web server."""
    command = allure_command(root)
    if command is None:
        return "the Allure 3 CLI is not installed (npm ci, or set GOLIVE_ALLURE)"
    config = results_dir.parent / "allurerc.json"
    config.write_text(
        json.dumps(
            {
                "name": name,
                "plugins": {"awesome": {"options": {"singleFile": True, "reportLanguage": "en"}}},
            },
            indent=2,
        ),
        "utf-8",
    )
    try:
        done = subprocess.run(
            [
                *command,
                "generate",
                str(results_dir),
                "-o",
                str(report_dir),
                "--config",
                str(config),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=root,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"allure generate failed: {exc}"
    if done.returncode != 0:
        return f"allure generate exited {done.returncode}: {done.stderr.strip()[-300:]}"
    return None


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
