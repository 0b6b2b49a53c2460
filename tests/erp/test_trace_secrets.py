"""A partner user's password, typed into the login form, never reaches a report.

Runs a browser item that fails (so a screenshot and the Playwright trace are attached)
and an item that calls the API as the partner user (basic auth), with a distinctive
password, then looks for that password in every form it travels in
(plain, URL-encoded, base64, ``user:password`` basic auth) inside the trace zip's entries,
every Allure result and attachment, and the console output.
"""

from __future__ import annotations

import base64
import json
import secrets
import zipfile
from pathlib import Path
from urllib.parse import quote

from .helpers import run_checklist


def forms(password: str) -> list[bytes]:
    raw = password.encode()
    return [
        raw,
        quote(password, safe="").encode(),
        base64.b64encode(raw),
        base64.b64encode(b"anna.erp:" + raw),
    ]


def failing_step_attachments(results: Path) -> list[dict[str, str]]:
    found = []
    for file in results.glob("*-result.json"):
        result = json.loads(file.read_text())
        for step in result.get("steps", []):
            if step.get("status") in ("failed", "broken"):
                found += step.get("attachments", [])
    return found


def test_typed_password_is_in_no_trace_report_or_log(tmp_path: Path) -> None:
    password = f"Pw-{secrets.token_hex(12)}"
    results = tmp_path / "allure"
    run = run_checklist(
        "-k",
        "(switches_to_the_customer or sees_exactly_the_subcompanies) and C-100",
        "--sandbox-fault",
        "partner-users-page-open",
        "--alluredir",
        str(results),
        env={"GOLIVE_SANDBOX_TOKEN": password},
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout  # ERP-06 fails; ERP-05 calls the API as anna

    attachments = failing_step_attachments(results)
    kinds = {Path(a["source"]).suffix for a in attachments}
    assert {".png", ".zip"} <= kinds, attachments  # a screenshot and the trace, in that step
    [attached] = [a for a in attachments if a["source"].endswith(".zip")]
    assert attached["type"] == "application/vnd.allure.playwright-trace"  # Allure's viewer
    trace = results / attached["source"]
    with zipfile.ZipFile(trace) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    recorded = entries["trace.trace"]
    assert b'"method":"fill"' in recorded and b"anna.erp" in recorded  # the login is traced
    assert b'"value":"***"' in recorded  # ... with the password masked

    leaks = [
        f"{where}: {form[:6]!r}..."
        for where, data in [
            *((f"trace {n}", d) for n, d in entries.items()),
            *((f"allure {f.name}", f.read_bytes()) for f in results.iterdir()),
            ("stdout", run.stdout.encode()),
            ("stderr", run.stderr.encode()),
        ]
        for form in forms(password)
        if form in data
    ]
    assert not leaks, leaks
