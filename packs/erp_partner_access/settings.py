"""The ERP partner access pack's part of a scenario (``packs.erp_partner_access``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Permission = Literal[
    "manage_api_credentials",
    "resend_messages",
    "take_over_onboarding_tasks",
    "view_message_content",
    "respond_to_tickets",
    "explore_errors",
    "handle_messages",
    "manage_connector_settings",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErpUser(_Model):
    """One ERP partner (customiser) user in a customer's access plan.

    ``prod_access`` says when the user may have PROD access: ``during_onboarding``,
    ``after_onboarding`` (TEST first, the seed's best practice) or ``never``;
    ``after_onboarding`` says whether the access is revoked or kept once the onboarding is
    complete. Access ends at most ``max_days`` after it starts unless ``permanent``.
    ``password`` is the user's own login (a ``${ENV_VAR}``), used in the browser and for
    the user's own API calls; it is masked everywhere like every other credential.
    """

    username: Annotated[str, Field(min_length=1)]
    partner: Annotated[str, Field(min_length=1)]
    password: SecretStr | None = None
    permissions: list[Permission]
    permanent: bool = False
    max_days: Annotated[int, Field(ge=1)] = 90
    prod_access: Literal["during_onboarding", "after_onboarding", "never"] = "after_onboarding"
    after_onboarding: Literal["revoke", "keep"] = "revoke"
    sub_companies: list[str] = []


class ErpCustomer(_Model):
    """A customer whose EDI monitor ERP partner users get into: the access plan
    (subject of ``@each_erp_customer``). ``phase``: ``onboarding`` or ``complete``."""

    id: Annotated[str, Field(min_length=1)]
    phase: Literal["onboarding", "complete"]
    users: list[ErpUser]


class ErpPartnerAccess(_Model):
    customers: Annotated[list[ErpCustomer], Field(min_length=1)]
