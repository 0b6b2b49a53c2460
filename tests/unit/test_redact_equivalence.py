"""golive.redact masks exactly what its one-big-regex predecessor masked.

``ReferenceRedactor`` below is the by-value matching of golive/redact.py as it was before
the prefilter (one alternation of every form of every secret, compiled whole on first
use), kept verbatim as the oracle; the forms themselves are golive.redact's, unchanged.
Over a deterministic corpus (fixed seeds, no clock) of secret sets (URL-safe tokens, hex,
punctuation, the characters the encodings themselves use, non-ASCII with case folds,
astral characters, secrets that are prefixes of others, basic-auth pairs) and texts (each
secret in every encoding the module docstring lists, mixed character by character,
line-wrapped, inside longer base64 at each offset, glued to other text, repeated and
overlapping, plus near misses), ``Redactor.text``, ``contains_secret`` and ``scrub_bytes``
give the oracle's answer exactly.

bench/redact.py times the oracle's compile against the new one.
"""

from __future__ import annotations

import base64
import functools
import html
import html.entities
import json
import os
import random
import re
import string
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from golive.redact import MASK, MIN_SECRET_LENGTH, PADDING, Redactor, _flexible

# -- the oracle: golive/redact.py's by-value matching before the prefilter, verbatim -------
# The forms of each secret (Redactor.add, add_basic and the spellings of each character,
# _flexible and PADDING) are as they were: the oracle takes them from the redactor it is
# given, and only matches them the old way, as one alternation compiled whole.


class ReferenceRedactor:
    """The oracle: what ``redactor`` masks, matched as one regex of all its forms, as it was."""

    def __init__(self, redactor: Redactor) -> None:
        self._values = set(redactor._values)
        self._forms = set(redactor._forms)
        self._base64 = set(redactor._base64)
        self._pattern: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            ordered = sorted(self._forms | self._base64, key=len, reverse=True)
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

    def contains_secret(self, text: str) -> bool:
        return bool(self._values) and self.pattern.search(text) is not None

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self._values:
            return data
        return self.text(data.decode("utf-8", errors="surrogateescape")).encode(
            "utf-8", errors="surrogateescape"
        )


# -- the corpus -----------------------------------------------------------------------------

SEED = 20240517
# secret sets, each with its own seeds, so each case stands alone: one of each of the 12
# kinds in `make test` (the module is in ONE_WORKER, so each corpus is made once), four of
# each in `make fuzz` (GOLIVE_REDACT_SETS=48)
SETS = int(os.environ.get("GOLIVE_REDACT_SETS", "12"))
URL_SAFE = string.ascii_letters + string.digits + "-_"
# the characters the encodings themselves are written with, and the escapes' letters
TRICKY = "%&#;\\+ '\"<>=/?xXuUnNrR0123456789abcdefABCDEF.:!*()[]{}$@^|~`,"
NON_ASCII = "éöüßſKİıΣσςÅåÆøÑñçЖжλΩ€£¥©®°±µ¶·¼½¾×÷ǅǈǋﬀ"  # noqa: RUF001 (case folds)
ASTRAL = "😀🔑𝔘𝒜𐐷𐐏𞤢🂡"  # 𐐷/𐐏 and 𞤢 have case
BREAKS = ["\n", "\r\n", "\n  ", "\r\n\t", "\n \t ", "\\n", "\\r\\n", "\\N", "\\R\\N"]
NOT_BREAKS = ["\n\n", " ", "\t", "\r", "\\t", "\\n\\n", "\n\\n"]


Pair = tuple[str, str]


def _token(rng: random.Random, low: int = 24, high: int = 40) -> str:
    return "".join(rng.choice(URL_SAFE) for _ in range(rng.randint(low, high)))


