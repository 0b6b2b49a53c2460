"""The sandbox's web application: shared plumbing plus one router per domain.

Each domain module (``partners.py`` for the partner platform, and the ones that follow)
brings its schema, its generated data, its faults and a ``router(settings)``. This
module adds what they share: the request log every request lands in (so tests can count
what golive sent), ``/health``, and the capture mailbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from .api import ApiError
from .common import Settings, bearer
from .domains import DOMAINS

VERSION = "sandbox-2026.11"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="golive sandbox", version=VERSION, docs_url=None, redoc_url=None)
    db = settings.db
    auth = [bearer(settings)]

    @app.middleware("http")
    async def log_requests(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        db.execute(
            "INSERT INTO request_log (method, path, status, verification, user_agent, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            request.method,
            request.url.path,
            response.status_code,
            request.headers.get("x-golive-run", ""),
            request.headers.get("user-agent", ""),
            datetime.now(UTC).isoformat(),
        )
        return response

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": VERSION}

    @app.get("/mailbox/messages", dependencies=auth)
    def mailbox(subject: str | None = None) -> list[dict[str, Any]]:
        rows = db.all(
            "SELECT * FROM mailbox WHERE instr(subject, ?) > 0 ORDER BY id", subject or ""
        )
        for row in rows:
            row["recipients"] = json.loads(row["recipients"])
            row["headers"] = json.loads(row["headers"])
        return rows

    @app.get("/sandbox/requests", dependencies=auth)
    def request_log() -> list[dict[str, Any]]:
        return db.all("SELECT * FROM request_log ORDER BY id")

    # An emulated API's routes render their own errors (api.py); what the framework answers
    # before a route is reached (no such path under the API's prefix: 404; a method the
    # path lacks: 405 with Allow) is worded by the dialect that claims the path.
    dialects = [d for domain in DOMAINS for d in getattr(domain, "DIALECTS", ())]

    @app.exception_handler(HTTPException)
    def problem(request: Request, exc: HTTPException) -> Response:
        for dialect in dialects:
            if dialect.claims(request.url.path):
                answer = dialect.error(ApiError(exc.status_code, str(exc.detail)))
                answer.headers.update(exc.headers or {})
                return answer
        return JSONResponse({"error": exc.detail}, exc.status_code, exc.headers)

    for domain in DOMAINS:  # each route built once, on the app's router (common.Routes)
        domain.router(settings).install(app.router)
    return app
