"""Playwright traces without secrets.

Playwright records what a step typed (``fill`` parameters, its log line) and every input's
value in its DOM snapshots, password fields included; nothing in its API leaves one field
out. So every trace golive keeps is rewritten entry by entry through the run's redactor
(which knows every resolved credential) before anyone sees it. Binary entries (screencast
frames) are copied as they are: a password field renders as dots.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .redact import Redactor

TEXT_SUFFIXES = (".trace", ".network", ".stacks", ".json", ".html", ".css", ".js", ".txt")


def scrub_trace(source: Path, target: Path, redactor: Redactor) -> Path:
    """Copy the trace zip ``source`` to ``target`` with every secret masked."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(TEXT_SUFFIXES) or _is_text(data):
                data = redactor.scrub_bytes(data)
            out.writestr(info, data)
    return target


def _is_text(data: bytes) -> bool:
    head = data[:512]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
