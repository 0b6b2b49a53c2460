"""Reading the mail a system sent.

``CaptureMailbox`` reads the sandbox's SMTP capture over HTTP. For a real environment a
team points the scenario at a mailbox adapter of its own (IMAP, a mail-testing service)
with the same Protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .http import HttpClient


@dataclass(frozen=True)
class Mail:
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    body: str


class Mailbox(Protocol):
    def messages(self, subject_contains: str) -> list[Mail]: ...


class CaptureMailbox:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def messages(self, subject_contains: str) -> list[Mail]:
        _, rows = self.http.get_json("/mailbox/messages", params={"subject": subject_contains})
        return [
            Mail(r["message_id"], r["sender"], list(r["recipients"]), r["subject"], r["body"])
            for r in rows
        ]
