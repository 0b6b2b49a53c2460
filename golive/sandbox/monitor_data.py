"""Generated data of the EDI monitor: customers, ERP partner relations, partner users,
messages and tickets, on two instances (TEST and PROD).

IDs and usernames are fixed so a scenario can name them; names and message references come
from faker under the run's seed. Dates are relative to the sandbox's reference date (clock.py), so a
healthy sandbox stays healthy: accesses started 30 days ago and expire within 90 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import clock
from .fakes import new_faker

INSTANCES = ("TEST", "PROD")
PERMISSIONS = (
    "manage_api_credentials",
    "resend_messages",
    "take_over_onboarding_tasks",
    "view_message_content",
    "respond_to_tickets",
    "explore_errors",
    "handle_messages",
    "manage_connector_settings",
)
MESSAGE_STATES = ("Exception", "handled", "resent", "delivered")


@dataclass
class Company:
    id: str
    name: str
    parent_id: str | None = None


@dataclass
class PartnerUser:
    instance: str
    username: str
    customer_id: str
    partner_company: str
    name: str
    permissions: list[str]
    created_at: str
    access_start: str
    expires_at: str | None
    enabled: bool = True
    revoked_at: str | None = None
    sub_companies: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    companies: list[Company]
    onboarding: dict[str, str]  # customer -> in_progress | complete
    relations: list[tuple[str, str, str, str]]  # instance, customer, partner company, since
    users: list[PartnerUser]
    messages: list[dict[str, str]]
    tickets: list[dict[str, str]]


def day(offset: int) -> str:
    return clock.day(offset)


def today() -> date:
    return clock.today()


def generate(seed: int) -> Dataset:
    fake = new_faker("de_AT")
    fake.seed_instance(seed)
    companies = [
        Company("C-100", fake.unique.company()),
        Company("C-101", fake.unique.company(), "C-100"),
        Company("C-102", fake.unique.company(), "C-100"),
        Company("C-103", fake.unique.company(), "C-100"),
        Company("C-200", fake.unique.company()),
        Company("C-300", fake.unique.company()),
        Company("P-900", f"{fake.unique.last_name()} ERP Consulting"),
        Company("P-910", f"{fake.unique.last_name()} Business Software"),
    ]
    onboarding = {"C-100": "in_progress", "C-200": "complete", "C-300": "in_progress"}
    relations = [
        (instance, customer, partner, day(-45))
        for instance in INSTANCES
        for customer, partner in (("C-100", "P-900"), ("C-200", "P-910"), ("C-300", "P-900"))
    ]
    support = ["view_message_content", "explore_errors", "resend_messages", "handle_messages"]

    def user(
        instance: str,
        username: str,
        customer: str,
        partner: str,
        perms: list[str],
        expires: str | None,
        subs: list[str] | None = None,
    ) -> PartnerUser:
        return PartnerUser(
            instance,
            username,
            customer,
            partner,
            fake.name(),
            perms,
            day(-30),
            day(-30),
            expires,
            sub_companies=subs or [],
        )

    users = [
        user(
            "TEST",
            "anna.erp",
            "C-100",
            "P-900",
            [*support, "respond_to_tickets"],
            day(55),
            ["C-101", "C-102"],
        ),
        user(
            "TEST",
            "bob.erp",
            "C-100",
            "P-900",
            [
                "view_message_content",
                "explore_errors",
                "manage_connector_settings",
                "take_over_onboarding_tasks",
            ],
            day(30),
        ),
        user("TEST", "anna.erp", "C-300", "P-900", ["view_message_content"], day(20)),
        user(
            "TEST",
            "carl.erp",
            "C-200",
            "P-910",
            [*support, "respond_to_tickets", "manage_api_credentials"],
            None,
        ),
        user(
            "PROD",
            "carl.erp",
            "C-200",
            "P-910",
            [*support, "respond_to_tickets", "manage_api_credentials"],
            None,
        ),
        user(
            "TEST",
            "dora.erp",
            "C-200",
            "P-910",
            ["view_message_content", "explore_errors"],
            day(40),
        ),
        user(
            "PROD",
            "dora.erp",
            "C-200",
            "P-910",
            ["view_message_content", "explore_errors"],
            day(40),
        ),
    ]
    for u in users:
        if u.username == "dora.erp":  # onboarding of C-200 is complete: access revoked
            u.enabled, u.revoked_at = False, day(-2)

    messages: list[dict[str, str]] = []
    tickets: list[dict[str, str]] = []
    for instance in INSTANCES:
        for company in ("C-100", "C-101", "C-102", "C-103", "C-200", "C-300"):
            for n in range(3):
                number = len(messages) + 1
                messages.append(
                    {
                        "instance": instance,
                        "id": f"M-{instance[0]}{number:04d}",
                        "company_id": company,
                        "document": fake.random_element(("ORDERS", "DESADV", "INVOIC")),
                        "trading_partner": fake.company(),
                        "state": MESSAGE_STATES[(number + n) % len(MESSAGE_STATES)],
                        "received_at": f"{day(-n)}T0{n + 7}:15:00Z",
                        "content": f"UNH+{number}+{fake.bothify('??#####').upper()}'",
                    }
                )
            tickets.append(
                {
                    "instance": instance,
                    "id": f"T-{instance[0]}{len(tickets) + 1:03d}",
                    "company_id": company,
                    "subject": fake.sentence(nb_words=6).rstrip("."),
                    "state": "open",
                }
            )
    return Dataset(companies, onboarding, relations, users, messages, tickets)
