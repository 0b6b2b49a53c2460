"""Steps of the move-to-production checklist (features/partner_go_live/)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from fixtures.partner_go_live.partners import Move, MoveLedger, is_internal
from golive.checks import check, fail, listing, poll
from golive.evidence import attach_json
from golive.mailbox import Mail, Mailbox
from packs.partner_go_live.adapters import PartnerNotFound, PartnerPlatform, PartnerRecord
from packs.partner_go_live.settings import Partner, PartnerGoLive

MAIL_TIMEOUT = 15.0


@given("the trading partner going live", target_fixture="record")
def _(partner_platform: PartnerPlatform, partner: Partner) -> PartnerRecord:
    try:
        return partner_platform.partner(partner.id)
    except PartnerNotFound as exc:
        fail(partner.id, str(exc), "the partner named in the scenario to exist")


@then("every change request with configuration instructions is completed")
def _(partner_platform: PartnerPlatform, record: PartnerRecord) -> None:
    requests = partner_platform.change_requests(record.id)
    open_ = [
        f"{cr.id} ({cr.state})"
        for cr in requests
        if cr.has_configuration_instructions and cr.state != "completed"
    ]
    check(
        not open_,
        record.label,
        f"change requests not completed: {listing(open_)}",
        "every change request with configuration instructions completed",
    )


@then("a business rep is assigned who is active and receives alert emails")
def _(record: PartnerRecord, partner: Partner) -> None:
    rep = record.business_rep
    if rep is None:
        fail(record.label, "no business rep assigned", "a business rep")
    if partner.business_rep is not None:
        check(
            rep.username == partner.business_rep,
            record.label,
            f"business rep is {rep.username}",
            f"{partner.business_rep} (from the scenario)",
        )
    check(rep.active, record.label, f"business rep {rep.username} is inactive", "an active rep")
    check(
        rep.receives_alert_emails,
        record.label,
        f"business rep {rep.username} does not receive alert emails",
        "the rep to receive alert-email notifications",
    )


@then("an active implementer is assigned")
def _(record: PartnerRecord) -> None:
    implementer = record.implementer
    if implementer is None:
        fail(record.label, "no implementer assigned", "an implementer")
    check(
        implementer.active,
        record.label,
        f"implementer {implementer.username} is inactive",
        "an active implementer",
    )


@then("the processed document notifications go exactly to the scenario's addresses")
def _(record: PartnerRecord, partner: Partner) -> None:
    seen = {a.lower() for a in record.notification_emails}
    expected = {a.lower() for a in partner.notification_emails}
    check(
        seen == expected,
        record.label,
        f"notification emails missing: {listing(expected - seen)}; unexpected: "
        f"{listing(seen - expected)}",
        f"exactly {listing(expected)}",
    )


@then("the auto-assign key is set and not under review")
def _(record: PartnerRecord) -> None:
    key = (record.auto_assign_key or "").strip()
    check(bool(key), record.label, "the auto-assign key is empty", "a key")
    check(
        record.auto_assign_key_state == "set",
        record.label,
        f"auto-assign key {key} is {record.auto_assign_key_state}",
        "a key that is set",
    )


@then("at least one buyer is set up")
def _(record: PartnerRecord) -> None:
    check(
        len(record.buyers) >= 1,
        record.label,
        "no buyers set up (the buyer list is empty)",
        "at least one buyer",
    )


@then(parsers.parse("the status is none of {statuses}"))
def _(record: PartnerRecord, statuses: str) -> None:
    forbidden = [s.strip().strip('"') for s in statuses.split(",")]
    check(
        record.status not in forbidden,
        record.label,
        f"status is {record.status!r}",
        f"none of {', '.join(forbidden)}",
    )


@when(
    "the partner is moved to production with the external addresses deleted", target_fixture="move"
)
def _(moves: MoveLedger, record: PartnerRecord) -> Move:
    move = moves.move(record.id)
    attach_json(
        "Move to Production",
        {
            "deleted (outside the organisation)": move.deleted,
            "sent to": move.sent_to,
            "message id": move.receipt.message_id,
        },
    )
    return move


@then(parsers.parse('the partner\'s status is "{status}"'))
def _(partner_platform: PartnerPlatform, record: PartnerRecord, status: str) -> None:
    now = partner_platform.partner(record.id).status
    check(now == status, record.label, f"status is {now!r} after Move to Production", repr(status))


def _move_mail(mailbox: Mailbox, record: PartnerRecord, move: Move) -> Mail:
    def matching() -> list[Mail]:
        return [m for m in mailbox.messages(record.id) if m.message_id == move.receipt.message_id]

    found, arrived = poll(matching, bool, timeout=MAIL_TIMEOUT)
    check(
        arrived,
        record.label,
        f"no move-to-production email {move.receipt.message_id} arrived within {MAIL_TIMEOUT:.0f}s",
        "the auto-generated email",
    )
    attach_json("email received", {"subject": found[0].subject, "recipients": found[0].recipients})
    return found[0]


@then(
    "the move-to-production email reached the implementation contacts, buyers, inside sales"
    " rep, business rep, implementer and customer service"
)
def _(
    mailbox: Mailbox,
    partner_platform: PartnerPlatform,
    record: PartnerRecord,
    move: Move,
    go_live: PartnerGoLive,
) -> None:
    mail = _move_mail(mailbox, record, move)
    domains = go_live.internal_domains
    people = {
        "inside sales rep": record.inside_sales_rep,
        "business rep": record.business_rep,
        "implementer": record.implementer,
    }
    groups = {
        "implementation contacts": record.implementation_contacts,
        "buyers": record.buyers,
        **{name: [p.email] if p else [] for name, p in people.items()},
        "customer service": partner_platform.organisation().customer_service,
    }
    received = {a.lower() for a in mail.recipients}
    missed = [
        f"{group}: {address}"
        for group, addresses in groups.items()
        for address in addresses
        if is_internal(address, domains) and address.lower() not in received
    ]
    check(
        not missed,
        record.label,
        f"the email did not reach {listing(missed)}",
        "every internal member of every recipient group",
    )


@then("the move-to-production email went to no address outside the organisation")
def _(mailbox: Mailbox, record: PartnerRecord, move: Move, go_live: PartnerGoLive) -> None:
    mail = _move_mail(mailbox, record, move)
    domains = go_live.internal_domains
    external = [a for a in mail.recipients if not is_internal(a, domains)]
    check(
        not external,
        record.label,
        f"the email went to external {listing(external)}",
        f"only addresses at {listing(domains)}",
    )
