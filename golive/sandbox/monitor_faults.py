"""The EDI monitor's behaviour faults: declared here so both ``monitor.py`` (the API) and
``monitor_web.py`` (the web UI, which ``monitor.py`` imports) reference the Fault objects,
never their names."""

from __future__ import annotations

from .common import Fault

PARTNER_USERS_PAGE_OPEN = Fault(
    "partner-users-page-open",
    "ERP-06",
    "C-100",
    "the partner-users admin page is shown to partner users instead of refused",
    shows="was shown page /company/partner-users",
)

DASHBOARD_LEAKS_OTHER_CUSTOMER = Fault(
    "dashboard-leaks-other-customer",
    "ERP-06",
    "C-200",
    "the dashboard also lists another customer's messages",
    shows="messages of other customers M-T0001",
)

REVOKED_USER_CAN_LOG_IN = Fault(
    "revoked-user-can-log-in",
    "ERP-07",
    "C-200",
    "the web login lets a revoked partner user in",
    shows="dora.erp (revoked) logged in",
)

REVOKED_USER_API_ALLOWED = Fault(
    "revoked-user-api-allowed",
    "ERP-07",
    "C-200",
    "the partner API still answers a revoked partner user",
    shows="dora.erp (revoked) called the API",
)
