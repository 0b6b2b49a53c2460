"""Steps of the e-invoicing readiness checklist (features/einvoicing/): the hub's side.

The provider's side (legal entity, discovery, the end-to-end send) is in
``steps/einvoicing_provider.py``.
"""

from __future__ import annotations

from pytest_bdd import given, then

from golive.checks import check, fail, listing, poll
from golive.evidence import attach_json
from golive.mailbox import Mail, Mailbox
from packs.einvoicing.hub import HubCustomer, IntegrationHub, NotFound, SetupForm
from packs.einvoicing.settings import EInvoicing, EInvoicingCustomer
from packs.einvoicing.storecove import (
    EInvoicingProvider,
)

MAIL_TIMEOUT = 5.0
# The legal-entity fields Storecove requires (LegalEntityCreate) and the Peppol identifier.
PROVIDER_FIELDS = (
    "party_name",
    "line1",
    "city",
    "zip",
    "country",
    "peppol_scheme",
    "peppol_identifier",
)
COMPARED = {
    "party_name": "name",
    "line1": "address",
    "city": "city",
    "zip": "postcode",
    "country": "country",
}


def norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def setup_form_of(hub: IntegrationHub, who: HubCustomer) -> SetupForm:
    form = hub.setup_form(who.id)
    if form is None:
        fail(who.label, "no e-invoicing setup form submitted", "the completed setup form")
    return form


def _mail(mailbox: Mailbox, subject: str, recipient: str) -> list[Mail]:
    def probe() -> list[Mail]:
        return [
            m
            for m in mailbox.messages(subject)
            if recipient.lower() in (r.lower() for r in m.recipients)
        ]

    found, _ = poll(probe, bool, timeout=MAIL_TIMEOUT)
    return found


@given("the e-invoicing customer going live", target_fixture="hub_customer")
def _(hub: IntegrationHub, einvoicing_customer: EInvoicingCustomer) -> HubCustomer:
    try:
        who = hub.customer(einvoicing_customer.id)
    except NotFound as exc:
        fail(einvoicing_customer.id, str(exc), "the customer named in the scenario")
    check(
        who.edition == einvoicing_customer.edition,
        who.label,
        f"edition {who.edition}",
        f"{einvoicing_customer.edition} (from the scenario)",
    )
    return who


@then("the customer's e-invoicing integration request is approved")
def _(hub: IntegrationHub, hub_customer: HubCustomer) -> None:
    requests = [r for r in hub.integration_requests(hub_customer.id) if r.app == "e-invoicing"]
    attach_json("integration requests", [r.__dict__ for r in requests])
    if not requests:
        fail(hub_customer.label, "no e-invoicing integration request", "an approved request")
    states = {f"{r.id} ({r.state})" for r in requests}
    check(
        any(r.state == "approved" for r in requests),
        hub_customer.label,
        f"integration request {listing(states)}",
        "approved",
    )


@then(
    "the requester was emailed that the integration is ready to configure, with the article "
    "for their edition"
)
def _(
    hub: IntegrationHub,
    mailbox: Mailbox,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
    einvoicing: EInvoicing,
) -> None:
    requests = [r for r in hub.integration_requests(hub_customer.id) if r.app == "e-invoicing"]
    if not requests:
        fail(hub_customer.label, "no e-invoicing integration request", "a request and its email")
    requester = requests[-1].requester
    mails = _mail(mailbox, hub_customer.id, requester)
    approvals = [m for m in mails if "approved" in m.subject.lower()]
    check(
        bool(approvals),
        hub_customer.label,
        f"no approval email reached requester {requester}",
        "the approval email to the original requester",
    )
    article = einvoicing.articles.get(einvoicing_customer.edition, "")
    attach_json("approval email", {"to": approvals[-1].recipients, "body": approvals[-1].body})
    check(
        article in approvals[-1].body,
        hub_customer.label,
        f"the approval email to {requester} does not link {article}",
        f"the {hub_customer.edition} article in the email",
    )


@then("the setup form is complete with every legal-entity field the provider needs")
def _(hub: IntegrationHub, hub_customer: HubCustomer) -> None:
    form = setup_form_of(hub, hub_customer)
    attach_json("setup form", form.__dict__)
    missing = [f for f in PROVIDER_FIELDS if not form.fields.get(f, "").strip()]
    check(
        not missing,
        hub_customer.label,
        f"setup form fields empty: {listing(missing)}",
        f"every one of {', '.join(PROVIDER_FIELDS)}",
    )


