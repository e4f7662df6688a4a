"""The hello-world app's broken twins: the app with one realistic bug each, each a worker
(`python -m examples.hello_world.broken.NAME`), so the adapter's suite must reject them.
Each module's docstring says its bug and which test rejects it with which bug class;
examples/hello_world/tests/test_twins.py checks every twin here is named by a test.

- key_per_attempt: the webhook's idempotency key carries the attempt number, so a retried
  notification is a new one. Rejected as `duplicate-effect` when the webhook's reply is
  lost after it landed.
- sdk_retries: the openai client keeps its default retries under Temporal's. Rejected as
  `wasted-llm-call` under a 5xx storm.
- memory_dedup: "already sent" kept in a process-local set instead of a key the receiver
  sees. Rejected as `duplicate-effect` when the worker is SIGKILLed after the POST landed.
"""
