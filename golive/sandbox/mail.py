"""Real SMTP: a capture server (aiosmtpd) that stores every message in the mailbox table,
and the sender the platform uses for its notification emails."""

from __future__ import annotations

import json
import smtplib
import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from .db import Database


class CaptureHandler:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(("plain",)) if hasattr(msg, "get_body") else None
        self.db.execute(
            "INSERT INTO mailbox (message_id, sender, recipients, subject, body, headers,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            msg.get("Message-ID", ""),
            envelope.mail_from,
            json.dumps(sorted(envelope.rcpt_tos)),
            msg.get("Subject", ""),
            body.get_content() if body is not None else "",
            json.dumps({k: str(v) for k, v in msg.items()}),
            datetime.now(UTC).isoformat(),
        )
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_capture(db: Database, host: str = "127.0.0.1") -> Controller:
    controller = Controller(CaptureHandler(db), hostname=host, port=free_port(host))
    controller.start()
    return controller


def send(
    smtp_host: str,
    smtp_port: int,
    sender: str,
    recipients: list[str],
    subject: str,
    body: str,
    message_id: str,
) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    with smtplib.SMTP(smtp_host, smtp_port, timeout=10) as smtp:
        smtp.send_message(msg, to_addrs=recipients)
