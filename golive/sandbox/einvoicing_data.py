"""Generated sandbox data for e-invoicing: customers onboarding the integration.

The hub (``hub.py``) and the provider (``storecove.py``) hold two views of the same
customers, so both draw from this one generator under the same seed: the hub's setup form
and integration configuration name exactly the legal entity, Peppol identifier, API key
and webhooks that the provider holds. ``C-3001``..``C-3003`` are fully onboarded (the
healthy state); a fault then breaks one thing for one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fakes import new_faker

ARTICLES = {
    "Enterprise": "About E-Invoicing in Enterprise",
    "Elite": "About E-Invoicing in Elite",
}
ARTICLE_URLS = {
    "Enterprise": "https://support.momentus.example/hc/articles/about-e-invoicing-in-enterprise",
    "Elite": "https://support.momentus.example/hc/articles/about-e-invoicing-in-elite",
}
SUPPORT_OPS = "support-ops@momentus.example"
HUB_DOMAIN = "connect.momentus.example"
# A stored URL starting with BASE means "this sandbox": it is rendered with the address
# the request came in on, since the port is only known once the server listens.
BASE = "{base}"


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    edition: str  # Enterprise | Elite
    requester: str
    party_name: str
    line1: str
    city: str
    zip: str
    country: str
    peppol_scheme: str
    peppol_identifier: str
    legal_entity_id: int
    integration_id: str
    api_username: str | None
    api_key: str  # the provider API key the hub holds for this integration

    @property
    def hook_url(self) -> str:
        return f"{BASE}/connect/hooks/storecove/{self.integration_id}"


PLAN = (  # id, edition, country, Faker locale, Peppol scheme, identifier digits
    ("C-3001", "Enterprise", "NL", "nl_NL", "NL:KVK", 8),
    ("C-3002", "Elite", "BE", "nl_BE", "BE:EN", 10),
    ("C-3003", "Enterprise", "NL", "nl_NL", "NL:KVK", 8),
)


def generate(seed: int) -> list[Customer]:
    customers = []
    for n, (cid, edition, country, locale, scheme, digits) in enumerate(PLAN):
        fake = new_faker(locale)
        fake.seed_instance(seed + n)
        name = fake.company()
        slug = "".join(c for c in name.lower() if c.isalnum())[:16] or f"customer{n}"
        customers.append(
            Customer(
                id=cid,
                name=name,
                edition=edition,
                requester=f"{fake.user_name()}@{slug}.example",
                party_name=name,
                line1=fake.street_address(),
                city=fake.city(),
                zip=fake.postcode(),
                country=country,
                peppol_scheme=scheme,
                peppol_identifier=fake.numerify("#" * digits),
                legal_entity_id=101 + n,
                integration_id=f"INT-{cid[2:]}",
                api_username=f"svc-connect-{cid[2:]}" if edition == "Enterprise" else None,
                api_key=fake.sha256()[:40],
            )
        )
    return customers