def _from(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def secret_set(index: int) -> tuple[list[str], list[Pair]]:
    """Secrets and basic-auth (user, password) pairs of set ``index``."""
    rng = random.Random(SEED * 7919 + index)
    kind = index % 12
    secrets: list[str] = []
    pairs: list[Pair] = []
    if kind == 0:  # a real run's: the sandbox's token and staff token, basic auth pairs
        token, staff = _token(rng, 32, 32), _from(rng, "0123456789abcdef", 32, 32)
        secrets = [token, staff]
        pairs = [("golive", token), ("svc-connect-3001", token), ("billing.lee", staff)]
    elif kind == 1:
        secrets = [_token(rng) for _ in range(rng.randint(1, 3))]
    elif kind == 2:  # hex and digits: the hex form's own alphabet
        secrets = [_from(rng, "0123456789abcdef", 8, 32), _from(rng, string.digits, 8, 12)]
    elif kind == 3:
        secrets = [_from(rng, string.ascii_letters + string.digits + string.punctuation, 8, 24)]
    elif kind == 4:  # mostly the encodings' own characters
        secrets = [_from(rng, TRICKY, 4, 16) for _ in range(2)]
    elif kind == 5:
        secrets = [_from(rng, URL_SAFE + NON_ASCII, 6, 18)]
    elif kind == 6:
        secrets = [_from(rng, URL_SAFE + ASTRAL + NON_ASCII, 5, 14)]
    elif kind == 7:  # prefixes of one another, shorter than the prefilter's, too short
        base = _from(rng, URL_SAFE + TRICKY[:12], 12, 20)
        secrets = [base, base[:8], base + _token(rng, 2, 4), base[:5], base[:4], base[:3]]
    elif kind == 8:  # whitespace and line breaks inside the secret itself
        secrets = [_from(rng, "ab \t\n\r\\nrN%", 6, 12), "pass word\\n" + _token(rng, 4, 6)]
    elif kind == 9:  # repeats: overlapping occurrences
        unit = _from(rng, "abAB12%&", 2, 3)
        secrets = [unit * rng.randint(3, 5), "x" + unit * 3]
    elif kind == 10:  # basic auth with punctuation, non-ASCII and astral characters
        password = _from(rng, URL_SAFE + NON_ASCII + ASTRAL + ":@%", 8, 16)
        pairs = [(_from(rng, URL_SAFE + "é", 1, 12), password), ("", _token(rng, 8, 8))]
        secrets = [_token(rng, 8, 12)]
    else:  # many secrets at once
        secrets = [_from(rng, URL_SAFE + TRICKY + NON_ASCII, 8, 20) for _ in range(6)]
    return secrets, pairs


def _hexdigits(rng: random.Random, value: int, width: int = 0) -> str:
    digits = f"{value:0{width}x}"
    return "".join(d.upper() if rng.random() < 0.5 else d for d in digits)


def encode_char(rng: random.Random, c: str) -> str:
    """One character in one spelling the module docstring lists, picked at random."""
    cp, raw = ord(c), c.encode()
    choices: list[Callable[[], str]] = [
        lambda: c,
        lambda: c.swapcase() if len(c.swapcase()) == 1 else c,
        lambda: "".join("%" + _hexdigits(rng, b, 2) for b in raw),
        lambda: "&#" + "0" * rng.randint(0, 3) + str(cp) + ";",
        lambda: "&#" + rng.choice("xX") + "0" * rng.randint(0, 3) + _hexdigits(rng, cp) + ";",
    ]
    if cp > 0xFFFF:
        high, low = 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF)
        choices.append(lambda: f"\\u{_hexdigits(rng, high, 4)}\\u{_hexdigits(rng, low, 4)}")
    else:
        choices.append(lambda: "\\" + rng.choice("uU") + _hexdigits(rng, cp, 4))
    if not c.isascii():
        choices.append(lambda: "".join("\\x" + _hexdigits(rng, b, 2) for b in raw))
    elif not c.isalnum():
        choices.append(lambda: "\\" + c)
    if c == " ":
        choices.append(lambda: "+")
    name = html.entities.codepoint2name.get(cp)
    if name:
        choices.append(lambda: f"&{name};")
    if c == "'":
        choices.append(lambda: "&apos;")
    return rng.choice(choices)()


