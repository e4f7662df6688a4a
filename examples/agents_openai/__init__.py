"""A team's support-triage app on the OpenAI Agents SDK's Temporal integration: a triage agent
looks the order up, hands off to a ticket agent, and a ticket is filed once the customer
confirms. It knows nothing of Stormproof; only `stormproof_adapter.py` (and the tests) does."""
