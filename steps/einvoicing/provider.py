"""Steps of the e-invoicing readiness checklist: the provider's side (features/einvoicing/).

The legal entity and its validation at the provider, the end-to-end send of a test
invoice, and the manual item for telling the customer.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from pytest_bdd import given, then, when

from fixtures.einvoicing.einvoicing import WebhookInbox, build_test_invoice
from golive.checks import check, fail, listing, poll
from golive.config import Attestation
from golive.context import RunContext
from golive.evidence import attach_json
from golive.fixtures.scenario import require_attestation
from packs.einvoicing.hub import HubCustomer, IntegrationHub
from packs.einvoicing.settings import EInvoicing, EInvoicingCustomer, PeppolParticipant
from packs.einvoicing.storecove import (
    EInvoicingProvider,
    LegalEntity,
    ProviderRejected,
)
from steps.einvoicing.readiness import COMPARED, norm, setup_form_of


def _entity(provider: EInvoicingProvider, customer: EInvoicingCustomer) -> LegalEntity:
    entity = provider.legal_entity(customer.legal_entity_id)
    if entity is None:
        fail(
            customer.id,
            f"the provider has no legal entity {customer.legal_entity_id}",
            "the legal entity named in the scenario",
        )
    return entity


@then("the provider's legal entity exists and matches the setup form in name, address and country")
def _(
    hub: IntegrationHub,
    provider: EInvoicingProvider,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
) -> None:
    form = setup_form_of(hub, hub_customer)
    entity = _entity(provider, einvoicing_customer)
    attach_json("legal entity", entity.raw)
    seen = {
        "party_name": entity.party_name,
        "line1": entity.line1,
        "city": entity.city,
        "zip": entity.zip,
        "country": entity.country,
    }
    # Fields the form left empty are the form check's finding, not a mismatch.
    differ = [
        f"{label} {seen[key]!r} vs form {form.fields[key]!r}"
        for key, label in COMPARED.items()
        if form.fields.get(key, "").strip() and norm(seen[key]) != norm(form.fields[key])
    ]
    check(
        not differ,
        f"{hub_customer.id} {entity.label}",
        f"differs: {'; '.join(differ)}",
        "the provider's legal entity to match the setup form",
    )


@then("the legal entity carries the Peppol identifier given in the setup form")
def _(
    hub: IntegrationHub,
    provider: EInvoicingProvider,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
) -> None:
    form = setup_form_of(hub, hub_customer)
    entity = _entity(provider, einvoicing_customer)
    wanted = f"{form.fields.get('peppol_scheme', '')}:{form.fields.get('peppol_identifier', '')}"
    carried = {p.label for p in entity.peppol_identifiers}
    check(
        wanted in carried,
        f"{hub_customer.id} {entity.label}",
        f"Peppol identifiers {listing(carried)}",
        f"{wanted} (from the setup form)",
    )


def _pending_for(hub: IntegrationHub, customer_id: str, now: datetime) -> str:
    integration = hub.integration(customer_id)
    if integration is None or not integration.configured_at:
        return "pending since an unknown time (the hub has no configuration date)"
    since = datetime.fromisoformat(integration.configured_at)
    hours = max(0.0, (now - since).total_seconds() / 3600)
    return f"pending for {hours:.0f}h, since the integration was configured {since:%Y-%m-%d %H:%M}"


@then("the legal entity is validated: receivable through discovery")
def _(
    hub: IntegrationHub,
    provider: EInvoicingProvider,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
    einvoicing: EInvoicing,
    golive: RunContext,
) -> None:
    entity = _entity(provider, einvoicing_customer)
    check(
        bool(entity.peppol_identifiers),
        f"{hub_customer.id} {entity.label}",
        "no Peppol identifier to discover",
        "a validated, receivable identifier",
    )
    not_receivable = [
        p.label for p in entity.peppol_identifiers if not provider.receives(p, ["invoice"])
    ]
    check(
        not not_receivable,
        f"{hub_customer.id} {entity.label}",
        f"{listing(not_receivable)} not receivable through discovery (NOK), validation "
        f"{_pending_for(hub, hub_customer.id, golive.started)} (validation takes up to "
        f"{einvoicing.validation_hours:.0f}h)",
        "validated and receivable (OK)",
    )


@given("the legal entity is receivable, so invoices are sent", target_fixture="sender")
def _(provider: EInvoicingProvider, einvoicing_customer: EInvoicingCustomer) -> LegalEntity:
    entity = provider.legal_entity(einvoicing_customer.legal_entity_id)
    if (
        entity is None
        or not entity.peppol_identifiers
        or not all(provider.receives(p, ["invoice"]) for p in entity.peppol_identifiers)
    ):
        pytest.skip(
            f"{einvoicing_customer.id}: legal entity {einvoicing_customer.legal_entity_id}"
            " is not validated (see its validation item); the provider sends nothing yet"
        )
    return entity


@when(
    "a test invoice built from faker data is submitted for the legal entity",
    target_fixture="submission",
)
def _(
    provider: EInvoicingProvider,
    sender: LegalEntity,
    einvoicing_customer: EInvoicingCustomer,
    golive: RunContext,
) -> dict[str, object]:
    own = sender.peppol_identifiers[0]
    receiver = einvoicing_customer.test_receiver or PeppolParticipant(
        scheme=own.scheme, identifier=own.identifier
    )
    invoice = build_test_invoice(
        sender, receiver, einvoicing_customer.id, golive.run_id, golive.today
    )
    attach_json("test invoice", invoice)
    try:
        guid = provider.submit(invoice)
    except ProviderRejected as exc:
        return {"guid": None, "rejected": str(exc), "at": time.monotonic()}
    return {"guid": guid, "rejected": "", "at": time.monotonic()}


@then("the provider accepts it")
def _(submission: dict[str, object], sender: LegalEntity) -> None:
    check(
        submission["guid"] is not None,
        f"{sender.tenant_id} {sender.label}",
        f"the test invoice was {submission['rejected']}",
        "it accepted",
    )


@then("its sending evidence can be fetched")
def _(
    provider: EInvoicingProvider,
    submission: dict[str, object],
    sender: LegalEntity,
    einvoicing: EInvoicing,
) -> None:
    guid = str(submission["guid"])
    evidence, ready = poll(
        lambda: provider.evidence(guid), bool, timeout=einvoicing.webhook_deadline, interval=0.2
    )
    check(
        ready,
        f"{sender.tenant_id} {sender.label}",
        f"no sending evidence for submission {guid} within {einvoicing.webhook_deadline:.0f}s",
        "the evidence of the send",
    )
    attach_json("sending evidence", evidence)


@then("its webhook arrives within the deadline")
def _(
    webhook_inbox: WebhookInbox,
    submission: dict[str, object],
    sender: LegalEntity,
    einvoicing: EInvoicing,
) -> None:
    guid = str(submission["guid"])
    found, arrived = webhook_inbox.wait_for(guid, einvoicing.webhook_deadline)
    check(
        arrived,
        f"{sender.tenant_id} {sender.label}",
        f"no webhook for submission {guid} in the pull queue within "
        f"{einvoicing.webhook_deadline:.0f}s ({len(webhook_inbox.seen)} others read)",
        "the provider's webhook",
    )
    attach_json("webhook", {"guid": found[0].guid, "body": found[0].body})


@then("a person confirms the customer was told the integration is ready")
def _(hub_customer: HubCustomer, attestation: Attestation | None) -> None:
    # The process itself sends no notice (the seed: 'At this time there is no
    # notification to the customer'), so a person attests that the customer was told.
    require_attestation(
        attestation, hub_customer.label, "the customer was told the integration is ready"
    )
