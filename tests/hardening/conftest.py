"""Helpers for the hardening tests: a misbehaving target, a throwaway copy of the project
for test-only features and steps, and the encoded forms of a canary secret."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from tests.conftest import ROOT, Run, golive_env, golive_process, replaced

CANARY = "Canary-Hx7q-Zebra-4412"  # the value of every credential in these runs
SLOW_SECONDS = 3.0


def encodings(secret: str, user: str = "golive") -> list[str]:
    """The forms a credential travels in: plain, URL-encoded, JSON, base64 and basic auth."""
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b64encode(f"{user}:{secret}".encode()).decode().rstrip("="),
    ]


def leaks(root: Path, needles: list[str]) -> list[str]:
    """Every file under ``root`` (zip members included, unzipped) holding a needle."""
    import zipfile

    found = []
    for path in (p for p in root.rglob("*") if p.is_file()):
        blobs = [(str(path), path.read_bytes())]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                blobs += [(f"{path}!{n}", z.read(n)) for n in z.namelist()]
        for where, data in blobs:
            found += [f"{where}: {n!r}" for n in needles if n.encode() in data]
    return found


class Target(ThreadingHTTPServer):
    """A target system that misbehaves in the way its first path segment names:
    /slow, /error (500), /throttled (429, Retry-After), /cut (body cut short),
    /halfjson (JSON cut short), /html (a gateway's HTML page), /echo (a 500 whose body
    echoes the request's headers back, credentials included), /encoded (a 500 that echoes
    the credential HTML-escaped, hex-encoded, upper-cased, \\u-escaped and split). A path
    naming a key of ``modes`` (a subject, as in /api/partners/TP-1002) misbehaves in the
    way its value names instead, so one run can meet a different fault for each subject."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.hits: list[tuple[str, str]] = []
        self.modes: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Target

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, length: int | None = None, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        self.server.hits.append((self.command, self.path))
        mode = self.path.strip("/").split("/")[0]
        mode = next((m for key, m in self.server.modes.items() if key in self.path), mode)
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, b"{}")
        elif mode == "error":
            self._send(500, b'{"error": "internal"}')
        elif mode == "throttled":
            self._send(429, b'{"error": "slow down"}', Retry_After="3600")
        elif mode == "cut":
            self._send(200, b'{"id": "TP-1001", "sta', length=4096)
            self.close_connection = True
        elif mode == "halfjson":
            self._send(200, b'{"id": "TP-1001", "sta')
        elif mode == "html":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>")
        elif mode == "echo":
            # credentials first, so they fall inside the part of the body a reason quotes
            headers = sorted(
                self.headers.items(),
                key=lambda kv: not re.search("auth|key|secret|cookie", kv[0], re.I),
            )
            self._send(500, json.dumps({"rejected": dict(headers)}).encode())
        elif mode == "encoded":
            # the credential echoed back in the ways gateways mangle it, its plain form
            # where golive's 200-character cut of a quoted body falls inside it
            secret = self._secret()
            forms = echoed(secret)
            body = '{"error": "' + "x" * 180 + secret + '", ' + json.dumps(forms)[1:]
            self._send(500, body.encode())
        else:
            self._send(404, b"{}")

    def _secret(self) -> str:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            return base64.b64decode(auth[6:]).decode().split(":", 1)[1]
        return auth.removeprefix("Bearer ") or self.headers.get("X-Killbill-ApiKey", "")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def echoed(secret: str) -> dict[str, str]:
    """A secret as an echoing target mangles it (the /encoded mode of ``Target``)."""
    raw = secret.encode()
    return {
        "html": html.escape(secret),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
        "upper": secret.upper(),
        "unicode": "".join(f"\\u{ord(c):04x}" for c in secret),
        "split": secret[:8] + "\n" + secret[8:],
        "crlf": secret[:8] + "\r\n" + secret[8:],
    }


