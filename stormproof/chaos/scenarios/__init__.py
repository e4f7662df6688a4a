"""Fault schedules that more than one test runs: an effect, then an outage or a death.

`effect_then_outage`: the effect lands, then the worker's link to Temporal is cut past the
activity's timeout. `deaths`: for each declared effect kind, the effect lands, then the
worker is SIGKILLed before its completion reaches Temporal. Both must leave exactly one
effect.
"""

from stormproof.chaos.scenarios.death_checks import check_one_effect
from stormproof.chaos.scenarios.effect_then_death import KINDS, Death, EffectKind, deaths, declared
from stormproof.chaos.scenarios.effect_then_outage import Effect, effect_then_outage

__all__ = [
    "KINDS",
    "Death",
    "Effect",
    "EffectKind",
    "check_one_effect",
    "deaths",
    "declared",
    "effect_then_outage",
]
