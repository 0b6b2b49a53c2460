"""The billing upgrade pack's part of a scenario (``packs.billing_upgrade``).

Everything the upgrade checks need that is a fact about the organisation, not about the
systems, lives here: the payment processors and the staff roles (the permission matrix)
the items run over, which instance is production and which the candidate, the accounts
reserved for changing checks, what must have been provisioned, how the web
portals are driven (locators, so a portal we did not write can be checked), and the
attestations people give for the manual items.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from .billrun.settings import BillRun


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Processor(_Model):
    """A payment processor (subject of @each_processor): a test account and two of its
    payment methods (external keys), one the processor approves, one it declines."""

    id: Annotated[str, Field(min_length=1)]
    plugin: str
    account: str
    approve: str
    decline: str
    amount: Annotated[float, Field(gt=0)] = 1.0


class StaffRole(_Model):
    """A staff role (subject of @each_role): the staff login that holds it, the functions
    (keys of ``upgrade.functions``) it must reach and must not, and further permissions
    (by name) the role must hold in billing."""

    id: Annotated[str, Field(min_length=1)]
    staff_user: str
    can: list[str] = []
    cannot: list[str] = []
    permissions: list[str] = []


class Function(_Model):
    """A staff function: the billing permission it needs, and where the admin portal
    offers it (menu link text and path)."""

    permission: str
    menu: str
    path: str


class Locator(_Model):
    """How to find one element: by label, by role and name, by test id, or by text."""

    label: str | None = None
    role: str | None = None
    name: str | None = None
    test_id: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Locator:
        if sum(v is not None for v in (self.label, self.role, self.test_id, self.text)) != 1:
            raise ValueError("expected exactly one of label, role (with name), test_id, text")
        return self


class PortalPage(_Model):
    """A page of a portal: its path, the fields of its form (logical name -> locator), the
    submit button, the element that proves success, and what it must show."""

    path: str
    fields: dict[str, Locator] = {}
    submit: Locator | None = None
    success: Locator | None = None
    shows: dict[str, Locator] = {}


class Portal(_Model):
    """A web portal driven in the browser: its system (base URL and login credentials),
    the login page (fields ``username`` and ``password``) and its other pages by name."""

    system: str
    login: PortalPage
    pages: dict[str, PortalPage] = {}


class Provisioned(_Model):
    """Something an external system must hold after provisioning."""

    system: str
    account: str
    kind: str
    value: str


class Attestation(_Model):
    """A person's statement that a manual item was done, and which features it covered."""

    by: Annotated[str, Field(min_length=1)]
    at: datetime
    covers: list[str] = []


class Reconciliation(_Model):
    page_size: Annotated[int, Field(ge=1, le=10000)] = 100
    show_first: Annotated[int, Field(ge=1)] = 10
    tolerance: Annotated[float, Field(ge=0)] = 0.0


class UpgradePlan(_Model):
    """The ``packs.billing_upgrade`` section of a scenario.

    - ``processors``: the payment processors (``@each_processor``)
    - ``roles``: the staff permission matrix (``@each_role``)
    - ``production``/``candidate``/``operations``: system names (Kill Bill API twice, and
      the operations adapter for what Kill Bill has no API for)
    - ``test_accounts``: accounts the changing checks use; left out of the comparisons
    - ``created_prefix``: the email prefix of accounts the signup check creates
    - ``strata``/``min_diverse``: what the diverse-accounts sample must cover, and its size
    - ``functions``: the staff functions of the permission matrix (``roles``)
    - ``provisioning_account``: the account provisioning workflows and tickets run for
    - ``provisioned``: what each external system must hold
    - ``usage_accounts``, ``extensions``, ``import_file``/``import_kind``, ``signup_plan``
    - ``customer_portal``/``admin_portal``: how to drive the portals in the browser
    - ``attestations``: the manual items, by checklist ID (missing: the item is pending)
    """

    processors: list[Processor] = []
    roles: list[StaffRole] = []
    production: str = "billing_production"
    candidate: str = "billing_candidate"
    operations: str = "billing_operations"
    # accounts the changing checks use (payments, portal, provisioning): not compared
    test_accounts: list[str] = []
    # accounts created by this run (portal signup) have external keys with this prefix
    created_prefix: str = "verify-"
    strata: Annotated[list[str], Field(min_length=1)] = [
        "package",
        "payment_method",
        "status",
        "balance_sign",
        "discount",
        "tax_region",
    ]
    min_diverse: Annotated[int, Field(ge=1)] = 10
    reconciliation: Reconciliation = Reconciliation()
    # UPG-17 and UPG-22: the bill-run reconciliation (docs/billrun.md)
    bill_run: BillRun = BillRun()
    functions: dict[str, Function] = {}
    provisioning_account: str = ""
    provisioned: list[Provisioned] = []
    usage_accounts: list[str] = []
    extensions: list[str] = []
    import_file: Path | None = None
    import_kind: str = "usage"
    signup_plan: str = ""
    customer_portal: Portal | None = None
    admin_portal: Portal | None = None
    attestations: dict[str, Attestation] = {}

    @model_validator(mode="after")
    def _names_are_known(self, info: ValidationInfo) -> UpgradePlan:
        """A system named here must be configured (a default name that is not configured
        makes the pack not applicable instead); a role's functions must be defined."""
        systems = (info.context or {}).get("systems")
        if systems is not None:
            named = {k: getattr(self, k) for k in ("production", "candidate", "operations")}
            named.update(
                {
                    f"{k}.system": p.system
                    for k in ("customer_portal", "admin_portal")
                    if (p := getattr(self, k)) is not None
                }
            )
            for key, name in named.items():
                explicit = key.split(".")[0] in self.model_fields_set
                if explicit and name not in systems:
                    raise ValueError(
                        f"{key}: no system {name!r} in the scenario's systems"
                        f" (configured: {', '.join(sorted(systems)) or 'none'})"
                    )
        for role in self.roles:
            unknown = [f for f in (*role.can, *role.cannot) if f not in self.functions]
            if unknown:
                raise ValueError(
                    f"role {role.id!r}: no function {', '.join(map(repr, unknown))} under"
                    f" functions (defined: {', '.join(sorted(self.functions)) or 'none'})"
                )
        return self

    def system_roles(self) -> dict[str, str]:
        """The pack's system roles -> the scenario system names this plan uses."""
        names = {
            "production": self.production,
            "candidate": self.candidate,
            "operations": self.operations,
        }
        for key in ("customer_portal", "admin_portal"):
            portal = getattr(self, key)
            if portal is not None:
                names[key] = portal.system
        return names
