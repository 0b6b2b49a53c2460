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
from collections.abc import Iterable, Iterator, Mapping
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


class _Matcher:
    """Every form of every secret, found as one alternation of them all would find them.

    The alternation ``(?:F1|F2|...)`` (longest form first) is what golive matched with, but
    ``re`` parses and compiles such a pattern in pure Python, ~4 us per character of it:
    the sandbox scenario's secrets make 61,000 (each character of each form in every
    spelling, a line break allowed between any two), 0.2-0.4 s in every process. Most texts
    hold no secret, and one that does holds few of the forms. So the only regex compiled up
    front is a prefilter, the same alternation of each form's first ``PREFIX`` characters
    (~1/10 of the size); each form is compiled alone the first time the prefilter finds its
    prefix (bench/README.md, redact). Where the prefilter matches, the forms are tried at
    that position in the alternation's order and the first that matches wins, with the end
    it matches to alone: nothing follows the alternation, so that is the end the
    alternation matches to. A form whose prefix does not match there cannot match there, so
    it is skipped; the prefilter's group says which prefix matched first, so every form
    before it is skipped unseen.
    tests/unit/test_redact_equivalence.py holds the one big regex as the oracle.
    """

    PREFIX = 6  # characters of each form the prefilter looks for

    def __init__(self, forms: set[str], base64_forms: set[str]) -> None:
        # longest first: a longer form wins over a shorter one it contains
        self.ordered = sorted(forms | base64_forms, key=len, reverse=True)
        self.padded = [f in base64_forms for f in self.ordered]
        # each form's prefix, numbered in the order the forms first have it
        numbers: dict[str, int] = {}
        self.prefix_of = [numbers.setdefault(f[: self.PREFIX], len(numbers)) for f in self.ordered]
        self.prefixes = list(numbers)
        # the first form with each prefix: every form before it has an earlier prefix
        self.first_form: dict[int, int] = {}
        for i, k in enumerate(self.prefix_of):
            self.first_form.setdefault(k, i)
        # What any match can start with, looked ahead first: most positions of a long text
        # are passed over without trying each prefix.
        first = {c for f in self.ordered for c in (f[0].lower(), f[0].upper())} | set("%&\\+")
        starts = "[" + "".join(re.escape(c) for c in sorted(first)) + "]"
        # an empty group closes each prefix: its number says which prefix matched (first),
        # and costs nothing where the prefix does not match (a group around it would)
        alternation = "|".join(f"{_flexible(p)}()" for p in self.prefixes)
        self.prefilter = re.compile(f"(?={starts})(?:{alternation})", re.IGNORECASE)
        self._forms: dict[int, re.Pattern[str]] = {}
        self._prefixes: dict[int, re.Pattern[str]] = {}

    def _form(self, i: int) -> re.Pattern[str]:
        found = self._forms.get(i)
        if found is None:
            source = _flexible(self.ordered[i]) + (PADDING if self.padded[i] else "")
            found = self._forms[i] = re.compile(source, re.IGNORECASE)
        return found

    def _prefix(self, k: int) -> re.Pattern[str]:
        found = self._prefixes.get(k)
        if found is None:
            found = self._prefixes[k] = re.compile(_flexible(self.prefixes[k]), re.IGNORECASE)
        return found

    def _end(self, text: str, start: int, first: int) -> int:
        """Where the first form (in order) matching at start ends, or -1; first: the
        first prefix (in order) matching there."""
        matches = {first: True}
        for i in range(self.first_form[first], len(self.ordered)):
            k = self.prefix_of[i]
            if k < first:
                continue
            if k not in matches:
                matches[k] = self._prefix(k).match(text, start) is not None
            if matches[k] and (found := self._form(i).match(text, start)) is not None:
                return found.end()
        return -1

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Each match's (start, end), left to right, as ``re.finditer`` gives them."""
        search = self.prefilter.search
        pos = 0
        while (found := search(text, pos)) is not None:
            start = found.start()
            assert found.lastindex is not None  # one group per prefix: one of them matched
            end = self._end(text, start, found.lastindex - 1)
            if end < 0:  # a prefix, not a secret: go on from the next character
                pos = start + 1
                continue
            yield start, end
            pos = end  # never empty: a form is at least one character


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._forms: set[str] = set()
        self._base64: set[str] = set()  # forms that may be followed by = padding
        self._matcher: _Matcher | None = None
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
        self._matcher = None  # built again on first use

    def add_basic(self, user: str, password: str) -> None:
        self.add(password)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._values.add(token)
        self._base64.add(token.rstrip("="))  # already an encoding: not encoded once more
        self._matcher = None

    @property
    def matcher(self) -> _Matcher:
        if self._matcher is None:
            self._matcher = _Matcher(self._forms, self._base64)
        return self._matcher

    def text(self, text: str) -> str:
        if not self._values or not text:
            return text
        pieces: list[str] = []
        done = 0
        for start, end in self.matcher.spans(text):
            pieces += (text[done:start], MASK)
            done = end
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self._values:
            return data
        return self.text(data.decode("utf-8", errors="surrogateescape")).encode(
            "utf-8", errors="surrogateescape"
        )

    def contains_secret(self, text: str) -> bool:
        return bool(self._values) and next(self.matcher.spans(text), None) is not None

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
