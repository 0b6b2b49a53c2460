"""The billing upgrade pack's part of a scenario (``packs.billing_upgrade``).

Everything the upgrade checks need that is a fact about the organisation, not about the
systems, lives here: the payment processors and the staff roles (the permission matrix)
the items run over, which instance is production and which the candidate, the accounts
reserved for changing checks, what must have been provisioned, how the web
portals are driven (locators, so a portal we did not write can be checked), and the
attestations people give for the manual items.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

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


class Login(_Model):
    """A staff member's own login to the admin portal: the user name (default: the role's
    ``staff_user``) and the password, a ``${ENV_VAR}`` reference (masked like every
    credential)."""

    username: Annotated[str, Field(min_length=1)] | None = None
    password: SecretStr


class StaffRole(_Model):
    """A staff role (subject of @each_role): the staff member who holds it and their own
    login to the admin portal, the functions (keys of ``functions``) it must reach and
    must not, and the further permissions (by name) it holds in billing. The matrix is
    exact: the role must hold the permissions of its ``can`` functions and its
    ``permissions``, and no other."""

    id: Annotated[str, Field(min_length=1)]
    staff_user: str
    login: Login | None = None
    can: list[str] = []
    cannot: list[str] = []
    permissions: list[str] = []

    @property
    def login_name(self) -> str:
        return self.login.username if self.login and self.login.username else self.staff_user


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


class Refusal(_Model):
    """What a refused page looks like. Any one of these means refused: an HTTP status in
    ``status``, ending on the portal's login page (``login_redirect``), or the element
    ``text`` on the page (a refusal that answers 200 with a message)."""

    status: list[Annotated[int, Field(ge=100, le=599)]] = [401, 403]
    login_redirect: bool = True
    text: Locator | None = None


class Function(_Model):
    """A staff function: the billing permission it needs, where the admin portal offers it
    (``path``, and the menu's link text, if the menu has one), what proves the page opened
    (``opens``: a heading, a text or a test id, never the menu's text by default), and,
    when it differs from the portal's, what a refusal of this page looks like."""

    permission: Annotated[str, Field(min_length=1)]
    path: Annotated[str, Field(pattern=r"^/")]
    opens: Locator
    menu: Annotated[str, Field(min_length=1)] | None = None
    refused: Refusal | None = None


class PortalPage(_Model):
    """A page of a portal: its path, the fields of its form (logical name -> locator), the
    submit button, the element that proves success, the element that says what went wrong
    (default: the portal's ``error``), and what it must show."""

    path: Annotated[str, Field(pattern=r"^/")]
    fields: dict[str, Locator] = {}
    submit: Locator | None = None
    success: Locator | None = None
    error: Locator | None = None
    shows: dict[str, Locator] = {}


LOGIN_FIELDS = ("username", "password")


class Portal(_Model):
    """A web portal driven in the browser: its system (base URL and login credentials),
    the login page (exactly the fields ``username`` and ``password``), its other pages by
    name, the element its pages say what went wrong in (``error``), what a refused page
    looks like (``refused``), the page whose menu is read (``menu_page``, default: where
    the login lands) and the menu's element (``menu``, default: the whole page), and the
    pages a signed-in user must open (``after_login``, each showing what it must)."""

    system: str
    login: PortalPage
    pages: dict[str, PortalPage] = {}
    error: Locator = Locator(role="alert")
    refused: Refusal = Refusal()
    menu_page: str | None = None
    menu: Locator | None = None
    after_login: list[str] = []

    @model_validator(mode="after")
    def _names_are_known(self, info: ValidationInfo) -> Portal:
        systems = (info.context or {}).get("systems")
        if systems is not None and self.system not in systems:
            raise _wrong(
                ("system",),
                f"expected one of the scenario's systems ({_known(systems)})",
                self.system,
            )
        if isinstance(systems, dict) and not set(LOGIN_FIELDS) <= systems[self.system]:
            has = ", ".join(sorted(systems[self.system])) or "none"
            raise _wrong(
                ("system",),
                f"the portal logs in with systems.{self.system}.credentials"
                f" {' and '.join(LOGIN_FIELDS)} (it has: {has})",
                self.system,
            )
        fields = sorted(self.login.fields)
        for name in LOGIN_FIELDS:
            if name not in self.login.fields:
                raise _wrong(
                    ("login", "fields"),
                    f"expected the login fields {' and '.join(LOGIN_FIELDS)} (missing: {name})",
                    fields,
                )
        for name in fields:
            if name not in LOGIN_FIELDS:
                raise _wrong(
                    ("login", "fields", name),
                    f"expected only the login fields {', '.join(LOGIN_FIELDS)}: the login"
                    f" fills no other (unknown field {name!r})",
                    fields,
                )
        if self.menu_page is not None and self.menu_page not in self.pages:
            raise _wrong(
                ("menu_page",), f"expected one of the pages ({_known(self.pages)})", self.menu_page
            )
        for i, name in enumerate(self.after_login):
            if name not in self.pages:
                raise _wrong(
                    ("after_login", i), f"expected one of the pages ({_known(self.pages)})", name
                )
            if not self.pages[name].shows:
                raise _wrong(
                    ("pages", name, "shows"),
                    f"expected at least one element: page {name!r} is listed under"
                    " after_login, which checks what it shows",
                    {},
                )
        return self


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def _wrong(loc: tuple[str | int, ...], message: str, given: object) -> ValidationError:
    """A validation error at ``loc`` (relative to the model raising it): the scenario's
    error then names that key and its line, not only the model's."""
    error = PydanticCustomError("name_unknown", message)
    return ValidationError.from_exception_data(
        "billing_upgrade", [InitErrorDetails(type=error, loc=loc, input=given)]
    )


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


# The customer portal's pages the portal items use (UPG-07..10), with what each must have:
# page -> (its form fields, the elements it shows, whether it needs a success marker)
CUSTOMER_PAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "account": ((), ("account", "name", "bill_date", "balance"), False),
    "contact": (("phone", "email"), (), True),
    "payment": (("amount",), (), True),
    "signup": (("name", "email", "plan"), (), True),
}


def _needs_pages(
    portal: Portal,
    needed: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]],
    at: tuple[str, ...],
) -> None:
    for page, (fields, shows, success) in needed.items():
        if page not in portal.pages:
            raise _wrong(
                (*at, "pages"),
                f"expected a page named {page!r} (the portal items use the pages"
                f" {', '.join(needed)}; configured: {_known(portal.pages)})",
                sorted(portal.pages),
            )
        spec = portal.pages[page]
        for key, wanted in (("fields", fields), ("shows", shows)):
            have = getattr(spec, key)
            lacking = [n for n in wanted if n not in have]
            if lacking:
                raise _wrong(
                    (*at, "pages", page, key),
                    f"expected {', '.join(wanted)} (missing: {', '.join(lacking)})",
                    sorted(have),
                )
        if success and spec.success is None:
            raise _wrong(
                (*at, "pages", page, "success"),
                "required key is missing: the element that proves the form was saved",
                {},
            )


