"""The root conftest: the list of plugins, nothing else."""

pytest_plugins = [
    "golive.plugin",
    "fixtures.scenario",
    "fixtures.systems",
    "fixtures.partners",
    "fixtures.einvoicing",
    "fixtures.browser",
    "fixtures.monitor",
    "fixtures.billing",
    "steps.partner_go_live",
    "steps.erp_partner_access",
    "steps.einvoicing",
    "steps.einvoicing_provider",
    "steps.upgrade_platform",
    "steps.upgrade_accounts",
    "steps.upgrade_portal",
    "steps.upgrade_roles",
]