@then("Support Ops was emailed that the setup form was completed")
def _(mailbox: Mailbox, hub_customer: HubCustomer, einvoicing: EInvoicing) -> None:
    missed = [
        a
        for a in einvoicing.support_ops
        if not [m for m in _mail(mailbox, hub_customer.id, a) if "form" in m.subject.lower()]
    ]
    check(
        not missed,
        hub_customer.label,
        f"no form-completed email reached {listing(missed)}",
        "the form-completed email to Support Ops",
    )


@then(
    "the edition's prerequisite is in place: an API user that authenticates for Enterprise, "
    "the e-invoicing feature flag for Elite"
)
def _(
    hub: IntegrationHub, hub_customer: HubCustomer, einvoicing_customer: EInvoicingCustomer
) -> None:
    if hub_customer.edition == "Elite":
        flag = hub_customer.feature_flags.get("e_invoicing")
        check(flag is True, hub_customer.label, f"feature flag e_invoicing is {flag}", "on")
        return
    login = einvoicing_customer.api_user
    assert login is not None  # the scenario model requires it for Enterprise
    users = {u.username: u for u in hub.api_users(hub_customer.id)}
    user = users.get(login.username)
    check(
        user is not None,
        hub_customer.label,
        f"no Connect API user {login.username} (users: {listing(set(users))})",
        "the API user Support Ops sets up",
    )
    check(
        hub.api_user_authenticates(login.username, login.password.get_secret_value()),
        hub_customer.label,
        f"API user {login.username} does not authenticate",
        "it to",
    )


@then("the provider API key held by the hub authenticates at the provider")
def _(hub: IntegrationHub, hub_customer: HubCustomer) -> None:
    test = hub.connection_test(hub_customer.id)
    attach_json("hub connection test", test.__dict__)
    check(
        test.authenticated,
        hub_customer.label,
        f"the provider refused API key {test.api_key_name!r} (HTTP {test.status} {test.detail})",
        "the hub's key to authenticate",
    )


@then("the hub's integration names the provider's legal entity and an API key")
def _(
    hub: IntegrationHub,
    provider: EInvoicingProvider,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
) -> None:
    integration = hub.integration(hub_customer.id)
    if integration is None:
        fail(hub_customer.label, "no e-invoicing integration configured", "one")
    attach_json("hub integration", integration.__dict__)
    check(
        integration.legal_entity_id == einvoicing_customer.legal_entity_id,
        hub_customer.label,
        f"integration {integration.id} names legal entity {integration.legal_entity_id}",
        f"legal entity {einvoicing_customer.legal_entity_id} (from the scenario)",
    )
    check(
        bool(integration.api_key_name and integration.api_key_last4),
        hub_customer.label,
        f"integration {integration.id} has no provider API key",
        "an API key",
    )
    check(
        integration.provider_url.rstrip("/") == provider.api_url.rstrip("/"),
        hub_customer.label,
        f"integration {integration.id} talks to {integration.provider_url}",
        f"the provider at {provider.api_url}",
    )


@then("webhooks exist on both sides and point at each other")
def _(
    hub: IntegrationHub,
    provider: EInvoicingProvider,
    hub_customer: HubCustomer,
    einvoicing_customer: EInvoicingCustomer,
) -> None:
    integration = hub.integration(hub_customer.id)
    hub_urls = {w.url for w in integration.webhooks} if integration else set()
    check(
        bool(hub_urls),
        hub_customer.label,
        f"the hub's integration {integration.id if integration else '-'} has no webhooks",
        "the webhooks the hub creates for the provider's events",
    )
    pushes = provider.push_webhooks(hub_customer.id)
    if pushes is None and einvoicing_customer.provider_webhook_url is None:
        fail(
            hub_customer.label,
            "the provider's API does not show its push webhooks",
            "subjects.einvoicing_customers[].provider_webhook_url (read from its UI)",
        )
    provider_urls = (
        {p.url for p in pushes}
        if pushes is not None
        else {str(einvoicing_customer.provider_webhook_url)}
    )
    attach_json("webhooks", {"hub": sorted(hub_urls), "provider": sorted(provider_urls)})
    check(
        bool(provider_urls),
        hub_customer.label,
        "the provider has no push webhook",
        f"one pointing at {listing(hub_urls)}",
    )
    astray = provider_urls - hub_urls
    check(
        not astray,
        hub_customer.label,
        f"the provider pushes to {listing(astray)}, which is no webhook of the hub",
        f"the hub's {listing(hub_urls)}",
    )
    unfed = hub_urls - provider_urls
    check(
        not unfed,
        hub_customer.label,
        f"the hub's webhook {listing(unfed)} gets nothing from the provider",
        "a provider push webhook pointing at it",
    )
