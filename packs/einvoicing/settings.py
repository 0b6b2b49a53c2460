"""The e-invoicing readiness pack's part of a scenario (``packs.einvoicing``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeppolParticipant(_Model):
    """A Peppol participant, as Storecove's discovery names it (scheme ``NL:KVK``...)."""

    scheme: Annotated[str, Field(min_length=3)]
    identifier: Annotated[str, Field(min_length=1)]


class ApiUserLogin(_Model):
    """The hub (Connect) API user an Enterprise customer needs; password as ${ENV_VAR}."""

    username: Annotated[str, Field(min_length=1)]
    password: SecretStr


Edition = Literal["Enterprise", "Elite"]


class EInvoicingCustomer(_Model):
    """A customer onboarding e-invoicing (subject of ``@each_einvoicing_customer``).

    ``legal_entity_id`` is the provider's (Storecove's) id. ``test_receiver`` is where the
    end-to-end test invoice goes (default: the legal entity's own Peppol identifier).
    ``provider_webhook_url`` states the provider-side push URL for providers whose API
    cannot show it (Storecove sets it in its UI); the sandbox shows it, so it stays unset.
    """

    id: Annotated[str, Field(min_length=1)]
    edition: Edition
    legal_entity_id: int
    api_user: ApiUserLogin | None = None
    test_receiver: PeppolParticipant | None = None
    provider_webhook_url: str | None = None

    @model_validator(mode="after")
    def _enterprise_has_api_user(self) -> EInvoicingCustomer:
        if self.edition == "Enterprise" and self.api_user is None:
            raise ValueError("an Enterprise customer needs api_user (the hub's API user)")
        return self


class EInvoicing(_Model):
    """What the e-invoicing checklist expects of the process.

    ``customers``: who is onboarding. ``articles``: per edition, the knowledge-base
    article the approval email must link (its title or URL). ``support_ops``: who gets the
    form-completed email.
    """

    customers: Annotated[list[EInvoicingCustomer], Field(min_length=1)]
    support_ops: Annotated[list[str], Field(min_length=1)]
    articles: dict[Edition, str]
    webhook_deadline: Annotated[float, Field(gt=0, le=600)] = 20.0
    validation_hours: Annotated[float, Field(gt=0)] = 48.0
