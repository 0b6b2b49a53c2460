"""The root conftest: the list of plugins, nothing else."""

pytest_plugins = [
    "golive.plugin",
    "fixtures.scenario",
    "fixtures.systems",
    "fixtures.partners",
    "fixtures.einvoicing",
    "fixtures.browser",
    "steps.partner_go_live",
    "steps.einvoicing",
    "steps.einvoicing_provider",
]
