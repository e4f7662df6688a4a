"""A team's support-triage app on Pydantic AI's Temporal integration: a triage agent looks
up the order, delegates the billing question to a second agent, and proposes a ticket that
is filed (a row in PostgreSQL) only once a person confirms it. It knows nothing of
Stormproof; only `stormproof_adapter.py` (and the tests) does."""
