"""The chaos engine: a world broken on purpose under a continuous load, then judged.

A `ChaosRun` is one test's run on a shared `ChaosWorld` (Temporal, Toxiproxy, PostgreSQL,
the fake LLM, the sink, the adapter's services): it starts workers and an open-loop
`Generator` of units (`LoadSpec`), injects and heals nemeses (`stormproof.chaos.nemesis`),
writes every operation to its history, observes the effects through the world and judges
them with the checker. Schedules that several tests share live in
`stormproof.chaos.scenarios`; a team's own are data (`Scenario`: units, trigger, fault,
seconds, heal), played by `run_scenario`. The pytest fixtures `chaos_world` and `chaos`
come with the `stormproof-chaos` plugin (`stormproof.chaos.fixtures`); `open_chaos_world`
builds a world of a team's own for its adapter. A test states the effect kinds its fault needs
(`needs(LlmCalls)`, stormproof.chaos.applies) and picks its victims among the
units that owe them (`chaos.plan_owing(LlmCalls)`); its triggers are read from the world
(stormproof.chaos.triggers), whatever the team named its activities.
"""

from stormproof.chaos.applies import NEEDS, needs, units_owing
from stormproof.chaos.completion import assert_all_completed, stuck_at
from stormproof.chaos.fixtures import adapter_world_fixtures, open_chaos_world, worker_argv_for
from stormproof.chaos.generator import Generator, LoadSpec
from stormproof.chaos.recovery import observe_recovery
from stormproof.chaos.rows import RowsRun, run_rows
from stormproof.chaos.run import LLM_TIMEOUT_SECONDS, ChaosRun
from stormproof.chaos.scenario import (
    ActivityRunning,
    AtStart,
    CutLink,
    DeliveryArrived,
    KillPostgres,
    KillTemporal,
    KillWorker,
    LlmInFlight,
    PauseWorker,
    Scenario,
    ServiceCallInFlight,
    StopSink,
)
from stormproof.chaos.scenario_run import Played, run_scenario
from stormproof.chaos.triggers import Running
from stormproof.chaos.workload import Planned
from stormproof.chaos.world import ChaosWorld
from stormproof.checker import CheckResult

__all__ = [
    "LLM_TIMEOUT_SECONDS",
    "NEEDS",
    "ActivityRunning",
    "AtStart",
    "ChaosRun",
    "ChaosWorld",
    "CheckResult",
    "CutLink",
    "DeliveryArrived",
    "Generator",
    "KillPostgres",
    "KillTemporal",
    "KillWorker",
    "LlmInFlight",
    "LoadSpec",
    "PauseWorker",
    "Planned",
    "Played",
    "RowsRun",
    "Running",
    "Scenario",
    "ServiceCallInFlight",
    "StopSink",
    "adapter_world_fixtures",
    "assert_all_completed",
    "needs",
    "observe_recovery",
    "open_chaos_world",
    "run_rows",
    "run_scenario",
    "stuck_at",
    "units_owing",
    "worker_argv_for",
]
