"""Adversarial secrets (issue 17, family B), in process: a target that echoes a credential
back HTML-escaped, hex-encoded, upper-cased, \\u-escaped, split by a line break or cut by
golive's own truncation; traces whose resources do not look like text; credentials too
short to mask, in a URL's user-info, or beyond Latin-1. Each masked or refused."""

from __future__ import annotations

import base64
import html
import json
import zipfile
from pathlib import Path

import pytest
import requests

from golive.config import load_scenario
from golive.context import secrets_of
from golive.errors import ScenarioError, TargetResponseError, TargetUnreachable
from golive.http import HttpClient, MutationGuard, _detail
from golive.packs import load as load_with_packs
from golive.redact import MASK, Redactor
from golive.report import scrub_tree
from golive.tracing import scrub_trace

SECRET = "Zq7-Canary&<Hx>\"Zebra'4412"  # every character HTML and JSON escape
RAW = SECRET.encode()
ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "scenarios" / "sandbox.yaml").read_text()
ENV = {
    "GOLIVE_SANDBOX_TOKEN": "unit-token-0123",
    "GOLIVE_SANDBOX_USER": "unit-user",
    "GOLIVE_SANDBOX_STAFF_TOKEN": "staff-token-4567",
}


def split(text: str, every: int, sep: str) -> str:
    return sep.join(text[i : i + every] for i in range(0, len(text), every))


b64 = base64.b64encode(RAW).decode()
ECHOED = {
    "HTML-escaped": html.escape(SECRET),
    "HTML-escaped, quotes left": html.escape(SECRET, quote=False),
    "HTML decimal entities": "".join(f"&#{ord(c)};" for c in SECRET),
    "HTML hex entities": "".join(f"&#x{ord(c):X};" for c in SECRET),
    "hex, lower case": RAW.hex(),
    "hex, upper case": RAW.hex().upper(),
    "upper-cased": SECRET.upper(),
    "lower-cased": SECRET.lower(),
    "case swapped": SECRET.swapcase(),
    "JSON \\u-escaped, every character": "".join(f"\\u{ord(c):04x}" for c in SECRET),
    "JSON \\u-escaped, upper-case hex": "".join(f"\\u{ord(c):04X}" for c in SECRET),
    "JSON escaped as a string": json.dumps(SECRET)[1:-1],
    "JavaScript-safe JSON (<, >, & as \\u)": json.dumps(SECRET)[1:-1]
    .replace("<", "\\u003c")
    .replace(">", "\\u003e")
    .replace("&", "\\u0026"),
    "split by a newline": SECRET[:9] + "\n" + SECRET[9:],
    "split by CR LF": SECRET[:9] + "\r\n" + SECRET[9:],
    "split by an escaped newline": SECRET[:9] + "\\n" + SECRET[9:],
    "wrapped every 5 characters": split(SECRET, 5, "\n"),
    "wrapped and indented": split(SECRET, 10, "\r\n    "),
    "percent-encoded, every byte": "".join(f"%{b:02x}" for b in RAW),
    "half HTML entities, half \\u-escaped": html.escape(SECRET[:12])
    + "".join(f"\\u{ord(c):04x}" for c in SECRET[12:]),
    "base64, line-wrapped": split(b64, 8, "\n"),
    "base64, URL-encoded": b64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"),
    "base64 with its padding": b64,
    "a Python repr of its bytes": repr(RAW)[2:-1],
}


def test_the_echoed_forms_really_differ() -> None:
    # otherwise a case below would prove another one again
    assert len(set(ECHOED.values())) == len(ECHOED)


@pytest.mark.parametrize("form", ECHOED, ids=list(ECHOED))
def test_an_echoed_secret_is_masked_whole(form: str) -> None:
    text = f"401: bad credential <{ECHOED[form]}> from the gateway"
    assert Redactor([SECRET]).text(text) == f"401: bad credential <{MASK}> from the gateway"


def test_a_non_ascii_secret_as_a_bytes_repr_and_as_json_ascii() -> None:
    secret = "pässwörd-€-𝄞-long"
    redactor = Redactor([secret])
    text = f"{secret.encode()!r} {json.dumps(secret)}"
    assert redactor.text(text) == f"b'{MASK}' \"{MASK}\""


