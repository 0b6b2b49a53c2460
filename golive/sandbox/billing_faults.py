"""The billing domain's behaviour faults (no data change: the code asks for them), as
objects the extensions and portal code reference (``inst.fault(TICKET_EDIT_LOST)``);
``billing.py`` lists them with its data faults. A module of their own: ``billing.py``
imports ``billing_ext.py`` and ``billing_portal.py``, which import these. (A data fault
the code also asks for, ``portal-stale-balance``, and the admin portal's ``ACCESS_FAULTS``
are still named by strings; ``Settings.fault_on`` refuses a name no fault has.)"""

from __future__ import annotations

from .common import Fault

TICKET_EDIT_LOST = Fault(
    "ticket-edit-lost",
    "UPG-05",
    "",
    "editing a ticket answers 200 but the change is not saved",
    shows="the edit was not saved",
)

CUSTOM_ACTION_ERROR = Fault(
    "custom-action-error",
    "UPG-11",
    "",
    "the custom action late-fee-waiver fails (built for the previous release)",
    shows="late-fee-waiver",
)

IMPORT_REJECTS_ROWS = Fault(
    "import-rejects-rows",
    "UPG-12",
    "",
    "the regular usage import rejects rows with decimal quantities",
    shows="3 rows rejected",
)

VOIP_PROVISIONING_FAILS = Fault(
    "voip-provisioning-fails",
    "UPG-01",
    "",
    "the voip-line provisioning workflow fails on the candidate (trunk group unknown)",
    shows="trunk group TG-7 unknown",
)

PORTAL_LOGIN_LANDS_ON_ERROR = Fault(
    "portal-login-lands-on-error",
    "UPG-04",
    "",
    "the customer portal's login lands on a dashboard that fails (error 500)",
    shows="error 500",
)

CONTACT_UPDATE_NOT_SAVED = Fault(
    "contact-update-not-saved",
    "UPG-09",
    "",
    "the portal's contact form saves a new email but not the changed phone number",
    # the number is unique to each run: the reason shows the prefix every run types
    shows="the portal saved '+1-555-777-",
)

PORTAL_PAYMENT_NOT_POSTED = Fault(
    "portal-payment-not-posted",
    "UPG-07",
    "",
    "the portal thanks the customer for a payment that never reaches billing",
    shows="billing has no such payment",
)

SIGNUP_WITHOUT_PACKAGE = Fault(
    "signup-without-package",
    "UPG-08",
    "",
    "portal signup creates the account but not its subscription",
    shows="subscriptions none",
)
