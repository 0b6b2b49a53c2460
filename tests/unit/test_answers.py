"""golive/answers.py: an answer without the shape an adapter needs is a target error that
names the system, what it answered and where; never a KeyError or TypeError."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from golive.answers import Answer, UnexpectedAnswer, Where
from golive.errors import TargetError, TargetResponseError
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor

WHERE = Where("partners", "GET", "https://partners.example/api/partners/TP-1003", 200)
URL_SHOWN = "(GET https://partners.example/api/partners/TP-1003)"


def answer(value: Any) -> Answer:
    return Answer(value, WHERE)


def refused(call: Any) -> UnexpectedAnswer:
    with pytest.raises(UnexpectedAnswer) as caught:
        call()
    assert isinstance(caught.value, TargetResponseError)  # broken, not a harness error
    assert isinstance(caught.value, TargetError)
    assert caught.value.status == 200
    return caught.value


def test_a_missing_field_names_the_system_the_status_the_field_and_the_url() -> None:
    error = refused(lambda: answer({"id": "TP-1003"}).text("status"))
    assert str(error) == f"partners answered 200 with no `status` field {URL_SHOWN}"
    assert error.path == "status"


def test_a_null_field_is_named_as_null() -> None:
    error = refused(lambda: answer({"status": None}).text("status"))
    assert str(error) == f"partners answered 200 with a null `status` field {URL_SHOWN}"


def test_a_mistyped_value_is_shown_with_the_type_expected() -> None:
    error = refused(lambda: answer({"status": 7}).text("status"))
    assert str(error) == f"partners answered 200 with `status` = 7, not a string {URL_SHOWN}"
    assert "not an integer" in str(refused(lambda: answer({"n": "7"}).integer("n")))
    assert "not an integer" in str(refused(lambda: answer({"n": True}).integer("n")))
    assert "not a number" in str(refused(lambda: answer({"n": "1.5"}).number("n")))
    assert "not true or false" in str(refused(lambda: answer({"b": 1}).flag("b")))


def test_nested_paths_name_the_element() -> None:
    body = answer({"peppol_identifiers": [{"scheme": "NL:KVK"}, {"scheme": 7}]})
    error = refused(lambda: [i.text("scheme") for i in body.array("peppol_identifiers")])
    assert "`peppol_identifiers[1].scheme` = 7, not a string" in str(error)
    inner = answer({"a": {"b": {}}})
    assert "no `a.b.c` field" in str(refused(lambda: inner.obj("a").obj("b").text("c")))


def test_a_body_of_the_wrong_kind_is_named() -> None:
    error = refused(lambda: answer(["TP-1003"]).text("status"))
    assert (
        str(error) == f'partners answered 200 with a body of ["TP-1003"], not an object {URL_SHOWN}'
    )
    assert "with null, not a list" in str(refused(lambda: answer(None).items()))
    assert '`buyers` = "none", not a list' in str(
        refused(lambda: answer({"buyers": "none"}).opt_array("buyers"))
    )


def test_long_values_are_cut_in_the_message() -> None:
    error = refused(lambda: answer({"status": ["x" * 500]}).text("status"))
    assert len(str(error)) < 200
    assert "..." in str(error)


def test_what_is_optional_may_be_missing_or_null_but_not_mistyped() -> None:
    body = answer({"name": "Acme", "note": None, "tags": None, "rate": 2})
    assert body.opt_text("missing") is None
    assert body.opt_text("note", "none") == "none"
    assert body.opt_array("tags") == []
    assert body.opt_number("rate") == 2.0
    assert body.opt_flag("active") is False
    assert body.texts("missing") == []
    assert '`name` = "Acme", not a number' in str(refused(lambda: body.opt_number("name")))


def test_values_of_the_right_shape_are_read() -> None:
    body = answer(
        {"id": "TP-1", "n": 3, "rate": 1.5, "ok": True, "tags": ["a", "b"], "o": {"k": "v"}}
    )
    assert body.text("id") == "TP-1"
    assert body.integer("n") == 3
    assert body.number("n") == 3.0 and body.number("rate") == 1.5
    assert body.flag("ok") is True
    assert body.texts("tags", required=True) == ["a", "b"]
    assert body.obj("o").text("k") == "v"
    assert [a.expect("str") for a in answer(["x", "y"])] == ["x", "y"]
    assert body.has("id") and not body.has("missing")


def test_dates_are_read_from_dates_and_date_times() -> None:
    import datetime

    body = answer({"d": "2026-11-20", "t": "2026-11-20T03:12:44Z", "bad": "20/11/2026"})
    assert body.iso_date("d") == body.iso_date("t") == datetime.date(2026, 11, 20)
    assert body.opt_iso_date("missing") is None
    error = refused(lambda: body.iso_date("bad"))
    assert '`bad` = "20/11/2026", not an ISO date' in str(error)


class Canned(requests.adapters.BaseAdapter):
    """A transport that answers every request with one canned response (no socket)."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__()
        self.status, self.body = status, body

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def canned_client(status: int, body: bytes) -> HttpClient:
    http = HttpClient(
        "storecove",
        "https://api.storecove.example/api/v2",
        redactor=Redactor(),
        guard=MutationGuard("test", []),
        run_id="answers-test",
        retries=0,
    )
    http.session.mount("https://", Canned(status, body))
    return http


def test_an_answer_of_a_client_names_its_system_method_and_url() -> None:
    http = canned_client(200, json.dumps({"id": 101}).encode())
    read = Answer.of(http, http.request("GET", "/legal_entities/101"))
    assert read.integer("id") == 101
    error = refused(lambda: read.text("party_name"))
    assert str(error) == (
        "storecove answered 200 with no `party_name` field"
        " (GET https://api.storecove.example/api/v2/legal_entities/101)"
    )


def test_a_body_that_is_not_json_is_named() -> None:
    http = canned_client(200, b"<html>maintenance</html>")
    error = refused(lambda: Answer.of(http, http.request("GET", "/legal_entities/101")))
    assert "storecove answered 200 with a body that is not JSON (GET https://" in str(error)
    empty = canned_client(204, b"")
    assert Answer.of(empty, empty.request("GET", "/webhook_instances/")).value is None
