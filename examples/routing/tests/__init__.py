"""How Stormproof judges the routing app: through its adapter, in the suite's chaos world."""
