"""The conformance judge: start one unit of work, read its effects back, check the contract.

`Judge` starts contract workflows on the conformance target (the time-skipping server or
an external Temporal) with a marker in every prompt, and reads each effect back through
the world: the fake LLM's calls, the sink's deliveries, rows, artifacts, attempts.
`checks` holds the per-effect assertions, `timing` the checks of time (retry hints and
approval windows, in the server's virtual time).
"""

from stormproof.conformance.judge import Judge, Run

__all__ = ["Judge", "Run"]
