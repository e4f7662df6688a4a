"""The conformance judge: start one unit of work, read its effects back, check the contract.

`Judge` starts contract workflows on the conformance target (the time-skipping server or
an external Temporal) with a marker in every prompt, and reads each effect back through
the world: the fake LLM's calls, the sink's deliveries, rows, artifacts, attempts.
`checks` holds the per-effect assertions, `timing` the checks of time (retry hints and
approval windows, in the server's virtual time).

The contract's properties for any adapter (suites/properties) are judged through the
other names here: a TeamWorld runs the adapter's worker and services (`team_world`),
`start_unit` starts one of its units, and the checks judge its LLM calls (`properties`)
and its idempotency keys (`idempotency`).
"""

from stormproof.conformance.idempotency import (
    attempt_failed,
    check_one_key,
    judgeable,
    keyed_effect,
)
from stormproof.conformance.judge import Judge, Run
from stormproof.conformance.properties import (
    UnitRun,
    check_4xx_is_final,
    check_hint_honoured,
    check_no_wasted_calls,
    llm_effect,
    missing,
    start_unit,
    worker_argv_for,
)
from stormproof.replay.team import TeamWorld, team_world

__all__ = [
    "Judge",
    "Run",
    "TeamWorld",
    "UnitRun",
    "attempt_failed",
    "check_4xx_is_final",
    "check_hint_honoured",
    "check_no_wasted_calls",
    "check_one_key",
    "judgeable",
    "keyed_effect",
    "llm_effect",
    "missing",
    "start_unit",
    "team_world",
    "worker_argv_for",
]
