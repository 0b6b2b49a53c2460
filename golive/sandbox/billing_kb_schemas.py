"""The request bodies of the Kill Bill operations the billing sandbox emulates.

As ``killbill-swagger-0.24.0.yaml`` defines them (``Account``, ``AccountEmail``,
``PaymentTransaction``, ``Subscription`` and what they nest): strict JSON types, UUID,
date and date-time formats, int32 ranges, enums and required fields. No field of these
definitions is nullable in the spec, so a JSON ``null`` is refused as the wrong type.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .api import INT32, UUID, check_date, check_date_time
from .storecove_schemas import Strict, one_of

CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYR BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GGP GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS IMP INR IQD IRR ISK JEP
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA
    MKD MMK MNT MOP MRO MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SPL SRD STD SVC SYP SZL THB
    TJS TMT TND TOP TRY TTD TVD TWD TZS UAH UGX USD UYU UZS VEF VND VUV WST XAF XCD XDR XOF XPF
    YER ZAR ZMW ZWD BTC""".split()  # noqa: SIM905
)


def _uuid(value: str) -> str:
    if not UUID.fullmatch(value):
        raise ValueError(f"{value!r} is not a UUID")
    return value


Uuid = Annotated[str, AfterValidator(_uuid)]
Date = Annotated[str, AfterValidator(check_date)]
DateTime = Annotated[str, AfterValidator(check_date_time)]
Int32 = Annotated[int, Field(ge=INT32[0], le=INT32[1])]
Currency = Annotated[str, AfterValidator(one_of(CURRENCIES, "an ISO 4217 currency"))]
BillingPeriod = Literal[
    "DAILY",
    "WEEKLY",
    "BIWEEKLY",
    "THIRTY_DAYS",
    "THIRTY_ONE_DAYS",
    "SIXTY_DAYS",
    "NINETY_DAYS",
    "MONTHLY",
    "BIMESTRIAL",
    "QUARTERLY",
    "TRIANNUAL",
    "BIANNUAL",
    "ANNUAL",
    "SESQUIENNIAL",
    "BIENNIAL",
    "TRIENNIAL",
    "NO_BILLING_PERIOD",
]
ObjectType = Literal[
    "ACCOUNT",
    "ACCOUNT_EMAIL",
    "BLOCKING_STATES",
    "BUNDLE",
    "CUSTOM_FIELD",
    "INVOICE",
    "PAYMENT",
    "TRANSACTION",
    "INVOICE_ITEM",
    "INVOICE_PAYMENT",
    "SUBSCRIPTION",
    "SUBSCRIPTION_EVENT",
    "SERVICE_BROADCAST",
    "PAYMENT_ATTEMPT",
    "PAYMENT_METHOD",
    "TAG",
    "TAG_DEFINITION",
    "TENANT",
    "TENANT_KVS",
]


class Entity(Strict):
    id: Uuid | None = None
    updatedDate: DateTime | None = None
    createdDate: DateTime | None = None


class AuditLog(Strict):
    changeType: str | None = None
    changeDate: DateTime | None = None
    objectType: ObjectType | None = None
    objectId: Uuid | None = None
    changedBy: str | None = None
    reasonCode: str | None = None
    comments: str | None = None
    userToken: str | None = None
    history: Entity | None = None


class Account(Strict):
    nullable = frozenset({"paymentMethodId"})  # tests/conformance/errata.py
    accountId: Uuid | None = None
    name: str | None = None
    firstNameLength: Int32 | None = None
    externalKey: str | None = None
    email: str | None = None
    billCycleDayLocal: Int32 | None = None
    currency: Currency | None = None
    parentAccountId: Uuid | None = None
    isPaymentDelegatedToParent: bool | None = None
    paymentMethodId: Uuid | None = None
    referenceTime: DateTime | None = None
    timeZone: str | None = None
    address1: str | None = None
    address2: str | None = None
    postalCode: str | None = None
    company: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    locale: str | None = None
    phone: str | None = None
    notes: str | None = None
    isMigrated: bool | None = None
    accountBalance: float | None = None
    accountCBA: float | None = None
    auditLogs: list[AuditLog] | None = None


class AccountEmail(Strict):
    accountId: Uuid | None = None
    email: str
    auditLogs: list[AuditLog] | None = None


