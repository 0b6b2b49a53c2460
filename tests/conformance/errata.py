"""Where the published specs are wrong about the real products: the one allow-list.

The sandbox is fuzzed (tests/conformance/test_schemathesis.py) against
``storecove-openapi-2.0.1.json`` and ``killbill-swagger-0.24.0.yaml`` as published, with
these corrections applied first. Each entry says what the real product does that its spec
does not say, and why the sandbox follows the product. Nothing else is tolerated: a
check that fails outside this list fails the test.

Four kinds of entry:

- :class:`Status`: a status code the product answers that the operation does not
  document (Swagger 2.0 Kill Bill lists no 401 anywhere, and no 400 on several reads
  whose parameters can still be malformed).
- :class:`Nullable`: a response field the product sends as JSON ``null`` (Swagger 2.0
  cannot say so; Kill Bill's Jackson writes absent values as ``null``).
- :class:`ObjectOnly`: a request body schema without ``type: object``, which JSON Schema
  then lets be ``null``, a number or a list; the product reads a JSON object only.
- :class:`Refusal`: a schema-valid request that the product refuses on a business rule
  the schema cannot express (an unknown legal entity, a plan not in the catalog); the
  fuzzer's *positive data acceptance* check is told that status is an answer, not a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Status:
    spec: str
    operation_id: str
    status: int
    reason: str


@dataclass(frozen=True)
class Nullable:
    spec: str
    schema: str  # the definition / component schema
    field: str
    reason: str


@dataclass(frozen=True)
class ObjectOnly:
    spec: str
    schema: str
    reason: str


@dataclass(frozen=True)
class Refusal:
    spec: str
    operation_id: str
    statuses: tuple[int, ...]
    reason: str


KB = "killbill"
SC = "storecove"

KB_AUTH = "Kill Bill answers 401 to a request without valid basic auth and tenant keys; the spec declares the security schemes but documents no 401"  # noqa: E501
KB_READS = [
    "getAccountByKey",
    "getAccounts",
    "getAccount",
    "getEmails",
    "getAccountBundles",
    "getInvoicesForAccount",
    "getPaymentMethodsForAccount",
    "getPaymentsForAccount",
    "getPayment",
    "getAccountAuditLogs",
    "getCatalogJson",
    "getRoleDefinition",
    "getUserRoles",
    "getCurrentUserPermissions",
]
KB_WRITES = ["createAccount", "updateAccount", "addEmail", "processPayment", "createSubscription"]

SC_OBJECT = "Storecove reads the body as a JSON object and answers 422 to anything else; the schema omits type: object"  # noqa: E501
Erratum = Status | Nullable | ObjectOnly | Refusal

ERRATA: tuple[Erratum, ...] = (
    *(
        ObjectOnly(SC, schema, SC_OBJECT)
        for schema in (
            "LegalEntityCreate",
            "LegalEntityUpdate",
            "PeppolIdentifierCreate",
            "CorpPassCreate",
            "Rea",
        )
    ),
    *(Status(KB, op, 401, KB_AUTH) for op in (*KB_READS, *KB_WRITES)),
    Status(
        KB,
        "getAccounts",
        400,
        "an offset or limit that is not a 64-bit integer is refused with 400 (Jersey cannot"
        " read it as a long); the spec documents only 200",
    ),
    Status(
        KB,
        "getAccountByKey",
        400,
        "a missing externalKey or a malformed boolean flag is refused with 400",
    ),
    Status(KB, "getCatalogJson", 400, "a requestedDate or accountId that does not parse: 400"),
    Status(
        KB,
        "createSubscription",
        400,
        "a malformed body, a missing required field or a plan not in the catalog: 400"
        " (Kill Bill's SubscriptionApiException/IllegalArgumentException mapping)",
    ),
    Status(
        KB,
        "createSubscription",
        404,
        "a subscription for an account that does not exist: 404 (ACCOUNT_DOES_NOT_EXIST)",
    ),
    Status(
        KB,
        "createAccount",
        409,
        "an externalKey another account has: 409 (ACCOUNT_ALREADY_EXISTS)",
    ),
    Status(
        KB,
        "updateAccount",
        404,
        "updating an account that does not exist: 404 (ACCOUNT_DOES_NOT_EXIST_FOR_ID)",
    ),
    Status(
        KB,
        "getPaymentsForAccount",
        404,
        "the payments of an account that does not exist: 404 (ACCOUNT_DOES_NOT_EXIST_FOR_ID)",
    ),
    Status(
        KB,
        "getEmails",
        404,
        "the emails of an account that does not exist: 404 (ACCOUNT_DOES_NOT_EXIST_FOR_ID)",
    ),
    Nullable(
        KB,
        "Account",
        "paymentMethodId",
        "an account without a default payment method (every new one) has null",
    ),
    Nullable(KB, "UserRoles", "password", "Kill Bill never returns a password: it sends null"),
    Nullable(
        KB,
        "PaymentTransaction",
        "gatewayErrorCode",
        "a successful transaction has no gateway error: null",
    ),
    Nullable(
        KB,
        "PaymentTransaction",
        "gatewayErrorMsg",
        "a successful transaction has no gateway error: null",
    ),
    Nullable(
        KB,
        "PaymentMethod",
        "pluginInfo",
        "without withPluginInfo=true the plugin's details are not fetched: null",
    ),
    Refusal(
        KB,
        "processPayment",
        (400, 402, 502),
        "a payment is refused on rules the schema cannot state (only PURCHASE; the method must"
        " be the account's), declined by the processor (402) or the processor is down (502)",
    ),
    Refusal(KB, "createSubscription", (400,), "the plan must be in the catalog"),
    Refusal(
        KB,
        "addEmail",
        (400,),
        "the email must not already be on the account (Kill Bill's unique key)",
    ),
    Refusal(
        SC,
        "create_document_submission",
        (422,),
        "a submission needs a known, validated sender and a receiver reachable on Peppol:"
        " Storecove answers 422 otherwise",
    ),
    Refusal(
        SC,
        "create_peppol_identifier",
        (422,),
        "an identifier already registered to a legal entity is refused with 422",
    ),
)


def for_spec(spec: str) -> list[Erratum]:
    return [e for e in ERRATA if e.spec == spec]


def apply(spec_name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with this list's corrections (a new dict; the published one is unchanged)."""
    import copy

    fixed = copy.deepcopy(spec)
    ops = {
        op["operationId"]: op
        for item in fixed["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    swagger = "swagger" in fixed
    schemas = fixed["definitions"] if swagger else fixed["components"]["schemas"]
    for e in for_spec(spec_name):
        if isinstance(e, Status):
            ops[e.operation_id]["responses"].setdefault(str(e.status), {"description": e.reason})
        elif isinstance(e, Nullable):
            prop = schemas[e.schema]["properties"][e.field]
            prop["x-nullable" if swagger else "nullable"] = True
        elif isinstance(e, ObjectOnly):
            schemas[e.schema]["type"] = "object"
    return fixed


def schemathesis_config(spec_name: str) -> str:
    """schemathesis.toml: the Refusal entries as per-operation expected statuses."""
    lines = []
    for e in for_spec(spec_name):
        if isinstance(e, Refusal):
            statuses = ", ".join(f'"{s}"' for s in ("2xx", "401", "403", "404", *e.statuses))
            lines += [
                "[[operations]]",
                f'include-operation-id = "{e.operation_id}"',
                "[operations.checks.positive_data_acceptance]",
                f"expected-statuses = [{statuses}]",
                "",
            ]
    return "\n".join(lines)
