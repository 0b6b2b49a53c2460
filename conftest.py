"""The root conftest: the list of plugins, nothing else."""

pytest_plugins = [
    "golive.plugin",
    "fixtures.scenario",
    "fixtures.systems",
    "fixtures.partners",
    "fixtures.einvoicing",
    "fixtures.browser",
    "fixtures.monitor",
    "steps.partner_go_live",
    "steps.erp_partner_access",
    "steps.einvoicing",
    "steps.einvoicing_provider",
]