class PluginProperty(Strict):
    key: str | None = None
    value: str | None = None
    isUpdatable: bool | None = None


class PaymentTransaction(Strict):
    nullable = frozenset({"gatewayErrorCode", "gatewayErrorMsg"})  # errata.py
    transactionId: Uuid | None = None
    transactionExternalKey: str | None = None
    paymentId: Uuid | None = None
    paymentExternalKey: str | None = None
    transactionType: (
        Literal["AUTHORIZE", "CAPTURE", "CHARGEBACK", "CREDIT", "PURCHASE", "REFUND", "VOID"] | None
    ) = None
    amount: float | None = None
    currency: Currency | None = None
    effectiveDate: DateTime | None = None
    processedAmount: float | None = None
    processedCurrency: Currency | None = None
    status: (
        Literal[
            "SUCCESS", "UNKNOWN", "PENDING", "PAYMENT_FAILURE", "PLUGIN_FAILURE",
            "PAYMENT_SYSTEM_OFF",
        ]
        | None
    ) = None  # fmt: skip
    gatewayErrorCode: str | None = None
    gatewayErrorMsg: str | None = None
    firstPaymentReferenceId: str | None = None
    secondPaymentReferenceId: str | None = None
    properties: list[PluginProperty] | None = None
    auditLogs: list[AuditLog] | None = None


class BlockPrice(Strict):
    unitName: str | None = None
    size: float | None = None
    price: float | None = None
    max: float | None = None


class TierPrice(Strict):
    blockPrices: list[BlockPrice] | None = None


class UsagePrice(Strict):
    usageName: str | None = None
    usageType: Literal["CAPACITY", "CONSUMABLE"] | None = None
    billingMode: Literal["IN_ADVANCE", "IN_ARREAR"] | None = None
    tierBlockPolicy: Literal["ALL_TIERS", "TOP_TIER"] | None = None
    tierPrices: list[TierPrice] | None = None


class PhasePrice(Strict):
    planName: str | None = None
    phaseName: str | None = None
    phaseType: str | None = None
    fixedPrice: float | None = None
    recurringPrice: float | None = None
    usagePrices: list[UsagePrice] | None = None


class EventSubscription(Strict):
    eventId: Uuid | None = None
    billingPeriod: BillingPeriod | None = None
    effectiveDate: DateTime | None = None
    catalogEffectiveDate: DateTime | None = None
    plan: str | None = None
    product: str | None = None
    priceList: str | None = None
    eventType: (
        Literal[
            "START_ENTITLEMENT", "START_BILLING", "PAUSE_ENTITLEMENT", "PAUSE_BILLING",
            "RESUME_ENTITLEMENT", "RESUME_BILLING", "PHASE", "CHANGE", "STOP_ENTITLEMENT",
            "STOP_BILLING", "SERVICE_STATE_CHANGE",
        ]
        | None
    ) = None  # fmt: skip
    isBlockedBilling: bool | None = None
    isBlockedEntitlement: bool | None = None
    serviceName: str | None = None
    serviceStateName: str | None = None
    phase: str | None = None
    auditLogs: list[AuditLog] | None = None


class Subscription(Strict):
    accountId: Uuid | None = None
    bundleId: Uuid | None = None
    bundleExternalKey: str | None = None
    subscriptionId: Uuid | None = None
    externalKey: str | None = None
    startDate: DateTime | None = None
    productName: str
    productCategory: Literal["BASE", "ADD_ON", "STANDALONE"] | None = None
    billingPeriod: BillingPeriod
    phaseType: Literal["TRIAL", "DISCOUNT", "FIXEDTERM", "EVERGREEN"] | None = None
    priceList: str
    planName: str
    state: Literal["PENDING", "ACTIVE", "BLOCKED", "CANCELLED", "EXPIRED"] | None = None
    sourceType: Literal["NATIVE", "MIGRATED", "TRANSFERRED"] | None = None
    cancelledDate: DateTime | None = None
    chargedThroughDate: Date | None = None
    billingStartDate: DateTime | None = None
    billingEndDate: DateTime | None = None
    billCycleDayLocal: Int32 | None = None
    quantity: Int32 | None = None
    events: list[EventSubscription] | None = None
    priceOverrides: list[PhasePrice] | None = None
    prices: list[PhasePrice] | None = None
    auditLogs: list[AuditLog] | None = None
