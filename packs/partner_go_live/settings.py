"""The partner go-live pack's part of a scenario (``packs.partner_go_live``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Partner(BaseModel):
    """A trading partner going live (subject of ``@each_partner``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1)]
    business_rep: str | None = None
    notification_emails: Annotated[list[str], Field(min_length=1)]


class PartnerGoLive(BaseModel):
    """``internal_domains``: the organisation's own mail domains (the Move to Production
    email keeps only these recipients); ``partners``: the partners going live."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    internal_domains: Annotated[list[str], Field(min_length=1)]
    partners: Annotated[list[Partner], Field(min_length=1)]
