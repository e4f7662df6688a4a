"""What the checker returns: typed anomalies, the verdict, and the counts a report shows.

Every anomaly carries its `BugClass` (stormproof/diagnosis.py). The verdict, the list of
classes a run found (`diagnoses`), and the per-effect counters of the table and the chaos
JSON are all read from the anomalies' fields, never from their text, which is for people.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from stormproof.diagnosis import BugClass

Verdict = Literal["valid", "invalid", "unknown"]
# The classes a chaos verdict can find, worst first: the order a reader should fix them.
ORDER = (
    BugClass.LOST_WORKFLOW,
    BugClass.LOST_EFFECT,
    BugClass.DUPLICATE_EFFECT,
    BugClass.UNEXPECTED_EFFECT,
    BugClass.WASTED_LLM_CALL,
)


class Anomaly(BaseModel):
    """One thing the world shows that the workflows' contract forbids.

    `effect` is the counter it adds `count` to ("runs", "llm_calls", or an effect kind
    such as "rows"); None for a workflow that ended failed or with a wrong result, which
    the `failed` count holds. `detail` is the line a person reads.
    """

    bug: BugClass
    workflow_id: str | None = None
    effect: str | None = None
    count: int = 1
    detail: str

    def __str__(self) -> str:
        return f"{self.bug}: {self.detail}"


class WorkflowCheck(BaseModel):
    workflow_id: str
    workflow: str
    accepted: bool
    outcome: Literal["completed", "failed", "open"]
    effects: dict[str, int] = Field(default_factory=dict, description="seen, per effect kind")
    llm_attempts: int = 0
    problems: list[str] = Field(default_factory=list)


class CheckResult(BaseModel):
    """The verdict on one run: counts per effect, typed anomalies, recovery times, per workflow."""

    verdict: Verdict
    workflows: int
    accepted: int
    completed: int
    failed: int
    faults_injected: int
    lost: dict[str, int]
    duplicated: dict[str, int]
    unexpected: dict[str, int]
    wasted_llm_calls: int
    recovery_seconds: list[float]
    anomalies: list[Anomaly]
    unreadable: list[str] = Field(
        default_factory=list, description="effects the observer could not read: unknown"
    )
    per_workflow: list[WorkflowCheck] = Field(default_factory=list)

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def duplicated_total(self) -> int:
        return sum(self.duplicated.values())

    @property
    def diagnoses(self) -> list[BugClass]:
        """The bug classes this verdict found (stormproof/diagnosis.py), worst first."""
        found = {a.bug for a in self.anomalies}
        return [bug for bug in ORDER if bug in found] + sorted(found - set(ORDER))

    def add(self, anomaly: Anomaly) -> None:
        """A finding made after the check (a count the checker cannot make, such as one
        reply written twice into one file): counted, listed, and the verdict invalid."""
        counters = {
            BugClass.DUPLICATE_EFFECT: self.duplicated,
            BugClass.LOST_EFFECT: self.lost,
            BugClass.MESSAGE_LOST: self.lost,  # an Update never answered (update_verdict.py)
        }
        counter = counters.get(anomaly.bug)
        if counter is not None and anomaly.effect is not None:
            counter[anomaly.effect] = counter.get(anomaly.effect, 0) + anomaly.count
        self.anomalies.append(anomaly)
        self.verdict = "invalid"

    def unread(self) -> list[str]:
        return [f"{name}: the observer could not read this effect" for name in self.unreadable]

    def problems(self) -> list[str]:
        """What a person reads: each effect the observer could not read, then each anomaly
        with its class first."""
        return self.unread() + [str(a) for a in self.anomalies]

    def summary(self) -> str:
        lines = self.unread() + [a.detail for a in self.anomalies]
        return (
            f"verdict={self.verdict} workflows={self.workflows} completed={self.completed} "
            f"failed={self.failed} lost={self.lost} duplicated={self.duplicated} "
            f"unexpected={self.unexpected} wasted_llm_calls={self.wasted_llm_calls} "
            f"recovery={self.recovery_seconds}\n  " + "\n  ".join(lines[:40])
        )


def tally(anomalies: list[Anomaly], bugs: set[BugClass], names: set[str]) -> dict[str, int]:
    """Per effect, the count the anomalies of `bugs` add up to (every name in `names` shown,
    at 0 when clean: the report's columns do not depend on what went wrong)."""
    counts: Counter[str] = Counter(dict.fromkeys(names, 0))
    for a in anomalies:
        if a.bug in bugs and a.effect is not None:
            counts[a.effect] += a.count
    return dict(counts)