def mixed(rng: random.Random, form: str, breaks: float = 0.1) -> str:
    """``form`` character by character in random spellings, with random line breaks."""
    out = []
    for i, c in enumerate(form):
        if i and rng.random() < breaks:
            out.append(rng.choice(BREAKS))
        out.append(encode_char(rng, c))
    return "".join(out)


def wrap(text: str, every: int, sep: str) -> str:
    return sep.join(text[i : i + every] for i in range(0, len(text), every))


def base64_forms(rng: random.Random, raw: bytes) -> list[str]:
    """raw's base64 in the ways it travels: both alphabets, padded or not, wrapped,
    URL-encoded, inside a longer base64 text at each offset."""
    out = []
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        b64 = encode(raw).decode()
        out += [b64, b64.rstrip("="), b64.swapcase()]
        out.append(wrap(b64, rng.choice([4, 8, 16, 76]), rng.choice(BREAKS)))
        out.append(b64.replace("+", "%2B").replace("/", "%2f").replace("=", "%3D"))
        out.append(b64.replace("=", rng.choice(["\\u003d", "&#61;", "&#x3D;", "&#0061;"])))
        out.append(mixed(rng, b64, 0.05))
        for offset in range(3):
            before = rng.randbytes(offset + 3 * rng.randint(0, 2))
            after = rng.randbytes(rng.randint(0, 5))
            out.append(encode(before + raw + after).decode())
    return out


def _json_every_char(secret: str) -> str:
    out = []
    for c in secret:
        for unit in c.encode("utf-16-be").hex(" ", 2).split():  # surrogate pairs for astral
            out.append("\\u" + unit)
    return "".join(out)


def encodings(rng: random.Random, secret: str) -> list[str]:
    """The secret in every encoding golive/redact.py's docstring lists, and mixes: each
    one masked whole."""
    raw = secret.encode()
    as_json = json.dumps(secret)[1:-1]
    out = [
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote(secret, safe="").lower(),
        quote_plus(secret, safe=""),
        html.escape(secret),
        html.escape(secret, quote=False),
        "".join(f"&#{'0' * rng.randint(0, 4)}{ord(c)};" for c in secret),
        "".join(f"&#x{'0' * rng.randint(0, 4)}{ord(c):X};" for c in secret),
        _json_every_char(secret),
        _json_every_char(secret).upper().replace("\\U", "\\u"),
        raw.hex(),
        raw.hex().upper(),
        wrap(raw.hex(), 16, "\n"),
    ]
    if not any(ord(c) < 0x20 for c in secret):  # JSON's and repr's \\t: not masked
        out += [*json_forms(secret), repr(raw)[2:-1]]
    if secret.isascii():  # beyond ASCII a case mapping may change the length (ß, İ)
        out += [secret.upper(), secret.lower(), secret.swapcase()]
    cut = rng.randint(1, max(1, len(secret) - 1))
    out += [secret[:cut] + br + secret[cut:] for br in BREAKS]
    out.append(wrap(secret, rng.randint(2, 5), rng.choice(BREAKS)))
    out += [mixed(rng, secret) for _ in range(8)]
    out.append(mixed(rng, raw.hex(), 0.05))
    out += base64_forms(rng, raw)
    out += base64_forms(rng, as_json.encode())[-6:]
    out += base64_forms(rng, json.dumps({"token": secret}).encode())[-3:]
    return out


def json_forms(secret: str) -> list[str]:
    as_json = json.dumps(secret)[1:-1]
    return [
        as_json,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        as_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
    ]


def odd_spellings(rng: random.Random, secret: str) -> list[str]:
    """Spellings the masking does not promise: whatever they give, they give it as before."""
    as_json = json.dumps(secret)[1:-1]
    return [
        mixed(rng, as_json),  # an escape's backslash spelled another way: \%5c
        secret.upper(),
        secret.lower(),
        secret.swapcase(),
        secret.casefold(),
        html.escape(as_json),
        quote(quote(secret, safe=""), safe=""),
        quote(as_json, safe=""),
        base64.b64encode(base64.b64encode(secret.encode())).decode(),
    ]


