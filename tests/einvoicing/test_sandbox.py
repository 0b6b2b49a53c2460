"""The sandbox's e-invoicing behaviour the checklist relies on but cannot see on its own:
push delivery of webhooks to the hub over real HTTP, and the hub's connection test."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import requests

from fixtures.einvoicing.einvoicing import build_test_invoice
from golive.checks import poll
from golive.launcher import TOKEN_VAR
from packs.einvoicing.settings import PeppolParticipant
from packs.einvoicing.storecove import StorecoveApi

ISSUED = date(2027, 1, 1)  # a test invoice's issue date: fixed, not the clock's


def test_a_sent_invoice_is_pushed_to_the_hubs_webhook(sandbox: str, storecove_client: Any) -> None:
    token = os.environ[TOKEN_VAR]
    auth = {"Authorization": f"Bearer {token}"}
    api = StorecoveApi(storecove_client(sandbox, token))
    entity = api.legal_entity(101)
    assert entity is not None
    own = entity.peppol_identifiers[0]
    invoice = build_test_invoice(
        entity,
        PeppolParticipant(scheme=own.scheme, identifier=own.identifier),
        "C-3001",
        "push",
        ISSUED,
    )
    guid = api.submit(invoice)
    url = f"{sandbox}/connect/api/customers/C-3001/integrations/e-invoicing/received_webhooks"

    def received() -> list[str]:
        rows = requests.get(url, headers=auth, timeout=5).json()
        return [r["body"] for r in rows if guid in r["body"]]

    bodies, arrived = poll(received, bool, timeout=10)
    assert arrived, f"the hub received no push for submission {guid}"
    assert '"tenant_id": "C-3001"' in bodies[0]


def test_the_hub_authenticates_at_the_provider_with_the_key_it_holds(sandbox: str) -> None:
    token = os.environ[TOKEN_VAR]
    url = f"{sandbox}/connect/api/customers/C-3002/integrations/e-invoicing/connection"
    result = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert result == {**result, "authenticated": True, "status": 200}
    assert result["api_key"] == "connect INT-3002"
