"""Every built-in adapter against a target that answers each of its calls with a wrong
shape (a JSON string, an empty object, a list of empty objects): each call ends in
``UnexpectedAnswer`` (a target error: the item is broken) whose message names the system,
the status and the URL, never a KeyError, TypeError or AttributeError (a harness error).

Kill Bill's ``purchase`` is left out on purpose: a failed payment may come back as an error
body instead of a Payment, and its status code then says what happened (402, 502, ...).
So is billing ops' ``invoke``: what a custom extension answers is the evidence itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from golive.answers import UnexpectedAnswer
from golive.http import HttpClient, MutationGuard
from golive.redact import Redactor
from packs.billing_upgrade.billing_ops import RestBillingOps
from packs.billing_upgrade.killbill import RestKillBill
from packs.einvoicing.hub import ConnectHub
from packs.einvoicing.storecove import PeppolIdentifier, StorecoveApi
from packs.erp_partner_access.monitor import RestEdiMonitor
from packs.partner_go_live.adapters import RestPartnerPlatform

SHAPES = {"a JSON string": "nonsense", "an empty object": {}, "a list of empty objects": [{}]}


class WrongShapes(ThreadingHTTPServer):
    """Answers every request, whatever its method and path, 200 with ``self.body``."""

    body: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: WrongShapes

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        payload = json.dumps(self.server.body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer


@pytest.fixture(scope="module")
def target() -> Iterator[WrongShapes]:
    server = WrongShapes(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def http(system: str, url: str) -> HttpClient:
    return HttpClient(
        system,
        url,
        redactor=Redactor(),
        guard=MutationGuard("test", []),
        run_id="adapter-shapes",
        retries=0,
    )


IDENT = PeppolIdentifier("NL:KVK", "12345678")
ACCOUNT = "5f3c9a52-0000-4000-8000-000000000001"
Call = Callable[[Any], object]
ADAPTERS: dict[str, tuple[Callable[[HttpClient], Any], dict[str, Call]]] = {
    "partners": (
        RestPartnerPlatform,
        {
            "organisation": lambda a: a.organisation(),
            "partner": lambda a: a.partner("TP-1003"),
            "change_requests": lambda a: a.change_requests("TP-1003"),
            "move_draft": lambda a: a.move_draft("TP-1003"),
            "move_to_production": lambda a: a.move_to_production("TP-1003", ["x@y.z"], "b"),
        },
    ),
    "monitor": (
        RestEdiMonitor,
        {
            "customer": lambda a: a.customer("TEST", "C-1"),
            "relations": lambda a: a.relations("TEST", "C-1"),
            "partner_users": lambda a: a.partner_users("TEST", "C-1"),
            "messages": lambda a: a.messages("TEST", "C-1"),
            "visible_sub_companies": lambda a: a.visible_sub_companies("TEST", "C-1", "u", "p"),
        },
    ),
    "storecove": (
        StorecoveApi,
        {
            "legal_entity": lambda a: a.legal_entity(101),
            "create_legal_entity": lambda a: a.create_legal_entity({"party_name": "X"}),
            "update_legal_entity": lambda a: a.update_legal_entity(101, {"party_name": "X"}),
            "add_peppol_identifier": lambda a: a.add_peppol_identifier(101, IDENT),
            "receives": lambda a: a.receives(IDENT, ["invoice"]),
            "exists": lambda a: a.exists(IDENT),
            "submit": lambda a: a.submit({"legalEntityId": 101}),
            "evidence": lambda a: a.evidence("5f3c9a52-0000-4000-8000-000000000000"),
            "next_webhook": lambda a: a.next_webhook(),
            "push_webhooks": lambda a: a.push_webhooks("C-1"),
        },
    ),
    "killbill": (
        RestKillBill,
        {
            "account": lambda a: a.account(ACCOUNT),
            "account_by_key": lambda a: a.account_by_key("A-00001"),
            "accounts": lambda a: list(a.accounts()),
            "subscriptions": lambda a: a.subscriptions(ACCOUNT),
            "payment_methods": lambda a: a.payment_methods(ACCOUNT),
            "invoices": lambda a: a.invoices(ACCOUNT),
            "payments": lambda a: a.payments(ACCOUNT),
            "emails": lambda a: a.emails(ACCOUNT),
            "plans": lambda a: a.plans(),
            "role_permissions": lambda a: a.role_permissions("billing"),
            "user_roles": lambda a: a.user_roles("golive"),
        },
    ),
    "billing-ops": (
        RestBillingOps,
        {
            "release": lambda a: a.release(),
            "events": lambda a: a.events("2026-11-20"),
            "create_ticket": lambda a: a.create_ticket("A-00001", "s", "b"),
            "edit_ticket": lambda a: a.edit_ticket(1, {"status": "open"}),
            "ticket": lambda a: a.ticket(1),
            "usage": lambda a: a.usage("A-00004"),
            "extensions": lambda a: a.extensions(),
            "import_file": lambda a: a.import_file("usage", "u.csv", "account,day\n"),
            "workflows": lambda a: a.workflows(),
            "run_workflow": lambda a: a.run_workflow("voip-line", "T-0001"),
            "job": lambda a: a.job(1),
            "provisioned": lambda a: a.provisioned("dns", "A-00002"),
        },
    ),
    "hub": (
        ConnectHub,
        {
            "customer": lambda a: a.customer("C-1"),
            "integration_requests": lambda a: a.integration_requests("C-1"),
            "setup_form": lambda a: a.setup_form("C-1"),
            "api_users": lambda a: a.api_users("C-1"),
            "integration": lambda a: a.integration("C-1"),
            "connection_test": lambda a: a.connection_test("C-1"),
        },
    ),
}
CASES = [
    (system, call, shape)
    for system, (_, calls) in ADAPTERS.items()
    for call in calls
    for shape in SHAPES
]


@pytest.mark.parametrize(("system", "call", "shape"), CASES)
def test_a_wrong_shape_is_a_broken_item_naming_system_status_and_url(
    target: WrongShapes, system: str, call: str, shape: str
) -> None:
    factory, calls = ADAPTERS[system]
    client = http(system, target.url)
    target.body = SHAPES[shape]
    with pytest.raises(UnexpectedAnswer) as caught:
        calls[call](factory(client))
    message = str(caught.value)
    assert message.startswith(f"{system} answered 200 with "), message
    assert f" {target.url}/" in message, message
    assert caught.value.status == 200
