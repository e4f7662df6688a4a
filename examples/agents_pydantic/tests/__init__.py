"""How Stormproof judges the support-triage app: through its adapter, in the suite's worlds."""
