"""Reading a system's JSON answer strictly: what an adapter needs must be there, typed.

An adapter reads the decoded JSON through an :class:`Answer`, never with ``raw["key"]``:
a key that is missing, or holds the wrong JSON type, raises :class:`UnexpectedAnswer`, a
``TargetResponseError`` (the item is *broken*, the target answered nonsense), whose message
names the system, what it answered and where::

    partners answered 200 with no `status` field (GET https://partners.example/api/partners/TP-1003)
    storecove answered 200 with `peppol_identifiers[0].scheme` = 7, not a string (GET ...)

never a ``KeyError`` or ``TypeError`` reported as a harness error. Strict about what the
adapter needs, lenient about the rest: keys it does not read are ignored, and the
``opt_*`` readers take a missing key or ``null`` as "not given" (a wrong type is still an
error: a system that sends ``"buyers": "none"`` has not sent an empty list).

``Answer.of(client, response)`` decodes a response of an ``HttpClient``;
``Answer(value, where)`` wraps a value already decoded.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import TargetResponseError

if TYPE_CHECKING:
    import requests

    from .http import HttpClient


class UnexpectedAnswer(TargetResponseError):
    """An answer without the shape the adapter needs (a key missing, a value mistyped)."""

    def __init__(self, where: Where, path: str, problem: str) -> None:
        super().__init__(
            f"{where.system} answered {where.status} {problem} ({where})", where.status
        )
        self.where, self.path, self.problem = where, path, problem


@dataclass(frozen=True)
class Where:
    """Which system answered, to which request."""

    system: str
    method: str
    url: str  # as shown: redacted
    status: int

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


KINDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "str": (str, "a string"),
    "int": (int, "an integer"),
    "number": ((int, float), "a number"),
    "bool": (bool, "true or false"),
    "object": (dict, "an object"),
    "list": (list, "a list"),
}


def _is(value: Any, kind: str) -> bool:
    types, _ = KINDS[kind]
    if kind in ("int", "number") and isinstance(value, bool):
        return False  # JSON true is no number
    return isinstance(value, types)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class Answer:
    """A JSON value at ``path`` in the answer ``where`` describes."""

    def __init__(self, value: Any, where: Where, path: str = "") -> None:
        self.value = value
        self.where = where
        self.path = path

    @classmethod
    def of(cls, client: HttpClient, response: requests.Response) -> Answer:
        """The decoded body of ``response`` (``None`` for an empty one)."""
        where = Where(
            client.system,
            str(response.request.method),
            client.redactor.url(response.url),
            response.status_code,
        )
        if not response.content:
            return cls(None, where)
        try:
            return cls(response.json(), where)
        except ValueError:
            raise UnexpectedAnswer(where, "", "with a body that is not JSON") from None

    @property
    def status(self) -> int:
        return self.where.status

    # the value itself

    def _child(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def _fail(self, path: str, problem: str) -> UnexpectedAnswer:
        return UnexpectedAnswer(self.where, path, problem)

    def expect(self, kind: str) -> Any:
        """The value itself, which must be of ``kind`` (``str``, ``int``, ``number``,
        ``bool``, ``object``, ``list``)."""
        if not _is(self.value, kind):
            what = f"`{self.path}` = {_shown(self.value)}" if self.path else _shown(self.value)
            raise self._fail(self.path, f"with {what}, not {KINDS[kind][1]}")
        return self.value

    def _object(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            where = f"`{self.path}` = " if self.path else "a body of "
            raise self._fail(self.path, f"with {where}{_shown(self.value)}, not an object")
        return self.value

    # reading keys

    def has(self, key: str) -> bool:
        return self._object().get(key) is not None

    def field(self, key: str) -> Answer:
        """The value under ``key``, which must be present (``null`` counts as absent)."""
        obj = self._object()
        if obj.get(key) is None:
            state = "a null" if key in obj else "no"
            raise self._fail(self._child(key), f"with {state} `{self._child(key)}` field")
        return Answer(obj[key], self.where, self._child(key))

    def opt(self, key: str) -> Answer | None:
        obj = self._object()
        if obj.get(key) is None:
            return None
        return Answer(obj[key], self.where, self._child(key))

    def text(self, key: str) -> str:
        value: str = self.field(key).expect("str")
        return value

    def integer(self, key: str) -> int:
        value: int = self.field(key).expect("int")
        return value

    def number(self, key: str) -> float:
        return float(self.field(key).expect("number"))

    def flag(self, key: str) -> bool:
        value: bool = self.field(key).expect("bool")
        return value

    def obj(self, key: str) -> Answer:
        child = self.field(key)
        child.expect("object")
        return child

    def array(self, key: str) -> list[Answer]:
        return self.field(key).items()

    def opt_text(self, key: str, default: str | None = None) -> str | None:
        child = self.opt(key)
        return default if child is None else child.expect("str")

    def opt_integer(self, key: str) -> int | None:
        child = self.opt(key)
        return None if child is None else int(child.expect("int"))

    def opt_number(self, key: str, default: float | None = None) -> float | None:
        child = self.opt(key)
        return default if child is None else float(child.expect("number"))

    def opt_flag(self, key: str, default: bool = False) -> bool:
        child = self.opt(key)
        return default if child is None else bool(child.expect("bool"))

    def opt_obj(self, key: str) -> Answer | None:
        child = self.opt(key)
        if child is not None:
            child.expect("object")
        return child

    def opt_array(self, key: str) -> list[Answer]:
        """The list under ``key``; a missing key or ``null`` reads as an empty list."""
        child = self.opt(key)
        return [] if child is None else child.items()

    def iso_date(self, key: str) -> datetime.date:
        """A date, or the date of a date-time (``2026-11-20``, ``2026-11-20T03:12:44Z``)."""
        return self.field(key).as_date()

    def opt_iso_date(self, key: str) -> datetime.date | None:
        child = self.opt(key)
        return None if child is None else child.as_date()

    def as_date(self) -> datetime.date:
        text: str = self.expect("str")
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise self._fail(
                self.path, f"with `{self.path}` = {_shown(text)}, not an ISO date"
            ) from None

    def texts(self, key: str, required: bool = False) -> list[str]:
        """A list of strings (``required``: the key must be there)."""
        items = self.array(key) if required else self.opt_array(key)
        return [item.expect("str") for item in items]

    def items(self) -> list[Answer]:
        """The value, a list, as its elements."""
        self.expect("list")
        return [Answer(v, self.where, self._child(i)) for i, v in enumerate(self.value)]

    def __iter__(self) -> Iterator[Answer]:
        return iter(self.items())
