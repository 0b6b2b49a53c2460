"""Generated sandbox data: one client organisation, its staff and its trading partners.

Everything is drawn from faker under a fixed seed, so the same seed gives the same rows.
The partners ``TP-1001``..``TP-1003`` are ready to move into production; the others sit
in earlier states, as a real customer list does. ``ready`` (``golive sandbox --partners N``,
for the scale benchmark) makes N partners ready instead of three; the first rows, and so
the checklists' subjects and faults, stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fakes import new_faker

READY_PARTNERS = ("TP-1001", "TP-1002", "TP-1003")


@dataclass
class Staff:
    username: str
    name: str
    email: str
    role: str
    active: bool = True
    receives_alert_emails: bool = True


@dataclass
class ChangeRequest:
    id: str
    partner_id: str
    title: str
    has_configuration_instructions: bool
    state: str  # open | in_progress | completed | cancelled


@dataclass
class Partner:
    id: str
    name: str
    kind: str  # customer | vendor
    status: str
    business_rep: str | None
    implementer: str | None
    inside_sales_rep: str | None
    notification_emails: list[str]
    auto_assign_key: str | None
    auto_assign_key_state: str  # set | under_review
    buyers: list[dict[str, str]]
    implementation_contacts: list[str]
    change_requests: list[ChangeRequest] = field(default_factory=list)


@dataclass
class Dataset:
    organisation: str
    domain: str
    customer_service: list[str]
    staff: dict[str, Staff]
    partners: dict[str, Partner]


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:16]


def generate(seed: int, ready: int = len(READY_PARTNERS)) -> Dataset:
    fake = new_faker("en_US")
    fake.seed_instance(seed)
    organisation = fake.company()
    domain = f"{_slug(organisation.split()[0])}.example"

    def person(role: str) -> Staff:
        first, last = fake.unique.first_name(), fake.unique.last_name()
        username = f"{first[0]}{last}".lower()
        return Staff(username, f"{first} {last}", f"{username}@{domain}", role)

    staff_list = [person("business_rep") for _ in range(2)]
    staff_list += [person("implementer") for _ in range(2)]
    staff_list += [person("inside_sales") for _ in range(2)]
    staff = {s.username: s for s in staff_list}
    reps = [s for s in staff_list if s.role == "business_rep"]
    implementers = [s for s in staff_list if s.role == "implementer"]
    sales = [s for s in staff_list if s.role == "inside_sales"]

    partners: dict[str, Partner] = {}
    statuses = ["Ready for Production"] * ready + [
        "New",
        "Configuration Required",
        "Information Required",
        "Production",
    ]
    for index, status in enumerate(statuses):
        pid = f"TP-{1001 + index}"
        name = fake.unique.company()
        partner_domain = f"{_slug(name.split()[0])}-{index}.example"
        buyers = [
            {"name": fake.name(), "email": f"{fake.unique.user_name()}@{domain}"} for _ in range(2)
        ]
        # The trading partner's own address sits in the buyer list, as the seed warns:
        # it must be deleted from the move-to-production email.
        buyers.append({"name": fake.name(), "email": f"edi@{partner_domain}"})
        partner = Partner(
            id=pid,
            name=name,
            kind="customer" if index % 2 == 0 else "vendor",
            status=status,
            business_rep=reps[index % 2].username,
            implementer=implementers[index % 2].username,
            inside_sales_rep=sales[index % 2].username,
            notification_emails=[f"{fake.unique.user_name()}@{domain}" for _ in range(2)],
            auto_assign_key=f"{_slug(name)[:8].upper()}-{fake.random_int(100, 999)}",
            auto_assign_key_state="set",
            buyers=buyers,
            implementation_contacts=[f"{fake.unique.user_name()}@{domain}"],
        )
        partner.change_requests = [
            ChangeRequest(
                id=f"CR-{pid[3:]}-{n}",
                partner_id=pid,
                title=fake.sentence(nb_words=5).rstrip("."),
                has_configuration_instructions=n != 3,
                state="completed" if status != "New" else "open",
            )
            for n in (1, 2, 3)
        ]
        partners[pid] = partner
    customer_service = [f"customer.service@{domain}"]
    return Dataset(organisation, domain, customer_service, staff, partners)
