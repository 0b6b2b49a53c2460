"""The staff permission matrix, judged exactly (UPG-18): what a role must hold in billing
is the permission of each function it can reach and its further ``permissions``; anything
else it holds is beyond the matrix, and named (with the refused function it opens)."""

from __future__ import annotations

from collections.abc import Iterable

from golive.checks import listing

from .settings import StaffRole, UpgradePlan


def matrix(plan: UpgradePlan, role: StaffRole) -> tuple[set[str], dict[str, str]]:
    """The permissions the matrix gives a role, and those of the functions it is refused
    (permission -> function) that it must therefore not hold."""
    fns = plan.functions
    need = {fns[f].permission for f in role.can} | set(role.permissions)
    refused = {fns[f].permission: f for f in role.cannot if fns[f].permission not in need}
    return need, refused


def wrong_permissions(plan: UpgradePlan, role: StaffRole, granted: Iterable[str]) -> list[str]:
    """What differs between the permissions a role holds and the matrix: the missing ones,
    and the ones beyond it (empty: the role holds exactly the matrix)."""
    need, refused = matrix(plan, role)
    held = set(granted)
    missing = need - held
    extra = [p + (f" (opens {refused[p]})" if p in refused else "") for p in held - need]
    problems = []
    if missing:
        problems.append(f"permissions missing: {listing(missing)}")
    if extra:
        problems.append(f"permissions beyond the matrix: {listing(extra)}")
    return problems
