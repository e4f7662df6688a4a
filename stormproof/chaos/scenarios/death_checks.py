"""What a death after an effect leaves to judge beyond the checker's counts.

The checker counts effects per key and LLM calls against Temporal's attempts. Two things
of the contract it cannot count: one answered LLM call per step across a death (the
reference's ledger; the checker allows a call per attempt) and one copy of the reply in
the story (one file may hold two). `check_one_effect` judges those on the reference, and
for every adapter proves the kill met the attempt (`fault-missed` otherwise).
"""

from __future__ import annotations

from stormproof.adapter import CONTRACT
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.scenarios.effect_then_death import Death
from stormproof.checker import Anomaly
from stormproof.diagnosis import BugClass, expect
from stormproof.effects.artifacts import story_artifact


def check_one_effect(chaos: ChaosRun, death: Death) -> None:
    """After check(): the kill met the attempt (Temporal retried it, else `fault-missed`),
    and what the checker cannot count, on the reference: one answered LLM call for the step
    (the checker allows a call per attempt) and one copy of the reply in the story (one file
    may hold two). A repeat found here is added to the run's verdict, so the chaos report
    shows it too."""
    kind, victim = death.kind, death.victim
    chaos.expect_fired(victim.workflow_id, death.activity)
    if chaos.world.adapter.name != CONTRACT.name:
        return
    if kind == "llm":  # the contract's ledger
        answered = [c for c in chaos.world.fake_llm.calls_for(victim.marker) if c.status == 200]
        _count(chaos, "llm_calls", len(answered), victim.workflow_id)
        expect(
            len(answered) == 1,
            BugClass.DUPLICATE_EFFECT,
            f"{victim.workflow_id}: the LLM answered {len(answered)} times for one llm_call "
            "step across a worker death (a reply received before the death must be kept "
            "durably, not asked for again)",
        )
    if kind == "file" and victim.unit.name == "story":
        path = story_artifact(chaos.artifact_dir, victim.workflow_id)
        reply = next(c.reply for c in chaos.world.fake_llm.calls_for(victim.marker) if c.reply)
        copies = path.read_text().count(reply or "")
        _count(chaos, "artifacts", copies, victim.workflow_id)
        expect(
            copies == 1,
            BugClass.DUPLICATE_EFFECT,
            f"{path} holds the reply {copies} times after a worker death (written again by "
            "the new process)",
        )


def _count(chaos: ChaosRun, effect: str, seen: int, workflow_id: str) -> None:
    """Count `seen - 1` repeats of `effect` into the run's result."""
    result = chaos.result
    if result is None or seen <= 1:
        return
    detail = f"{effect}: {seen} where one is owed, across a worker death"
    bug = BugClass.DUPLICATE_EFFECT
    result.add(
        Anomaly(bug=bug, workflow_id=workflow_id, effect=effect, count=seen - 1, detail=detail)
    )
