"""What the checker judges against: the world's effects, and what each unit owes.

The observer (stormproof/chaos/observe.py) fills a Snapshot from the world's readers; the
adapter (stormproof/adapter/expect.py) says what each kind of unit owes. Both are plain
data so the checker stays a pure function of a history and a snapshot.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class LlmObservation(BaseModel):
    marker: str | None
    status: int | None = None
    prompt_tagged: bool = Field(False, description="the prompt carries this run's tag")


class EffectObservation(BaseModel):
    """One instance of an effect the observer found, attributed to the unit that owes it.

    `owner` is the workflow id it belongs to (None: it carries the run's tag but no unit's
    id or marker). With a `key` (an idempotency key), observations sharing it are one
    effect, as a receiver that de-duplicates sees them; without one each is an effect."""

    owner: str | None
    key: str | None = None
    what: str = Field("", description="how an anomaly names it: a path, a request")


class Owed(BaseModel):
    """One effect a unit owes: `per_unit` instances, when its result matches `only_if_result`
    (a result that lacks the key matches; see stormproof.adapter's effects)."""

    effect: str
    per_unit: int = 1
    only_if_result: dict[str, Any] = Field(default_factory=dict)


class UnitExpectation(BaseModel):
    """What one kind of unit owes, from the adapter (stormproof/adapter/expect.py)."""

    workflow_type: str
    llm_at_least: int = 1
    llm_activities: list[str] = Field(
        default_factory=list, description="activities whose attempts bound the LLM calls"
    )
    owes: list[Owed] = Field(default_factory=list)


class Snapshot(BaseModel):
    """What the world holds after the run; None for an effect the observer could not read."""

    tag: str = Field(description="prefix of every workflow id and prompt of this run")
    units: dict[str, UnitExpectation] = Field(
        default_factory=dict, description="unit name -> what it owes (the adapter's)"
    )
    runs: dict[str, list[str]] = Field(default_factory=dict)
    attempts: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="workflow id -> activity type -> attempts (stormproof/effects/attempts.py)",
    )
    llm_calls: list[LlmObservation] | None = None
    effects: dict[str, list[EffectObservation] | None] = Field(
        default_factory=dict, description="effect name -> what was found (rows, deliveries...)"
    )