def serve(tls: ssl.SSLContext | None = None) -> tuple[Target, threading.Thread]:
    server = Target(tls)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def target() -> Iterator[Target]:
    server, _ = serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_target(tmp_path: Path) -> Iterator[Target]:
    """An HTTPS target presenting a self-signed certificate (made with the openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server, _ = serve(context)
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def pointed_at(tmp_path: Path, base: str, extra: str = "", name: str = "target") -> Path:
    """The sandbox scenario with the built-in sandbox off and every system at ``base``
    (a sandbox sub-path such as ``sandbox/candidate`` keeps its suffix); ``extra`` is added
    under each system (e.g. a shorter timeout)."""
    text = (ROOT / "scenarios" / "sandbox.yaml").read_text()
    text = replaced(text, "enabled: true", "enabled: false")
    text, count = re.subn(
        r"^(\s+)base_url: sandbox(\S*)",
        lambda m: f"{m[1]}base_url: {base}{m[2]}{extra}",
        text,
        flags=re.MULTILINE,
    )
    if not count:
        pytest.fail("no 'base_url: sandbox' in scenarios/sandbox.yaml to point elsewhere")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


# A project beside golive's, the way a team builds one: golive's scenarios and a pack of
# its own (``hardening_only``) with features and steps that exist only to break things.
COPIED = ("conftest.py", "scenarios", "data")
PACK = """
from pathlib import Path

from golive.packs import Pack

PACK = Pack(
    name="hardening_only",
    features=Path(__file__).resolve().parents[2] / "features" / {folder!r},
    plugins={plugins!r},
    ids={prefixes!r},
)
"""


def select_pack(scenario: Path, name: str = "hardening_only") -> Path:
    """The scenario file with pack ``name`` selected (no settings)."""
    scenario.write_text(replaced(scenario.read_text(), "\npacks:\n", f"\npacks:\n  {name}: {{}}\n"))
    return scenario


def project(
    tmp_path: Path,
    features: dict[str, str] | None = None,
    steps: str | None = None,
    ids: tuple[str, ...] = (),
) -> Path:
    """A project under ``tmp_path/project`` whose own pack ``hardening_only`` holds the
    test-only ``features`` (path under features/ -> text; the first folder is the pack's)
    and a step module ``steps/hardening_only.py``, with checklist IDs ``ids``; its
    pyproject.toml declares the pack, and its scenarios select it."""
    root = tmp_path / "project"
    root.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, root / name)
    folders = {Path(rel).parts[0] for rel in (features or {})} or {"hardening"}
    assert len(folders) == 1, folders
    folder = folders.pop()
    (root / "features" / folder).mkdir(parents=True)
    (root / "features" / folder / "narrative.md").write_text("# Hardening\n\nBreaks things.\n")
    for rel, text in (features or {}).items():
        (root / "features" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "features" / rel).write_text(text)
    (root / "features" / "test_checklists.py").write_text(
        (ROOT / "features" / "test_checklists.py").read_text()
    )
    plugins: tuple[str, ...] = ()
    if steps is not None:
        (root / "steps").mkdir()
        (root / "steps" / "hardening_only.py").write_text(steps)
        plugins = ("steps.hardening_only",)
    prefixes = tuple(sorted({i.split("-")[0] for i in ids})) or ("HARD",)
    (root / "packs" / "hardening_only").mkdir(parents=True)
    (root / "packs" / "hardening_only" / "__init__.py").write_text(
        PACK.format(folder=folder, plugins=plugins, prefixes=prefixes)
    )
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject = pyproject[pyproject.index("[tool.pytest.ini_options]") :]
    pyproject = pyproject[: pyproject.index("\n[tool.", 1)]
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hardening-only"\nversion = "0"\n\n'
        '[project.entry-points."golive.packs"]\n'
        'hardening_only = "packs.hardening_only:PACK"\n\n' + pyproject + "\n"
    )
    for scenario in (root / "scenarios").glob("*.yaml"):
        if "\npacks:\n" in scenario.read_text():
            select_pack(scenario)
    return root


def run_in(
    root: Path, *args: str, out: Path | None = None, timeout: float = 120, **env: str
) -> Run:
    """``golive run --no-html ARGS`` with ``root`` as the working directory; run folders
    under ``out`` (default ``root/reports``)."""
    out = out or root / "reports"
    done = golive_process(
        ["run", "--no-html", "--output", str(out), *args],
        cwd=root,
        timeout=timeout,
        env=golive_env(**env),
    )
    return Run(done.returncode, done.stdout, done.stderr, out)
