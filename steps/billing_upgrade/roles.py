"""Steps of the upgrade checklist's staff-role items (features/billing_upgrade/staff_roles.feature)
and its manual items (features/billing_upgrade/new_features.feature).

Roles: the scenario's permission matrix (``packs.billing_upgrade.roles`` over its
``functions``) is checked exactly in billing's security API, and in the admin portal as the
role's staff member sees it, logged in with their own credentials (``roles[].login``).

Manual items: an attestation in the scenario (who, when, which features) must cover the
candidate's release notes. A missing or incomplete one fails with a reason starting
"pending": the item cannot pass, so the verdict cannot be GO unless it is waived.
"""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, then, when

from golive.checks import check, fail, listing
from golive.evidence import attach_json
from packs.billing_upgrade.billing_ops import BillingOps
from packs.billing_upgrade.killbill import Billing
from packs.billing_upgrade.matrix import matrix, wrong_permissions
from packs.billing_upgrade.portal import PageOutcome, WebPortal
from packs.billing_upgrade.settings import StaffRole, UpgradePlan


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


@then("the role's permissions in billing are exactly those of the matrix")
def _(candidate: Billing, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    granted = candidate.role_permissions(staff_role.id)
    attach_json(f"permissions of {staff_role.id}", granted)
    if granted is None:
        fail(f"role {staff_role.id}", "the role does not exist on the candidate", "the role")
    problems = wrong_permissions(upgrade_plan, staff_role, granted)
    check(
        not problems,
        f"role {staff_role.id}",
        "; ".join(problems),
        f"exactly {listing(matrix(upgrade_plan, staff_role)[0])}",
    )


@when("the role's staff member logs in to the admin portal", target_fixture="login")
def _(admin_portal: WebPortal, staff_role: StaffRole) -> PageOutcome:
    if staff_role.login is None:  # refused when the scenario loads; kept for a bare model
        fail(f"role {staff_role.id}", "no login configured", "roles[].login in the scenario")
    user = staff_role.login_name
    outcome = admin_portal.login(user, staff_role.login.password.get_secret_value())
    attach_json(f"admin login as {user}", outcome.__dict__)
    check(
        outcome.ok,
        f"role {staff_role.id}",
        f"{user} could not log in: {outcome.shown!r}",
        "to be signed in",
    )
    return outcome


@then("the menu offers the role's functions and no other")
def _(admin_portal: WebPortal, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    fns = upgrade_plan.functions
    links = admin_portal.menu()
    attach_json("menu", links)
    if links is None:
        fail(f"role {staff_role.id}", "no menu on the page", "the admin portal's menu")
    absent = [f for f in staff_role.can if fns[f].menu is not None and fns[f].menu not in links]
    offered = [f for f in staff_role.cannot if fns[f].menu is not None and fns[f].menu in links]
    problems = [f"the menu lacks {listing(absent)}"] if absent else []
    problems += [f"the menu offers {listing(offered)}"] if offered else []
    check(
        not problems,
        f"role {staff_role.id}",
        "; ".join(problems),
        "a menu entry for every function of the role and none for those it is refused",
    )


@then("each of the role's functions opens and every other is refused")
def _(admin_portal: WebPortal, staff_role: StaffRole, upgrade_plan: UpgradePlan) -> None:
    fns = upgrade_plan.functions
    seen = {
        f: admin_portal.open_function(fns[f].path, fns[f].opens, fns[f].refused)
        for f in [*staff_role.can, *staff_role.cannot]
    }
    attach_json("pages opened", {f: {**v.__dict__, "outcome": v.outcome} for f, v in seen.items()})
    problems = [
        f"{f} {v.outcome if v.refused else 'did not open'} ({v.describe()})"
        for f in staff_role.can
        if (v := seen[f]).outcome != "opened"
    ]
    problems += [
        f"{f} {'opened' if v.opened else 'was not refused'} ({v.describe()})"
        for f in staff_role.cannot
        if (v := seen[f]).outcome != "refused"
    ]
    check(
        not problems,
        f"role {staff_role.id}",
        "; ".join(problems),
        "every function of the role to open and every other to be refused",
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
