"""The __PACK__ pack's part of a scenario (``packs.__PACK__``): the facts its checks need,
validated when the scenario is loaded, before anything is contacted."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expected_version: Annotated[str, Field(min_length=1)]
