"""From an adapter to what the checker expects: per unit kind, the effects it owes.

The checker (stormproof/checker.py) knows no workflow by name; the adapter's effects,
turned into plain UnitExpectations here, are the only source of "what a unit owes".
"""

from __future__ import annotations

from stormproof.adapter.models import Adapter, LlmCalls
from stormproof.checker import Owed, UnitExpectation


def expectations(adapter: Adapter) -> dict[str, UnitExpectation]:
    """What each unit of `adapter` owes the checker: its LLM calls and effects, by unit name."""
    out: dict[str, UnitExpectation] = {}
    for unit in adapter.units:
        llm = next((e for e in unit.effects if isinstance(e, LlmCalls)), None)
        out[unit.name] = UnitExpectation(
            workflow_type=unit.workflow_type,
            llm_at_least=llm.answered_per_unit if llm else 0,
            llm_activities=list(llm.activities) if llm else [],
            owes=[
                Owed(
                    effect=e.label,
                    per_unit=getattr(e, "per_unit", 1),
                    only_if_result=dict(e.only_if_result),
                )
                for e in unit.effects
                if not isinstance(e, LlmCalls)
            ],
        )
    return out


def effect_names(adapter: Adapter) -> list[str]:
    """Every non-LLM effect name the observer must read for this adapter."""
    return sorted(
        {e.label for u in adapter.units for e in u.effects if not isinstance(e, LlmCalls)}
    )
