"""Scenarios as data: a team's own chaos test stated as what to run, when the fault strikes,
which fault, for how long, and whether it heals.

A `Scenario` names the adapter's units to start (the victims; the first is the one the
trigger watches), the replies the world scripts for them (`llm` for the fake LLM, `sink`
for the webhook receiver), a `trigger` read from the world (the fake LLM holds a call of
the victim, the sink received its delivery, a service's recording proxy holds its request,
Temporal reports one of its activities running), a `fault` (a process killed or paused, a
link cut) held for `seconds` and healed unless `heal=False`, and the proof that the fault
hit work in flight (`proof`). `stormproof.chaos.run_scenario` plays it on a `ChaosRun`
through the same engine, checker and report as the default table. Plain pydantic models:
a scenario can be written in Python, loaded from JSON or TOML, and printed back.

    Scenario(
        name="agent-down-20s",
        units=["routing"],
        fault=CutLink(link="svc-faq"),
        seconds=20,
    )
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from stormproof.fixtures.fake_llm import Fault as LlmFault
from stormproof.fixtures.sink import SinkFault

_STRICT = ConfigDict(extra="forbid", frozen=True)


class _Trigger(BaseModel):
    model_config = _STRICT


class AtStart(_Trigger):
    """As soon as every victim has been started."""

    kind: Literal["at-start"] = "at-start"


class LlmInFlight(_Trigger):
    """The fake LLM holds an unanswered request of the first victim (script a Delay)."""

    kind: Literal["llm-in-flight"] = "llm-in-flight"


class DeliveryArrived(_Trigger):
    """The sink received a delivery of the first victim (any outcome; script a SinkDelay
    to hold its reply)."""

    kind: Literal["delivery-arrived"] = "delivery-arrived"


class ServiceCallInFlight(_Trigger):
    """The recording proxy in front of `service` holds a request of the first victim
    (by its marker or workflow id in the body) that has no answer yet."""

    kind: Literal["service-call-in-flight"] = "service-call-in-flight"
    service: str


class ActivityRunning(_Trigger):
    """Temporal reports an activity of the first victim running (`activity`: only that
    type; None: any), read from its pending activities, whatever the team named it."""

    kind: Literal["activity-running"] = "activity-running"
    activity: str | None = None


Trigger = Annotated[
    AtStart | LlmInFlight | DeliveryArrived | ServiceCallInFlight | ActivityRunning,
    Field(discriminator="kind"),
]


class _Fault(BaseModel):
    model_config = _STRICT


class KillTemporal(_Fault):
    """SIGKILL the Temporal server; the heal starts it again on its own database."""

    kind: Literal["kill-temporal"] = "kill-temporal"


class KillWorker(_Fault):
    """SIGKILL the worker process; the heal starts a new one with the same command."""

    kind: Literal["kill-worker"] = "kill-worker"


class PauseWorker(_Fault):
    """SIGSTOP the worker process (a long GC pause, a frozen VM); the heal continues it."""

    kind: Literal["pause-worker"] = "pause-worker"


class CutLink(_Fault):
    """Cut a Toxiproxy link: `temporal`, `postgres`, `svc-<service>` (the worker's link to
    an adapter's service), as `ChaosRun.link` names them; the heal restores it."""

    kind: Literal["cut-link"] = "cut-link"
    link: str


class KillPostgres(_Fault):
    """SIGKILL PostgreSQL; the heal starts it again (crash recovery included)."""

    kind: Literal["kill-postgres"] = "kill-postgres"


class StopSink(_Fault):
    """The webhook receiver refuses every connection until the heal."""

    kind: Literal["stop-sink"] = "stop-sink"


Fault = Annotated[
    KillTemporal | KillWorker | PauseWorker | CutLink | KillPostgres | StopSink,
    Field(discriminator="kind"),
]
# How the runner proves the fault met work in flight. "retried": Temporal ran an activity
# of every victim more than once. "trigger": the trigger saw the first victim's work in
# flight and the workflow still open at the moment of the fault (a Temporal kill need not
# cost a retry). "none": the scenario scripts the world only (a 429 storm) and the
# scripted faults' own count is its proof.
Proof = Literal["retried", "trigger", "none"]


class Scenario(BaseModel):
    """One chaos test as data; `run_scenario` plays it and returns what it judged."""

    model_config = _STRICT

    name: str = Field(description="its row in the chaos table")
    units: list[str] = Field(min_length=1, description="the adapter's units to start")
    llm: list[LlmFault] = Field(default_factory=list, description="fake LLM script, each unit")
    sink: list[SinkFault] = Field(default_factory=list, description="sink script, each unit")
    trigger: Trigger = Field(default_factory=AtStart)
    fault: Fault | None = None
    seconds: float = Field(0.0, ge=0, description="how long the fault stays before the heal")
    heal: bool = True
    load: bool = Field(False, description="under the continuous generator (LoadSpec)")
    proof: Proof = "retried"
    timeout: float = Field(90.0, gt=0, description="seconds for every workflow to finish")
