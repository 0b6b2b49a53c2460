"""The request bodies of the Storecove operations the sandbox emulates, as pydantic models.

Each model states what ``storecove-openapi-2.0.1.json`` says of that body (components
``LegalEntityCreate``, ``LegalEntityUpdate``, ``PeppolIdentifierCreate``,
``DiscoverableParticipant``, ``DocumentSubmission``): JSON types (strict: ``"1"`` is not an
integer, ``1`` is not a string, ``null`` is no value of a field that is not nullable),
lengths, enums, patterns and required fields. Where the sandbox reads only part of a large
body (a submission's invoice), the parts it reads are checked and the rest is accepted as
the object the spec says it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

# ISO 3166-1 alpha-2 as the spec's ``Country`` enum lists it (with XI, Northern Ireland)
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS XI YE YT ZA ZM ZW""".split()  # noqa: SIM905
)
# the Italian provinces of ``Rea.province``
PROVINCES = frozenset(
    """AG AL AN AO AQ AR AP AT AV BA BT BL BN BG BI BO BZ BS BR CA CL CB CI CE CT CZ CH CO CS
    CR KR CN EN FM FE FI FG FC FR GE GO GR IM IS SP LT LE LC LI LO LU MC MN MS MT VS ME MI MO
    MB NA NO NU OG OT OR PD PA PR PV PG PU PE PC PI PT PN PZ PO RG RA RC RE RI RN RO SA SS SV
    SI SR SO TA TE TR TO TP TN TV TS UD VA VE VB VC VR VV VI VT""".split()  # noqa: SIM905
)


def one_of(allowed: frozenset[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


Date = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
FileName = Annotated[
    str, StringConstraints(pattern=r"^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?\.[a-zA-Z0-9_-]+$")
]
Str0_1024 = Annotated[str, StringConstraints(min_length=0, max_length=1024)]
Str0_192 = Annotated[str, StringConstraints(min_length=0, max_length=192)]
Str0_64 = Annotated[str, StringConstraints(min_length=0, max_length=64)]
Str11_255 = Annotated[str, StringConstraints(min_length=11, max_length=255)]
Str2_128 = Annotated[str, StringConstraints(min_length=2, max_length=128)]
Str1 = Annotated[str, StringConstraints(min_length=1)]
Str2_192 = Annotated[str, StringConstraints(min_length=2, max_length=192)]
Str2_20 = Annotated[str, StringConstraints(min_length=2, max_length=20)]
Str2_32 = Annotated[str, StringConstraints(min_length=2, max_length=32)]
Str2_64 = Annotated[str, StringConstraints(min_length=2, max_length=64)]
Str3 = Annotated[str, StringConstraints(min_length=3)]
Str36_36 = Annotated[str, StringConstraints(min_length=36, max_length=36)]
Str5 = Annotated[str, StringConstraints(min_length=5)]
Country = Annotated[str, AfterValidator(one_of(COUNTRIES, "an ISO 3166-1 alpha-2 country"))]
Province = Annotated[str, AfterValidator(one_of(PROVINCES, "an Italian province code"))]
Advertisement = Literal["invoice", "invoice_response", "order", "ordering", "order_response"]
DocumentType = Literal[
    "invoice", "creditnote", "invoice_response", "order", "ordering", "order_response"
]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class Strict(BaseModel):
    """JSON types as the spec says; unknown properties allowed (no additionalProperties).

    An optional field is ``T | None`` in Python only: the spec makes none of them nullable,
    so a JSON ``null`` given for one is refused (a field left out stays ``None``)."""

    # built on first use, not at import: a run that sends no body to an emulated API
    # (most do not) saves 15 ms of every sandbox's start
    model_config = ConfigDict(strict=True, extra="allow", defer_build=True)
    nullable: ClassVar[frozenset[str]] = frozenset()  # fields the product takes as null

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls.model_fields and key not in cls.nullable:
                    raise ValueError(f"{key} is null, which the spec does not allow")
        return data


class Rea(Strict):
    capital: float | None = None
    identifier: Str2_20 | None = None
    liquidation_status: Literal["LN", "LS"] | None = None
    partners: Literal["SU", "SM"] | None = None
    province: Province | None = None


class LegalEntityUpdate(Strict):
    advertisements: list[Advertisement] | None = None
    city: Str2_64 | None = None
    country: Country | None = None
    county: Str0_64 | None = None
    id: Int64 | None = None
    line1: Str2_192 | None = None
    line2: Str0_192 | None = None
    party_name: Str2_64 | None = None
    public: bool | None = None
    rea: Rea | None = None
    smart_inbox: str | None = None
    tenant_id: Str0_64 | None = None
    third_party_password: Str2_64 | None = None
    third_party_username: Str2_64 | None = None
    zip: Str2_32 | None = None


class LegalEntityCreate(Strict):
    advertisements: list[Advertisement] | None = None
    city: Str2_64
    country: Country
    county: Str0_64 | None = None
    line1: Str2_192
    line2: Str0_192 | None = None
    party_name: Str2_64
    public: bool | None = None
    rea: Rea | None = None
    tenant_id: Str0_64 | None = None
    third_party_password: Str2_64 | None = None
    third_party_username: Str2_64 | None = None
    zip: Str2_32


class CorpPassCreate(Strict):
    client_redirect_fail_url: Str11_255 | None = None
    client_redirect_success_url: Str11_255 | None = None
    enabled: bool | None = None
    flow_type: Literal["corppass_flow_redirect", "corppass_flow_email"]
    signer_email: Str2_128 | None = None
    signer_name: Str2_64 | None = None
    simulate_corppass: bool | None = None


class PeppolIdentifierCreate(Strict):
    corppass: CorpPassCreate | None = None
    identifier: Str2_64
    scheme: Str2_64
    superscheme: Str2_64


class DiscoverableParticipant(Strict):
    documentTypes: list[DocumentType] | None = None
    identifier: Str1
    metaScheme: Str3 | None = None
    network: Str3 | None = None
    scheme: Str3


class RoutingIdentifier(Strict):
    id: Str1 | None = None
    scheme: Str3 | None = None


class Routing(Strict):
    clearWithoutSending: bool | None = None
    eIdentifiers: list[RoutingIdentifier] | None = None
    emails: list[str] | None = None


class Attachment(Strict):
    description: Str0_1024 | None = None
    document: Str5 | None = None
    documentId: Str0_64 | None = None
    filename: FileName | None = None


class Invoice(Strict):
    """The parts of ``Invoice`` the sandbox reads; the rest passes as given."""

    invoiceNumber: Str1
    issueDate: Date
    accountingCustomerParty: dict[str, Any]
    invoiceLines: Annotated[list[dict[str, Any]], Field(min_length=1)]
    amountIncludingVat: float
    taxSystem: Literal["tax_line_amounts", "tax_line_percentages"] | None = None


class SendableDocument(Strict):
    documentType: Literal["invoice", "invoice_response", "order"]
    invoice: Invoice | None = None
    invoiceResponse: dict[str, Any] | None = None
    order: dict[str, Any] | None = None
    rawDocumentData: dict[str, Any] | None = None


class DocumentSubmission(Strict):
    attachments: Annotated[list[Attachment], Field(max_length=10)] | None = None
    createPrimaryImage: bool | None = None
    document: SendableDocument | None = None
    idempotencyGuid: Str36_36 | None = None
    legalEntityId: int | None = None
    receiveGuid: str | None = None
    routing: Routing | None = None
