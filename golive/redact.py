"""Keeping secrets out of everything golive writes or prints.

Two layers: by name (headers, query parameters and JSON fields whose names say they hold
a credential are masked whatever their value) and by value (every resolved credential,
in the encoded forms it travels in: URL-encoded, JSON-escaped, base64, and the base64 of
``user:password`` for basic auth, is replaced wherever it appears). The same redactor
scrubs HTTP evidence, failure text, and, after the run, every text file of the run.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"
SENSITIVE_NAME = re.compile(
    r"authorization|cookie|token|secret|passw(or)?d|api[-_]?key|apikey|credential|session|"
    r"signature|private",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary text; refuse them at load instead


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for secret in secrets:
            self.add(secret)

    @property
    def empty(self) -> bool:
        return not self._values

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            return
        raw = secret.encode()
        forms = {
            secret,
            quote(secret, safe=""),
            quote_plus(secret, safe=""),
            json.dumps(secret)[1:-1],
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
            base64.b64encode(raw).decode().rstrip("="),
        }
        self._values |= {f for f in forms if len(f) >= MIN_SECRET_LENGTH}
        self._ordered = sorted(self._values, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in self._ordered))

    def add_basic(self, user: str, password: str) -> None:
        self.add(password)
        self.add(base64.b64encode(f"{user}:{password}".encode()).decode())

    def text(self, text: str) -> str:
        if not self._values or not text:
            return text
        return self._pattern.sub(MASK, text)

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self._values:
            return data
        return self.text(data.decode("utf-8", errors="surrogateescape")).encode(
            "utf-8", errors="surrogateescape"
        )

    def contains_secret(self, text: str) -> bool:
        return bool(self._values) and self._pattern.search(text) is not None

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
