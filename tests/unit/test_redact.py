"""Redaction (golive/redact.py): by name and by value, in every encoding a secret travels
in, and the scenario's own credentials (golive/context.py, secrets_of)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from golive.context import secrets_of
from golive.packs import load as load_with_packs
from golive.redact import MASK, Redactor
from golive.report import scrub_tree

SECRET = 'S3cr#t/pa ss+wörd"=&é?x'  # characters each encoder changes; base64 has / and =
RAW = SECRET.encode()
FORMS = {
    "plain": SECRET,
    "url-encoded": quote(SECRET, safe=""),
    "form-encoded": quote_plus(SECRET, safe=""),
    "json-escaped": json.dumps(SECRET)[1:-1],
    "base64": base64.b64encode(RAW).decode(),
    "base64url": base64.urlsafe_b64encode(RAW).decode(),
    "base64 unpadded": base64.b64encode(RAW).decode().rstrip("="),
}


def test_the_forms_really_differ() -> None:
    # otherwise the parametrised test below would prove one form seven times
    assert len(set(FORMS.values())) == len(FORMS)


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_secret_is_masked_in_every_encoding(form: str) -> None:
    redactor = Redactor([SECRET])
    text = f"before {FORMS[form]} after"
    assert redactor.contains_secret(text)
    assert redactor.text(text) == f"before {MASK} after"


def test_basic_auth_header_value_is_masked_by_value() -> None:
    redactor = Redactor()
    redactor.add_basic("golive", "pw-0123456")
    token = base64.b64encode(b"golive:pw-0123456").decode()
    assert redactor.text(f"Basic {token}") == f"Basic {MASK}"
    assert redactor.text("password was pw-0123456") == f"password was {MASK}"
    assert redactor.text("golive logged in") == "golive logged in"  # the user is no secret


def test_longest_form_wins_so_nothing_leaks_around_the_mask() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])
    assert redactor.text("xabcdefghx") == f"x{MASK}x"


def test_short_values_are_not_secrets() -> None:
    redactor = Redactor(["abc", ""])
    assert redactor.empty
    assert redactor.text("abc abc") == "abc abc"
    assert not redactor.contains_secret("abc")


def test_empty_redactor_changes_nothing() -> None:
    redactor = Redactor()
    assert redactor.text("token=x") == "token=x"
    assert redactor.scrub_bytes(b"\xff data") == b"\xff data"


def test_scrub_bytes_keeps_undecodable_bytes() -> None:
    redactor = Redactor(["hunter2-secret"])
    data = b"\xff\xfe hunter2-secret \x80"
    assert redactor.scrub_bytes(data) == b"\xff\xfe *** \x80"


def test_headers_by_name_and_by_value() -> None:
    redactor = Redactor(["tok-98765"])
    masked = redactor.headers(
        {
            "Authorization": "Bearer whatever",
            "X-Killbill-ApiKey": "not-a-known-value",
            "Cookie": "a=b",
            "X-Session-Id": "s",
            "Accept": "application/json",
            "X-Echo": "has tok-98765 inside",
        }
    )
    assert masked == {
        "Authorization": MASK,
        "X-Killbill-ApiKey": MASK,
        "Cookie": MASK,
        "X-Session-Id": MASK,
        "Accept": "application/json",
        "X-Echo": f"has {MASK} inside",
    }


def test_url_userinfo_query_names_and_values() -> None:
    redactor = Redactor(["tok-98765"])
    url = "https://user:pw@host.example/p/tok-98765?api_key=k&page=2&q=tok-98765#f"
    assert (
        redactor.url(url)
        == f"https://{MASK}@host.example/p/{MASK}?api_key={MASK}&page=2&q={MASK}#f"
    )


def test_url_without_anything_secret_is_unchanged() -> None:
    url = "https://host.example/api/v2/legal_entities?page=2&size=10"
    assert Redactor(["tok-98765"]).url(url) == url


def test_data_masks_named_fields_at_any_depth() -> None:
    redactor = Redactor(["tok-98765"])
    value = {
        "user": {"password": "anything", "name": "ann", "note": "tok-98765 here"},
        "items": [{"client_secret": 1}, "tok-98765", 3],
        "privateKey": None,
        "count": 2,
    }
    assert redactor.data(value) == {
        "user": {"password": MASK, "name": "ann", "note": f"{MASK} here"},
        "items": [{"client_secret": MASK}, MASK, 3],
        "privateKey": MASK,
        "count": 2,
    }


def test_body_json_is_parsed_masked_and_pretty_printed() -> None:
    redactor = Redactor(["tok-98765"])
    body = b'{"apiKey": "x", "echo": "tok-98765", "name": "J\\u00f6rg"}'
    out = redactor.body(body, "application/json")
    assert json.loads(out) == {"apiKey": MASK, "echo": MASK, "name": "Jörg"}
    assert "Jörg" in out  # not \\u-escaped


def test_body_that_only_looks_like_json_is_redacted_as_text() -> None:
    redactor = Redactor(["tok-98765"])
    assert redactor.body("{not json tok-98765", "") == f"{{not json {MASK}"
    assert redactor.body(None) == ""
    assert redactor.body(b"plain tok-98765", "text/plain") == f"plain {MASK}"


def test_scrub_tree_rewrites_text_files_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    text = tmp_path / "a" / "x-result.json"
    text.write_text('{"m": "tok-98765"}')
    clean = tmp_path / "b.txt"
    clean.write_text("nothing")
    binary = tmp_path / "shot.png"
    binary.write_bytes(b"tok-98765")
    changed = scrub_tree(tmp_path, Redactor(["tok-98765"]))
    assert changed == [text]
    assert text.read_text() == '{"m": "***"}'
    assert clean.read_text() == "nothing"
    assert binary.read_bytes() == b"tok-98765"  # not a text file: left alone


SCENARIO = """\
version: 1
environment: {name: prod, tier: production}
systems:
  billing:
    adapter: killbill
    base_url: https://billing.example
    credentials:
      username: ${BILLING_USER}
      password: ${BILLING_PASSWORD}
      X-Killbill-ApiSecret: ${BILLING_SECRET}
packs:
  einvoicing:
    support_ops: [ops@org.example]
    articles: {Enterprise: https://kb.org.example/e}
    customers:
      - id: C-1
        edition: Enterprise
        legal_entity_id: 1
        api_user: {username: svc-c1, password: "${HUB_PASSWORD}"}
"""


def test_secrets_of_a_scenario_are_every_credential_but_user_names(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    env = {
        "BILLING_USER": "billing-admin",
        "BILLING_PASSWORD": "bill-pass-1",
        "BILLING_SECRET": "tenant-secret-2",
        "HUB_PASSWORD": "hub-pass-3",
    }
    redactor = secrets_of(*load_with_packs(path, env=env))
    for value in ("bill-pass-1", "tenant-secret-2", "hub-pass-3"):
        assert redactor.text(f"<{value}>") == f"<{MASK}>"
    assert redactor.text("billing-admin svc-c1") == "billing-admin svc-c1"
    basic = base64.b64encode(b"billing-admin:bill-pass-1").decode()
    hub = base64.b64encode(b"svc-c1:hub-pass-3").decode()
    assert redactor.text(f"{basic} {hub}") == f"{MASK} {MASK}"
