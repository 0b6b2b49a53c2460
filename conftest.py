"""The root conftest: the list of plugins, nothing else. The checklist packs the scenario
selects are loaded by golive's plugin (golive/packs.py), not listed here."""

pytest_plugins = ["golive.plugin"]