def near_misses(rng: random.Random, secret: str) -> list[str]:
    """Almost the secret: each must come out as the oracle leaves it."""
    raw = secret.encode()
    middle = len(secret) // 2
    other = "Q" if secret[middle] not in "qQ" else "Z"
    b64 = base64.b64encode(raw).decode()
    half = len(b64) // 2
    pieces = [encode_char(rng, c) for c in secret]
    encoded = "".join(pieces)
    out = [
        secret[:middle] + other + secret[middle + 1 :],
        secret[:-1],
        secret[1:],
        secret[:middle] + secret[middle + 1 :],
        b64[:half] + ("A" if b64[half] not in "aA" else "B") + b64[half + 1 :],
        raw.hex()[:-1],
        encoded[:-1],
        f"&#{ord(secret[0])}" + "".join(pieces[1:]),  # an entity without its semicolon
        "".join(pieces[:middle]) + "\x01" + "".join(pieces[middle:]),  # a stray character
        "".join(f"&#{ord(c)}" for c in secret),  # no semicolons
        "".join(f"%{b:02x}"[:-1] for b in raw),  # one hex digit short
        "".join(f"\\u{ord(c):03x}" for c in secret),
    ]
    out += [secret[:middle] + br + secret[middle:] for br in NOT_BREAKS]
    return out


def fuzz(rng: random.Random, secrets: list[str], count: int) -> list[str]:
    """Random strings of pieces of the secrets' spellings, breaks and stray characters:
    half-matches, ambiguous prefixes, matches starting inside others."""
    pieces = []
    for secret in secrets:
        pieces += [encode_char(rng, c) for c in secret for _ in range(2)]
        pieces += [secret[i : i + rng.randint(2, 8)] for i in range(0, len(secret), 3)]
    pieces += BREAKS + NOT_BREAKS + list("%&#;\\+=x0u ") + ["&amp;", "%25", "\\\\", "=="]
    out = []
    for _ in range(count):
        out.append("".join(rng.choice(pieces) for _ in range(rng.randint(5, 40))))
    return out


