"""``scrub_trace`` masks every form of a credential in a trace's text entries and leaves
binary entries (screencast frames) byte for byte."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path
from urllib.parse import quote

from golive.redact import Redactor
from golive.tracing import scrub_trace

SECRET = "Pw+4f/1c=2e9a7b"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))


def test_scrub_trace_masks_text_entries_and_keeps_binaries(tmp_path: Path) -> None:
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("trace.trace", f'{{"method":"fill","params":{{"value":"{SECRET}"}}}}\n')
        z.writestr("trace.network", f"username=anna.erp&password={quote(SECRET, safe='')}")
        z.writestr("resources/abc", base64.b64encode(SECRET.encode()))
        z.writestr("screencast/page-1.jpeg", JPEG)
    clean = scrub_trace(raw, tmp_path / "clean.zip", Redactor([SECRET]))
    with zipfile.ZipFile(clean) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    assert entries["trace.trace"] == b'{"method":"fill","params":{"value":"***"}}\n'
    assert entries["trace.network"] == b"username=anna.erp&password=***"  # a form body
    assert entries["resources/abc"] == b"***"
    assert entries["screencast/page-1.jpeg"] == JPEG
