"""The reconnection judge: the API and worker processes around a Temporal that goes away.

`harness` starts the reference API (or a team's, or a broken twin) as a process in a world
whose Temporal the test kills, restarts or cuts off; `checks` asserts what a client sees
meanwhile: refusals with a reason instead of silently accepted work, readiness that tells
the truth, and every accepted workflow present in Temporal and completed.
"""

from stormproof.reconnect.harness import (
    ANSWER_DEADLINE,
    API_ARGV,
    CONNECT_ONCE_ARGV,
    REPO,
    SUPERVISOR_ARGV,
    ApiProcess,
    ReconnectWorld,
)

__all__ = [
    "ANSWER_DEADLINE",
    "API_ARGV",
    "CONNECT_ONCE_ARGV",
    "REPO",
    "SUPERVISOR_ARGV",
    "ApiProcess",
    "ReconnectWorld",
]