def test_a_basic_auth_token_split_by_a_line_break_is_masked() -> None:
    redactor = Redactor()
    redactor.add_basic("golive", SECRET)
    token = base64.b64encode(f"golive:{SECRET}".encode()).decode()
    assert redactor.text(f"Basic {token[:20]}\r\n{token[20:]}") == f"Basic {MASK}"


def test_an_eight_character_secret_leaves_words_around_it_alone() -> None:
    redactor = Redactor(["Pa55-w0rd"])
    text = "golive_version 1.2; password policy; Pa55-w0rd; PA55-W0RD"
    assert redactor.text(text) == f"golive_version 1.2; password policy; {MASK}; {MASK}"


def test_a_split_secret_in_a_json_body_is_masked() -> None:
    body = json.dumps({"error": "rejected", "echo": SECRET[:9] + "\n" + SECRET[9:]})
    assert SECRET[:9] not in Redactor([SECRET]).body(body, "application/json")


def response(body: str, status: int = 500, url: str = "https://t.example/x") -> requests.Response:
    made = requests.Response()
    made._content = body.encode()
    made.status_code, made.url, made.encoding, made.reason = status, url, "utf-8", "Error"
    made.request = requests.Request("GET", url).prepare()
    return made


def test_a_quoted_error_body_is_masked_before_it_is_cut() -> None:
    # the 200-character cut falls inside the secret: cut first, its start would show
    body = "x" * 190 + SECRET + " and more"
    detail = _detail(response(body), Redactor([SECRET]))
    assert (SECRET[:6] in detail, MASK in detail) == (False, True)


