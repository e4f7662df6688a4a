"""One chaos test's record: what the engine leaves of a run and every part of the report reads.

The chaos engine builds a `ChaosRecord` when its test ends (`ChaosRun.record()`); the report
plugin carries it to the controller as the JUnit property `stormproof_chaos` (JSON, so CI
can parse it; pytest-xdist carries properties from its workers), adds what only the
controller knows (the test's node id, its outcome, where its history was copied), and the
table, the live lines, the HTML and the --chaos-report JSON read the same fields.

The JSON keeps the shape it always had: the engine's fields in the property, the
controller's three (`test`, `outcome`, `history_source`) added in the report file.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stormproof.checker import CheckResult
from stormproof.report.stats import ChaosStats

CONTROL_PREFIX = "negative-control"
# Set by the controller from the test's reports, never by the engine.
CONTROLLER_FIELDS = frozenset({"test", "outcome", "history_source"})


class ChaosRecord(BaseModel):
    """What the chaos report keeps of one chaos test."""

    model_config = ConfigDict(extra="forbid")

    test: str | None = Field(None, description="the pytest node id (the controller's)")
    fault: str = Field(description="the fault the test injected, as the table shows it")
    tag: str = Field("", description="the run's tag: its proxies, task queue and database")
    seed: int | None = Field(None, description="the chaos seed of the run")
    history: str | None = Field(None, description="the operations history (JSON lines)")
    history_source: str | None = Field(
        None, description="the worker's history file, when `history` names a copy"
    )
    outcome: str | None = Field(None, description="passed/failed/skipped (the controller's)")
    result: CheckResult | None = Field(None, description="the checker's verdict, if it ran")
    diagnoses: list[str] = Field(
        default_factory=list, description="bug classes the verdict and the failure found"
    )
    diagnosis: str | None = Field(None, description="the failed test's bug class")
    recovery_after_death: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="workflow id -> its recovery after a worker death"
    )
    recorded_at: float = Field(0.0, description="epoch seconds the record was made")
    stats: ChaosStats | None = Field(None, description="latency, throughput, outcomes, drain")
    load: dict[str, Any] | None = Field(None, description="the continuous load: spec, counts")
    metric_deltas: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="fault -> worker/server metric increases"
    )

    @property
    def is_control(self) -> bool:
        """A negative control: a broken twin the checker must reject."""
        return self.fault.startswith(CONTROL_PREFIX)

    @property
    def workflows(self) -> int:
        """Workflows the checker judged (0 when it did not run)."""
        return self.result.workflows if self.result else 0

    def property_json(self) -> str:
        """The engine's fields as the JUnit property's JSON (sorted keys, as CI diffs it)."""
        fields = self.model_dump(mode="json", exclude=set(CONTROLLER_FIELDS))
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_property(cls, value: str, test: str, outcome: str) -> ChaosRecord:
        """The record a worker's property carries, with what the controller knows added."""
        record = cls.model_validate_json(value)
        return record.model_copy(update={"test": test, "outcome": outcome})

    def report_json(self) -> dict[str, Any]:
        """The record as the --chaos-report file holds it (no `history_source` unless copied)."""
        found = self.model_dump(mode="json")
        if found["history_source"] is None:
            del found["history_source"]
        return found
