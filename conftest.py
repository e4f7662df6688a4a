"""Registers the Stormproof pytest plugin; everything else lives in fixtures/."""

pytest_plugins = ["fixtures.plugin"]