def client(redactor: Redactor, **kwargs: object) -> HttpClient:
    return HttpClient(
        "partners",
        "https://t.example",
        redactor=redactor,
        guard=MutationGuard("test", []),
        run_id="r",
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_body_that_is_not_json_is_masked_before_it_is_cut() -> None:
    made = response("<html>" + "y" * 190 + html.escape(SECRET) + "</html>", status=200)
    with pytest.raises(TargetResponseError) as caught:
        client(Redactor([SECRET]))._decode(made)
    assert html.escape(SECRET)[:6] not in str(caught.value)


def test_a_password_in_a_urls_user_info_is_masked_in_the_error() -> None:
    # a URL an adapter builds (base_url itself refuses user-info, see below)
    url = f"http://golive:{SECRET}@127.0.0.1:9/health"
    with pytest.raises(TargetUnreachable) as caught:
        client(Redactor([SECRET]), retries=0, timeout=2).request("GET", url)
    assert (SECRET in str(caught.value), "***@127.0.0.1:9" in str(caught.value)) == (False, True)


def test_basic_auth_is_sent_utf8_encoded_beyond_latin1() -> None:
    password = "pässwörd-€-long"
    http = client(Redactor([password]), auth=("anna", password))
    sent = http.session.prepare_request(requests.Request("GET", "https://t.example/"))
    expected = base64.b64encode(f"anna:{password}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"


def test_the_final_pass_over_the_run_folder_masks_encoded_forms(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text(f"<failure>{html.escape(SECRET)} {RAW.hex().upper()}")
    scrub_tree(tmp_path, Redactor([SECRET]))
    assert (tmp_path / "junit.xml").read_text() == f"<failure>{MASK} {MASK}"


# -- Playwright traces ------------------------------------------------------------------------


def scrubbed(tmp_path: Path, name: str, data: bytes, secret: str = SECRET) -> bytes:
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr(name, data)
    clean = scrub_trace(raw, tmp_path / "clean.zip", Redactor([secret]))
    with zipfile.ZipFile(clean) as z:
        return z.read(name)


def test_a_trace_resource_whose_512th_byte_splits_a_character_is_scrubbed(
    tmp_path: Path,
) -> None:
    data = ("a" * 511 + "é" + " later: " + SECRET).encode()
    assert data[511:513] == "é".encode()  # the 512th byte is the first half of é
    assert scrubbed(tmp_path, "resources/0f3a", data) == ("a" * 511 + "é later: ***").encode()


def test_a_trace_resource_in_latin1_is_scrubbed(tmp_path: Path) -> None:
    data = "café ".encode("latin-1") + SECRET.encode()
    assert scrubbed(tmp_path, "resources/page.html", data) == "café ".encode("latin-1") + b"***"


def test_a_trace_resource_with_a_nul_byte_first_is_scrubbed(tmp_path: Path) -> None:
    data = b"\x00\x01binary-looking " + RAW.hex().encode()
    assert scrubbed(tmp_path, "resources/blob", data) == b"\x00\x01binary-looking ***"


def test_an_html_escaped_secret_in_a_trace_snapshot_is_scrubbed(tmp_path: Path) -> None:
    snapshot = json.dumps({"html": f'<input value="{html.escape(SECRET)}">'}).encode()
    assert SECRET[:6].encode() not in scrubbed(tmp_path, "trace.trace", snapshot)


def test_a_secret_split_across_a_large_resource_is_scrubbed(tmp_path: Path) -> None:
    data = b"z" * 70_000 + RAW[:5] + b"\n" + RAW[5:] + b"z" * 70_000
    assert scrubbed(tmp_path, "resources/big.js", data) == b"z" * 70_000 + b"***" + b"z" * 70_000


# -- credentials the scenario refuses ---------------------------------------------------------


def refused(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ScenarioError:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_with_packs(path, env=ENV if env is None else env)
    return caught.value


TOKEN_KEY = "systems.partners.credentials.token"
SHORT = {
    "a 3-character credential": "abc",
    "a common word as a credential": "golive",
    "a 7-character credential": "s3cr3t!",
}


@pytest.mark.parametrize("case", SHORT, ids=list(SHORT))
def test_a_credential_too_short_to_mask_is_refused(tmp_path: Path, case: str) -> None:
    err = refused(tmp_path, GOOD, {**ENV, "GOLIVE_SANDBOX_TOKEN": SHORT[case]})
    assert (err.key, err.problem, err.line) == (
        TOKEN_KEY,
        f"expected a credential of at least 8 characters (got {len(SHORT[case])}): a shorter"
        " one cannot be masked in what golive writes",
        GOOD[: GOOD.index("token: ${")].count("\n") + 1,
    )


def test_a_short_password_of_a_browser_user_is_refused(tmp_path: Path) -> None:
    marker = "            password: ${GOLIVE_SANDBOX_TOKEN}"
    text = GOOD.replace(marker, "            password: ${SHORT_PW}", 1)
    err = refused(tmp_path, text, {**ENV, "SHORT_PW": "pw1"})
    assert (err.key.endswith(".password"), "at least 8 characters" in err.problem) == (True, True)


def test_an_eight_character_credential_is_accepted() -> None:
    scenario = load_scenario(
        ROOT / "scenarios" / "sandbox.yaml", env={**ENV, "GOLIVE_SANDBOX_TOKEN": "8-chars!"}
    )
    token = scenario.system("partners").credentials["token"].get_secret_value()
    assert token == "8-chars!"


def test_a_user_name_shorter_than_eight_is_no_secret_and_accepted() -> None:
    scenario = load_scenario(
        ROOT / "scenarios" / "sandbox.yaml", env={**ENV, "GOLIVE_SANDBOX_USER": "ann"}
    )
    assert scenario.system("billing_production").credentials["username"].get_secret_value() == "ann"


def test_a_header_credential_beyond_ascii_is_refused(tmp_path: Path) -> None:
    err = refused(tmp_path, GOOD, {**ENV, "GOLIVE_SANDBOX_TOKEN": "tökén-beyond-ascii"})
    assert (err.key, err.problem) == (
        TOKEN_KEY,
        "expected ASCII characters only: this credential is sent in an HTTP header",
    )


def test_a_basic_auth_password_beyond_latin1_is_accepted(tmp_path: Path) -> None:
    # sent UTF-8 encoded (RFC 7617), see test_basic_auth_is_sent_utf8_encoded_beyond_latin1
    text = GOOD.replace(
        "      password: ${GOLIVE_SANDBOX_TOKEN}\n", "      password: ${UTF8_PW}\n", 1
    )
    path = tmp_path / "s.yaml"
    path.write_text(text)
    scenario = load_scenario(path, env={**ENV, "UTF8_PW": "pässwörd-€-𝄞"})
    creds = scenario.system("billing_production").credentials
    assert creds["password"].get_secret_value() == "pässwörd-€-𝄞"


USER_INFO = {
    "user and password": "https://golive:Hunter2-Secret-99@partners.example/api",
    "user only": "https://golive@partners.example/api",
}


@pytest.mark.parametrize("case", USER_INFO, ids=list(USER_INFO))
def test_user_info_in_a_base_url_is_refused_and_never_echoed(tmp_path: Path, case: str) -> None:
    text = GOOD.replace("    base_url: sandbox\n", f"    base_url: {USER_INFO[case]}\n", 1)
    err = refused(tmp_path, text)
    assert (err.key, str(err).count("Hunter2"), err.problem) == (
        "systems.partners.base_url",
        0,
        "expected a URL without user:password@ (put them in credentials, as ${ENV_VAR} references)",
    )


def test_a_password_in_another_urls_user_info_is_masked(tmp_path: Path) -> None:
    # base_url refuses user-info; a remote browser's endpoint may still carry one
    endpoint = "  ws_endpoint: ws://pw:Hunter2%2FSecret@browsers.example:3000/\n"
    text = GOOD.replace("\nbrowser:\n", "\nbrowser:\n" + endpoint, 1)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    redactor = secrets_of(load_scenario(path, env=ENV))
    shown = redactor.text("connect ws://pw:Hunter2%2FSecret@browsers.example:3000/ Hunter2/Secret")
    assert shown == f"connect ws://pw:{MASK}@browsers.example:3000/ {MASK}"


EMBEDDED = {
    f"base64 of a JSON payload, secret at byte offset {n}": base64.b64encode(
        ('{"u":"' + "x" * n + '","token":"' + SECRET + '","exp":1}').encode()
    ).decode()
    for n in range(3)
} | {
    "basic auth of a user name nobody declared": base64.b64encode(
        f"someone-else:{SECRET}".encode()
    ).decode(),
    "base64url of a JWT-like payload": base64.urlsafe_b64encode(
        json.dumps({"sub": "anna", "key": SECRET}).encode()
    )
    .decode()
    .rstrip("="),
}


@pytest.mark.parametrize("case", EMBEDDED, ids=list(EMBEDDED))
def test_a_secret_inside_a_longer_base64_text_is_masked(case: str) -> None:
    blob = EMBEDDED[case]
    masked = Redactor([SECRET]).text(blob)
    # one mask where the secret's base64 was: at most a character of it on either side
    removed = len(blob) - len(masked) + len(MASK)
    assert (masked.count(MASK), removed >= len(RAW) * 4 // 3 - 2) == (1, True)


def test_golive_run_asks_pytest_for_whole_explanations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest cuts a long assertion explanation at a character count before golive masks
    it; the cut could fall inside a secret, so golive run turns the cut off."""
    import signal

    from golive import cli
    from tests.hardening.conftest import pointed_at

    saved = {s: signal.getsignal(s) for s in cli.Signals.HANDLED}
    seen: list[list[str]] = []
    monkeypatch.setattr(pytest, "main", lambda args, plugins=None: seen.append(args) or 5)
    monkeypatch.setenv("GOLIVE_SANDBOX_TOKEN", "unit-token-0123")
    scenario = pointed_at(tmp_path, "http://127.0.0.1:9")
    try:
        cli.main(["run", "--no-html", "--scenario", str(scenario), "--output", str(tmp_path)])
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    capsys.readouterr()
    options = {seen[0][i + 1] for i, a in enumerate(seen[0][:-1]) if a == "-o"}
    assert {"truncation_limit_chars=0", "truncation_limit_lines=0"} <= options
