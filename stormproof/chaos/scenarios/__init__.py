"""Fault schedules that more than one test runs: an effect, then an outage or a death.

`effect_then_outage`: the effect lands, then the worker's link to Temporal is cut past the
activity's timeout. `deaths`: for each declared effect kind, the effect lands, then the
worker is SIGKILLed before its completion reaches Temporal. Both must leave exactly one
effect. `mid_effect`: a victim whose effect is held while its activity runs. The fleet's:
`replica_sigkill`, `replica_pause`, `rolling_restart` (with `expect_drained`). Sessions of
Updates: `temporal_kill_sessions`, `link_cut_sessions`, `handler_death`, judged by
`judge_updates` and `expect_updates` (message-lost, then duplicate-effect), `expect_continued`
(each session of a unit that continues as new crossed a run).
"""

from stormproof.chaos.scenarios.death_checks import check_one_effect
from stormproof.chaos.scenarios.effect_then_death import KINDS, Death, EffectKind, deaths, declared
from stormproof.chaos.scenarios.effect_then_outage import Effect, effect_then_outage
from stormproof.chaos.scenarios.fleet import (
    Drained,
    expect_drained,
    replica_pause,
    replica_sigkill,
    rolling_restart,
)
from stormproof.chaos.scenarios.mid_effect import mid_effect, pause_past_timeouts
from stormproof.chaos.scenarios.updates import (
    HandlerDeath,
    handler_death,
    link_cut_sessions,
    session_units,
    temporal_kill_sessions,
)
from stormproof.chaos.update_verdict import (
    UpdateVerdict,
    expect_continued,
    expect_in_flight,
    expect_updates,
    judge_updates,
)

__all__ = [
    "KINDS",
    "Death",
    "Drained",
    "Effect",
    "EffectKind",
    "HandlerDeath",
    "UpdateVerdict",
    "check_one_effect",
    "deaths",
    "declared",
    "effect_then_outage",
    "expect_continued",
    "expect_drained",
    "expect_in_flight",
    "expect_updates",
    "handler_death",
    "judge_updates",
    "link_cut_sessions",
    "mid_effect",
    "pause_past_timeouts",
    "replica_pause",
    "replica_sigkill",
    "rolling_restart",
    "session_units",
    "temporal_kill_sessions",
]
