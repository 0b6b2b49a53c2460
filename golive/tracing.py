"""Playwright traces without secrets.

Playwright records what a step typed (``fill`` parameters, its log line) and every input's
value in its DOM snapshots, password fields included; nothing in its API leaves one field
out. So every trace golive keeps is rewritten entry by entry through the run's redactor
(which knows every resolved credential, in every encoding it masks) before anyone sees it.

Every entry is scrubbed, and whole: text entries (trace events, network log, snapshots),
resources whatever their name or encoding, and binary ones (screencast frames) too, whose
bytes come out unchanged unless they hold a secret. Nothing is decoded in fixed-size pieces
or sniffed from its first bytes, so neither a character cut at a boundary nor a resource
that does not look like text lets a secret through.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .redact import Redactor


def scrub_trace(source: Path, target: Path, redactor: Redactor) -> Path:
    """Copy the trace zip ``source`` to ``target`` with every secret masked."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, redactor.scrub_bytes(src.read(info.filename)))
    return target