class UpgradePlan(_Model):
    """The ``packs.billing_upgrade`` section of a scenario.

    - ``processors``: the payment processors (``@each_processor``)
    - ``roles``: the staff permission matrix (``@each_role``), exact, each role with its
      staff member's own admin-portal login
    - ``production``/``candidate``/``operations``: system names (Kill Bill API twice, and
      the operations adapter for what Kill Bill has no API for)
    - ``test_accounts``: accounts the changing checks use; left out of the comparisons
    - ``created_prefix``: the email prefix of accounts the signup check creates
    - ``strata``/``min_diverse``: what the diverse-accounts sample must cover, and its size
    - ``functions``: the staff functions of the permission matrix (``roles``): permission,
      path, menu link, what proves the page opened, what its refusal looks like
    - ``provisioning_account``: the account provisioning workflows and tickets run for
    - ``provisioned``: what each external system must hold
    - ``usage_accounts``, ``extensions``, ``import_file``/``import_kind``, ``signup_plan``
    - ``customer_portal``/``admin_portal``: how to drive the portals in the browser
      (docs/portal.md: what a portal must offer)
    - ``attestations``: the manual items, by checklist ID (missing: the item is pending)
    """

    processors: list[Processor] = []
    roles: list[StaffRole] = []
    production: str = "billing_production"
    candidate: str = "billing_candidate"
    operations: str = "billing_operations"
    # accounts the changing checks use (payments, portal, provisioning): not compared
    test_accounts: list[str] = []
    # accounts golive's signup check creates (UPG-08) have emails with this prefix
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

    def created(self, account: Any) -> bool:
        """An account a golive run's signup check made (this run's or an earlier one's):
        on the candidate only, after its bill run; the comparisons leave it out."""
        return str(account.email).startswith(self.created_prefix)

    @model_validator(mode="after")
    def _names_are_known(self, info: ValidationInfo) -> UpgradePlan:
        """Every name the plan uses is defined: the systems it names (a default name that
        is not configured makes the pack not applicable instead; a portal's own system is
        checked by ``Portal``), the functions of each role, each role's own admin login
        when there is an admin portal, and the customer portal's pages and fields that
        the portal items use. Each error names its key and the allowed values."""
        systems = (info.context or {}).get("systems")
        if systems is not None:
            for key in ("production", "candidate", "operations"):
                name = getattr(self, key)
                if key in self.model_fields_set and name not in systems:
                    raise _wrong(
                        (key,), f"expected one of the scenario's systems ({_known(systems)})", name
                    )
        first: dict[str, int] = {}
        for i, role in enumerate(self.roles):
            if role.id in first:
                raise _wrong(
                    ("roles", i, "id"),
                    f"expected a role not listed before: {role.id!r} is roles.{first[role.id]}"
                    " (each role is one subject of the staff-role items)",
                    role.id,
                )
            first[role.id] = i
            for kind in ("can", "cannot"):
                for j, name in enumerate(getattr(role, kind)):
                    if name not in self.functions:
                        raise _wrong(
                            ("roles", i, kind, j),
                            f"expected one of the functions defined under functions"
                            f" ({_known(self.functions)})",
                            name,
                        )
            both = sorted(set(role.can) & set(role.cannot))
            if both:
                raise _wrong(
                    ("roles", i, "cannot"),
                    f"expected none of the role's can functions: {', '.join(both)} cannot be"
                    " both reached and refused",
                    role.cannot,
                )
            if self.admin_portal is not None and role.login is None:
                raise _wrong(
                    ("roles", i),
                    f"expected login: {{username, password: ${{ENV_VAR}}}} for role {role.id!r}:"
                    " its staff member logs in to the admin portal with their own password",
                    {},
                )
        if self.customer_portal is not None:
            _needs_pages(self.customer_portal, CUSTOMER_PAGES, ("customer_portal",))
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
