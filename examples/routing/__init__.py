"""A team's routing app, after seed 003: translate with an LLM, or classify and route a
question to an HR or FAQ agent over HTTP. It knows nothing of Stormproof; only
`stormproof_adapter.py` (and the tests) does."""
