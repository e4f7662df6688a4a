"""The support app's broken twins: the app with one realistic bug each, started the way the
app is (`python -m examples.agents_openai.broken.NAME` is a worker; a workflow twin is loaded
by `module:attr` as the replayer loads workflows), so Stormproof must reject them. Each
module's docstring says its bug and which test rejects it with which bug class;
examples/agents_openai/tests/test_twins.py checks every twin here is named by that test.

- new_key_per_attempt: the ticket's idempotency key is a fresh uuid4 per attempt. Rejected by
  the default chaos run's row for a worker death after the ticket landed (fault 10) as
  `duplicate-effect` (test_default_rows.py).
- sdk_retries: the model client keeps the openai SDK's default retries under Temporal's.
  Rejected by the default row for the LLM 429/5xx storm (fault 6) as `wasted-llm-call`
  (test_default_rows.py).
- lookup_in_workflow (workflow code): the order lookup as a plain function tool reading the
  order book inside the workflow, not an activity. Rejected by replay of the committed
  histories as `non-determinism` (test_replay.py).
- unbounded_session: the support session never continues as new. Rejected by
  test_session.py as `lost-workflow`: Temporal suggests continuing as new, the run goes on,
  and the server terminates it at its history limit.
"""
