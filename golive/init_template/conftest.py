"""The root conftest: the list of plugins, nothing else. golive loads the packs the
scenario selects (its `packs:`)."""

pytest_plugins = ["golive.plugin"]
