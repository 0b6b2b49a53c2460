"""Steps of the upgrade checklist's staff-role items (features/upgrade/staff_roles.feature)
and its manual items (features/upgrade/new_features.feature).

Roles: the scenario's permission matrix (subjects.roles, upgrade.functions) is checked in
billing's security API and in the admin portal, as the role's staff member sees it.

Manual items: an attestation in the scenario (who, when, which features) must cover the
candidate's release notes. A missing or incomplete one fails with a reason starting
"pending": the item cannot pass, so the verdict cannot be GO unless it is waived.
"""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, then, when

from fixtures.billing_upgrade.billing import portal_login
from golive.checks import check, fail, listing
from golive.config import Scenario
from golive.evidence import attach_json
from packs.billing_upgrade.billing_ops import BillingOps
from packs.billing_upgrade.killbill import Billing
from packs.billing_upgrade.portal import PageOutcome, WebPortal
from packs.billing_upgrade.settings import StaffRole, UpgradePlan


def _functions(plan: UpgradePlan, role: StaffRole) -> None:
    unknown = set(role.can) | set(role.cannot)
    unknown -= set(plan.functions)
    if unknown:
        fail(
            f"role {role.id}",
            f"functions {listing(unknown)} are not defined",
            "every function of the matrix under upgrade.functions",
        )


@then("the role's staff member holds the role in billing")
def _(candidate: Billing, staff_role: StaffRole) -> None:
    roles = candidate.user_roles(staff_role.staff_user)
    attach_json(f"roles of {staff_role.staff_user}", roles)
    check(
        roles is not None and staff_role.id in roles,
        f"role {staff_role.id}",
        f"staff member {staff_role.staff_user} holds {listing(roles or [])}",
        f"{staff_role.staff_user} to hold {staff_role.id}",
    )


@then("the role grants every permission its functions need and none it must not have")
def _(candidate: Billing, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    _functions(upgrade_plan, staff_role)
    granted = candidate.role_permissions(staff_role.id)
    attach_json(f"permissions of {staff_role.id}", granted)
    if granted is None:
        fail(f"role {staff_role.id}", "the role does not exist on the candidate", "the role")
    fns = upgrade_plan.functions
    need = {fns[f].permission for f in staff_role.can} | set(staff_role.permissions)
    forbidden = {fns[f].permission for f in staff_role.cannot} - need
    missing, extra = need - set(granted), forbidden & set(granted)
    check(
        not missing,
        f"role {staff_role.id}",
        f"permissions missing: {listing(missing)}",
        f"all of {listing(need)}",
    )
    check(
        not extra,
        f"role {staff_role.id}",
        f"permissions it must not have: {listing(extra)}",
        "none of the functions it is refused",
    )


@when("the role's staff member logs in to the admin portal", target_fixture="login")
def _(admin_portal: WebPortal, scenario: Scenario, staff_role: StaffRole) -> PageOutcome:
    _, password = portal_login(scenario, admin_portal.config)
    outcome = admin_portal.login(staff_role.staff_user, password)
    attach_json(f"admin login as {staff_role.staff_user}", outcome.__dict__)
    check(
        outcome.ok,
        f"role {staff_role.id}",
        f"{staff_role.staff_user} could not log in: {outcome.shown!r}",
        "to be signed in",
    )
    return outcome


@then("the menu offers the role's functions and no other")
def _(admin_portal: WebPortal, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    _functions(upgrade_plan, staff_role)
    fns = upgrade_plan.functions
    home = admin_portal.config.pages.get("home")
    if home is not None:
        admin_portal.goto(home.path)
    absent = [f for f in staff_role.can if not admin_portal.has_link(fns[f].menu)]
    offered = [f for f in staff_role.cannot if admin_portal.has_link(fns[f].menu)]
    check(
        not absent,
        f"role {staff_role.id}",
        f"the menu lacks {listing(absent)}",
        "a menu entry for every function of the role",
    )
    check(
        not offered,
        f"role {staff_role.id}",
        f"the menu offers {listing(offered)}",
        "no entry for the functions the role is refused",
    )


@then("each of the role's functions opens and every other is refused")
def _(admin_portal: WebPortal, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    fns = upgrade_plan.functions
    seen = {f: admin_portal.visit(fns[f].path) for f in [*staff_role.can, *staff_role.cannot]}
    attach_json("pages opened", {f: {"status": s, "heading": h} for f, (s, h) in seen.items()})
    refused = [
        f"{f} ({s}: {h})"
        for f in staff_role.can
        for s, h in [seen[f]]
        if s != 200 or h != fns[f].menu
    ]
    opened = [f for f in staff_role.cannot if seen[f][0] == 200]
    check(
        not refused,
        f"role {staff_role.id}",
        f"refused or broken: {listing(refused)}",
        "every function of the role to open",
    )
    check(
        not opened,
        f"role {staff_role.id}",
        f"opened: {listing(opened)}",
        "the functions it is refused to be refused",
    )


def _attested(plan: UpgradePlan, item: str, features: list[str], what: str) -> None:
    attestation = plan.attestations.get(item)
    if attestation is None:  # pending, like every unattested manual item: not run
        pytest.skip(
            f"{item}: pending: no attestation recorded under upgrade.attestations.{item}"
            f" naming who {what} the features ({listing(features)}) and when"
        )
    attach_json(f"attestation {item}", attestation.model_dump(mode="json"))
    uncovered = set(features) - set(attestation.covers)
    check(
        not uncovered,
        item,
        f"pending: {attestation.by}'s attestation of {attestation.at:%Y-%m-%d %H:%M} does not"
        f" cover {listing(uncovered)}",
        f"every feature {what}",
    )


@then(parsers.parse('an attestation "{item}" covers every new feature of the release'))
def _(operations: BillingOps, upgrade_plan: UpgradePlan, item: str) -> None:
    release = operations.release()
    attach_json(f"release {release.version}", release.features)
    _attested(upgrade_plan, item, [f["name"] for f in release.features], "familiarized with")


@then(
    parsers.parse(
        'an attestation "{item}" covers every new feature of the release that needs practice'
    )
)
def _(operations: BillingOps, upgrade_plan: UpgradePlan, item: str) -> None:
    release = operations.release()
    attach_json(f"release {release.version}", release.features)
    needs = [f["name"] for f in release.features if f.get("practice")]
    _attested(upgrade_plan, item, needs, "practised")
