"""Keeping secrets out of everything golive writes or prints.

Two layers: by name (headers, query parameters and JSON fields whose names say they hold
a credential are masked whatever their value) and by value (every resolved credential is
replaced wherever it appears). The same redactor scrubs HTTP evidence, failure text,
Playwright traces and, after the run, every text file of the run.

By value, each secret is masked in the forms it travels or is echoed in: as it is and in
any letter case; URL-encoded (``%XX``, ``+``), HTML-escaped (named, decimal and hex
entities), JSON- or backslash-escaped (``\\"``, ``\\u00XX``, ``\\xXX``), character by
character and in any mix of these; split by a line break (``\\n``, ``\\r\\n``, or their
escaped spellings) anywhere inside it; hex-encoded (either case); base64 and base64url
(padded or not, line-wrapped or URL-encoded, alone or inside a longer base64 text at any
offset); and, for basic auth, the base64 of ``user:password``. Every occurrence is
masked, inside a longer word too (a secret glued to other text is still a secret): this
is why a credential must be at least
``golive.config.MIN_CREDENTIAL_LENGTH`` characters, so that masking never eats ordinary
words. Text is redacted first and cut to length after, never the other way round.
"""

from __future__ import annotations

import base64
import html.entities
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SENSITIVE_NAME = re.compile(
    r"authorization|cookie|token|secret|passw(or)?d|api[-_]?key|apikey|credential|session|"
    r"signature|private",
    re.IGNORECASE,
)
# The redactor's own floor. The scenario refuses credentials shorter than
# golive.config.MIN_CREDENTIAL_LENGTH (8) at load, so none shorter reaches a run.
MIN_SECRET_LENGTH = 4


BREAK = r"(?:\r?\n[ \t]*|\\r\\n|\\n)?"  # a line break a wrapper or an echo put inside


PADDING = f"(?:{BREAK}(?:=|%3d|\\\\u003d|&#0*61;|&#x0*3d;)){{0,2}}"  # base64's, spelled any way


def _char(c: str) -> str:
    """A regex for one character of a secret in any of the spellings it is echoed in."""
    cp = ord(c)
    raw = c.encode()
    alts = [re.escape(c), "%" + "%".join(f"{b:02x}" for b in raw), f"&#0*{cp};", f"&#x0*{cp:x};"]
    if cp > 0xFFFF:  # JSON spells it as a UTF-16 surrogate pair
        high, low = 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF)
        alts.append(f"\\\\u{high:04x}\\\\u{low:04x}")
    else:
        alts.append(f"\\\\u{cp:04x}")
    if not c.isascii():
        alts.append("".join(f"\\\\x{b:02x}" for b in raw))  # a bytes repr
    elif not c.isalnum():
        alts.append("\\\\" + re.escape(c))  # JSON's \\" \\\\ \\/, a repr's \\'
    if c == " ":
        alts.append(r"\+")
    name = html.entities.codepoint2name.get(cp)
    if name:
        alts.append(f"&{name};")
    if c == "'":
        alts.append("&apos;")
    return "(?:" + "|".join(alts) + ")"


def _flexible(form: str) -> str:
    return BREAK.join(_char(c) for c in form)


def _embedded_base64(raw: bytes) -> set[str]:
    """The secret inside a longer base64 text (a token in an encoded JSON payload, a
    password after a user name of any length): at each of the three byte offsets, the
    characters that encode the secret's bits alone."""
    forms = set()
    for offset in range(3):
        first = (8 * offset + 5) // 6  # characters holding no bit of the secret: skipped
        last = 8 * (offset + len(raw)) // 6  # characters holding only bits of the secret
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            form = encode(b"\0" * offset + raw).decode()[first:last]
            if len(form) >= MIN_SECRET_LENGTH:
                forms.add(form)
    return forms


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._forms: set[str] = set()
        self._base64: set[str] = set()  # forms that may be followed by = padding
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    @property
    def empty(self) -> bool:
        return not self._values

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH or secret in self._values:
            return
        self._values.add(secret)
        raw = secret.encode()
        self._forms |= {secret, raw.hex()}
        self._base64 |= {
            base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }
        for payload in {
            raw,
            json.dumps(secret)[1:-1].encode(),
            json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
        }:
            self._forms |= _embedded_base64(payload)  # as it is, or as a JSON string holds it
        self._pattern = None  # compiled again on first use

    def add_basic(self, user: str, password: str) -> None:
        self.add(password)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._values.add(token)
        self._base64.add(token.rstrip("="))  # already an encoding: not encoded once more
        self._pattern = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            # longest first: a longer form wins over a shorter one it contains
            ordered = sorted(self._forms | self._base64, key=len, reverse=True)
            # What any match can start with, looked ahead first: most positions of a long
            # text are passed over without trying each form.
            first = {c for f in ordered for c in (f[0].lower(), f[0].upper())} | set("%&\\+")
            starts = "[" + "".join(re.escape(c) for c in sorted(first)) + "]"
            alternatives = "|".join(
                _flexible(f) + (PADDING if f in self._base64 else "") for f in ordered
            )
            self._pattern = re.compile(f"(?={starts})(?:{alternatives})", re.IGNORECASE)
        return self._pattern

    def text(self, text: str) -> str:
        if not self._values or not text:
            return text
        return self.pattern.sub(MASK, text)

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self._values:
            return data
        return self.text(data.decode("utf-8", errors="surrogateescape")).encode(
            "utf-8", errors="surrogateescape"
        )

    def contains_secret(self, text: str) -> bool:
        return bool(self._values) and self.pattern.search(text) is not None

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            k: MASK if SENSITIVE_NAME.search(k) else self.text(str(v)) for k, v in headers.items()
        }

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
        query = urlencode(
            [
                (k, MASK if SENSITIVE_NAME.search(k) else v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="*",
        )
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def data(self, value: Any) -> Any:
        """A JSON-like value with credential-named fields masked and secret values scrubbed."""
        if isinstance(value, Mapping):
            return {
                k: MASK if SENSITIVE_NAME.search(str(k)) else self.data(v) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def body(self, body: bytes | str | None, content_type: str = "") -> str:
        if body is None:
            return ""
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        if "json" in content_type or text[:1] in "{[":
            try:
                return json.dumps(self.data(json.loads(text)), indent=2, ensure_ascii=False)
            except ValueError:
                pass
        return self.text(text)
