"""Conformance: the sandbox's Storecove emulation and golive's Storecove adapter against
Storecove's published OpenAPI spec (shared/specs/storecove-openapi-2.0.1.json), with
openapi-core. Every request the adapter sends and every response the sandbox gives
under /api/v2 is validated: path, method, parameters, auth header, body schemas, status.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData

from fixtures.einvoicing.einvoicing import build_test_invoice
from golive.checks import poll
from golive.errors import TargetResponseError
from packs.einvoicing.settings import PeppolParticipant
from packs.einvoicing.storecove import PeppolIdentifier, ProviderRejected

ISSUED = date(2027, 1, 1)  # a test invoice's issue date: fixed, not the clock's


def validate_all(spec: dict[str, Any], base: str, recorded: Any, requests: bool = True) -> int:
    spec = {**spec, "servers": [{"url": f"{base}/api/v2"}]}
    openapi = OpenAPI.from_dict(spec)
    checked = 0
    for response in recorded.responses:
        if "/api/v2/" not in response.url:
            continue
        request = RequestsOpenAPIRequest(response.request)
        if requests:
            openapi.validate_request(request)
        openapi.validate_response(request, RequestsOpenAPIResponse(response))
        checked += 1
    return checked


def test_a_legal_entity_lifecycle_and_a_send_conform_to_the_spec(
    sandbox: str, spec: dict[str, Any], recorded: Any
) -> None:
    api = recorded.api
    entity = api.create_legal_entity(
        {
            "party_name": "Conformance Testbedrijf B.V.",
            "line1": "Keizersgracht 1",
            "city": "Amsterdam",
            "zip": "1015 CJ",
            "country": "NL",
            "tenant_id": "conformance",
            "advertisements": ["invoice"],
        }
    )
    assert api.legal_entity(entity.id) == entity
    renamed = api.update_legal_entity(entity.id, {"party_name": "Conformance Test B.V."})
    assert renamed.party_name == "Conformance Test B.V."
    ident = api.add_peppol_identifier(entity.id, PeppolIdentifier("NL:KVK", "99887766"))
    assert ident.label == "NL:KVK:99887766"

    # A new legal entity awaits validation: not receivable until the provider validates it.
    assert api.receives(ident, ["invoice"]) is False
    _, validated = poll(lambda: api.receives(ident, ["invoice"]), bool, timeout=10)
    assert validated, "the sandbox's validation delay did not end within 10 s"
    assert api.exists(ident) is True

    sender = api.legal_entity(entity.id)
    assert sender is not None
    invoice = build_test_invoice(
        sender,
        PeppolParticipant(scheme="NL:KVK", identifier="99887766"),
        "conformance",
        "run1",
        ISSUED,
    )
    guid = api.submit(invoice)
    evidence, sent = poll(lambda: api.evidence(guid), bool, timeout=10)
    assert sent and evidence is not None and evidence["network"] == "peppol"

    def drained() -> list[str]:
        found = []
        while (instance := api.next_webhook()) is not None:
            assert api.delete_webhook(instance.guid)
            found.append(instance.body)
        return [b for b in found if guid in b]

    _, arrived = poll(drained, bool, timeout=10)
    assert arrived, f"no webhook for {guid} in the pull queue"

    assert api.delete_legal_entity(entity.id) is True
    assert api.legal_entity(entity.id) is None

    checked = validate_all(spec, sandbox, recorded)
    assert checked >= 14, f"only {checked} exchanges were validated"


def test_a_rejected_legal_entity_gets_the_published_error_model(
    sandbox: str, spec: dict[str, Any], recorded: Any
) -> None:
    """The request breaks the spec on purpose; the 422 answer must still match it."""
    with pytest.raises(ProviderRejected) as rejected:
        recorded.api.create_legal_entity({"party_name": "X", "country": "Netherlands"})
    assert {e.source for e in rejected.value.errors} >= {"line1", "city", "zip", "country"}
    assert recorded.responses[-1].status_code == 422
    assert validate_all(spec, sandbox, recorded, requests=False) == 1


def test_a_wrong_api_key_gets_the_published_401(
    sandbox: str, spec: dict[str, Any], recording: Any
) -> None:
    recorded = recording(sandbox, "not-a-key")
    with pytest.raises(TargetResponseError) as refused:
        recorded.api.legal_entity(101)
    assert refused.value.status == 401
    assert validate_all(spec, sandbox, recorded) == 1


def test_the_validator_catches_a_response_outside_the_spec(
    sandbox: str, spec: dict[str, Any], recorded: Any
) -> None:
    """Guards the test itself: a 200 body that breaks the LegalEntity schema must fail."""
    recorded.api.legal_entity(101)
    response = recorded.responses[-1]
    response._content = b'{"id": "not-an-integer", "country": "Netherlands"}'
    with pytest.raises(InvalidData):
        validate_all(spec, sandbox, recorded)


def test_the_adapter_takes_a_base_url_with_or_without_the_api_path(
    sandbox: str, storecove_client: Any
) -> None:
    import os

    from golive.launcher import TOKEN_VAR
    from packs.einvoicing.storecove import StorecoveApi

    token = os.environ[TOKEN_VAR]
    bare = StorecoveApi(storecove_client(sandbox, token))
    full = StorecoveApi(storecove_client(f"{sandbox}/api/v2", token))
    assert bare.api_url == full.api_url == f"{sandbox}/api/v2"
    assert bare.legal_entity(101) == full.legal_entity(101)
