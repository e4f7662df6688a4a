"""The routing app's broken twins: the app with one realistic bug each, started the way the
app is (`python -m examples.routing.broken.NAME` is a worker; a workflow twin is loaded by
`module:attr` as the replayer loads workflows), so the adapter's suite must
reject them. Each module's docstring says its bug and which test rejects it with which bug
class; examples/routing/tests/test_twins.py checks every twin here is named by that test.

- short_timeout: the agent client keeps httpx's (and so the A2A client's) 5 s default read
  timeout; the 8 s HR agent is cut off on every attempt. Rejected by test_lessons.py as
  `lost-workflow`, the diagnosis naming the ReadTimeout.
- no_idempotency: the agent call sends no idempotency key, so the agent cannot tell a
  retry from a new question. Rejected by test_chaos.py as `duplicate-effect` after a worker
  SIGKILL mid-call, and by the default chaos run's row for a death after the agent answered
  (test_default_rows.py).
- skips_render (workflow code, loaded as `examples.routing.broken.skips_render:WORKFLOWS`):
  the classifier prompt inlined, `render_prompt` gone. Rejected by test_replay.py as
  `non-determinism` on the committed histories.
"""
