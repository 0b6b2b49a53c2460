"""Telling people the verdict when a run ends: an email and a chat webhook.

Both are optional (``notify`` in the scenario). A notification that cannot be sent is a
warning on the console; it never changes the verdict or the exit code.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import requests

from .config import Notify
from .redact import Redactor


def message(doc: dict[str, Any], link: str) -> tuple[str, str]:
    """The subject line and body for any channel."""
    run = doc["run"]
    subject = f"golive {doc['verdict']}: {run['environment']} ({run['scenario']})"
    lines = [subject, ""]
    lines += [f"- {r}" for r in doc["reasons"][:10]]
    if len(doc["reasons"]) > 10:
        lines.append(f"- ... and {len(doc['reasons']) - 10} more")
    counts = ", ".join(f"{v} {k}" for k, v in doc["counts"].items() if v)
    lines += [
        "",
        f"Checks: {counts}",
        f"Run {run['run_id']} by {run['ran_by']}",
        f"Signoff: {link}",
    ]
    return subject, "\n".join(lines)


def send(notify: Notify, doc: dict[str, Any], link: str, redactor: Redactor) -> list[str]:
    """Send every configured notification; return the problems, one line each."""
    subject, body = message(doc, link)
    problems = []
    if notify.email is not None:
        mail = notify.email
        creds = {k: v.get_secret_value() for k, v in mail.credentials.items()}
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = mail.sender, ", ".join(mail.to), subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=15) as smtp:
                if mail.starttls:
                    smtp.starttls()
                if "username" in creds:
                    smtp.login(creds["username"], creds.get("password", ""))
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            problems.append(f"email to {', '.join(mail.to)} not sent: {redactor.text(str(exc))}")
    if notify.webhook is not None:
        hook = notify.webhook
        url = hook.credentials["url"].get_secret_value() if "url" in hook.credentials else ""
        payload: dict[str, Any] = (
            {"text": body}
            if hook.format == "slack"
            else {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": subject,
                "title": subject,
                "text": body.replace("\n", "<br>"),
            }
        )
        try:
            response = requests.post(url, json=payload, timeout=15)
            if response.status_code >= 300:
                problems.append(f"{hook.format} webhook answered HTTP {response.status_code}")
        except requests.RequestException as exc:
            problems.append(f"{hook.format} webhook not reached: {type(exc).__name__}")
    return problems