def around(rng: random.Random, text: str) -> str:
    """The text in a random place: glued to words, in JSON, a URL, repeated, overlapping."""
    return rng.choice(
        [
            lambda t: t,
            lambda t: f"before {t} after",
            lambda t: f"glued{t}glued",
            lambda t: json.dumps({"echo": t, "n": 1}),
            lambda t: f"https://h.example/p?q={t}&r=1",
            lambda t: t + t,
            lambda t: t[: len(t) // 2] + t,
            lambda t: f"%{t}&",
            lambda t: f"\\{t}\\",
            lambda t: f"&#{t};",
            lambda t: f"\n{t}\r\n",
        ]
    )(text)


@functools.cache
def corpus(index: int) -> tuple[list[str], list[Pair], list[str], list[str]]:
    """Set ``index``: its secrets, basic-auth pairs, texts, and near misses."""
    secrets, pairs = secret_set(index)
    rng = random.Random(SEED + index)
    everything = secrets + [password for _, password in pairs]
    tokens = [base64.b64encode(f"{u}:{p}".encode()).decode() for u, p in pairs]
    texts: list[str] = []
    misses: list[str] = []
    for secret in everything:
        for text in encodings(rng, secret) + odd_spellings(rng, secret):
            texts += [text, around(rng, text)]
        misses += near_misses(rng, secret)
    for token in tokens:
        texts += [token, token.rstrip("="), f"Authorization: Basic {token}"]
        texts += [wrap(token, 8, rng.choice(BREAKS)), mixed(rng, token, 0.05)]
    texts += fuzz(rng, everything, 150)
    texts.append(" ".join(texts[:50]))  # many in one text
    return secrets, pairs, texts, misses


def redactors(index: int) -> tuple[Redactor, ReferenceRedactor]:
    secrets, pairs, _, _ = corpus(index)
    new = Redactor(secrets)
    for user, password in pairs:
        new.add_basic(user, password)
    return new, ReferenceRedactor(new)


# -- the differential tests ---------------------------------------------------------------


@pytest.mark.parametrize("index", range(SETS))
def test_text_is_masked_exactly_as_the_one_big_regex_masked_it(index: int) -> None:
    _, _, texts, misses = corpus(index)
    new, old = redactors(index)
    for text in texts + misses + [around(random.Random(index), t) for t in misses]:
        assert new.text(text) == old.text(text), (index, text)
        assert new.contains_secret(text) == old.contains_secret(text), (index, text)


@pytest.mark.parametrize("index", range(0, SETS, 5))
def test_bytes_are_masked_exactly_as_before(index: int) -> None:
    _, _, texts, _ = corpus(index)
    new, old = redactors(index)
    for text in texts[::7]:
        data = b"\xff" + text.encode("utf-8", errors="surrogatepass") + b"\x80 \xc3"
        assert new.scrub_bytes(data) == old.scrub_bytes(data), (index, text)


def test_the_corpus_masks_and_leaves_alone() -> None:
    # The comparison above proves little if the oracle masked everything or nothing: every
    # encoding of every secret is masked, and the near misses of lone secrets are not.
    masked = kept = 0
    for index in range(SETS):
        secrets, pairs, texts, misses = corpus(index)
        redactor = redactors(index)[0]
        for text in texts:
            if redactor.text(text) != text:
                masked += 1
        if len(secrets) == 1 and not pairs:
            for text in misses:
                assert redactor.text(text) == text, (index, text)
                kept += 1
        rng = random.Random(index)
        for secret in [s for s in secrets if len(s) >= MIN_SECRET_LENGTH]:
            for text in encodings(rng, secret):
                assert MASK in redactor.text(text), (index, secret, text)
    assert masked > 0.6 * sum(len(corpus(i)[2]) for i in range(SETS))
    assert kept > 2 * SETS  # near misses of lone secrets, several a set


def test_a_secret_spelled_every_way_at_once_is_masked_the_same() -> None:
    # every form of every secret needed in one text: every part of the new matcher used
    for index in (0, 4, 6):
        texts = corpus(index)[2]
        new, old = redactors(index)
        text = "\n".join(texts)
        assert new.text(text) == old.text(text)


@pytest.mark.parametrize(
    ("secrets", "text", "expected"),
    [
        # the first prefix found is a longer secret's, which fails; a later prefix wins
        (["abcdefXYZ1", "abcd"], "abcdefQQ", f"{MASK}efQQ"),
        # a prefix alone is no secret: searching goes on from the next character
        (["abcdefXYZ1"], "abcdefXYZ", "abcdefXYZ"),
        (["abcdefXYZ1"], "abcdeabcdefXYZ1", f"abcde{MASK}"),
        (["abcdefXYZ1"], "abcdefXYZabcdefXYZ1", f"abcdefXYZ{MASK}"),
        # a prefix that fails, and the secret one character on: searching resumes there
        (["aaaaaaab"], "aaaaaaaab", f"a{MASK}"),
        # the same prefix, two forms: the longer first, the shorter where it fails
        (["abcdefgh", "abcdefghijkl"], "abcdefghijk abcdefghijkl", f"{MASK}ijk {MASK}"),
        # the prefix in one spelling, the rest in another
        (["abcdefgh"], "%61B&#99;\\u0064e\nf&#x67;H", MASK),
    ],
)
def test_where_the_prefilter_finds_only_a_prefix_or_a_later_one(
    secrets: list[str], text: str, expected: str
) -> None:
    assert ReferenceRedactor(Redactor(secrets)).text(text) == expected
    assert Redactor(secrets).text(text) == expected
