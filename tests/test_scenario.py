"""Scenarios are data: they round-trip through JSON, and a mistyped one is refused at once,
naming the field (stormproof/chaos/scenario.py). Playing them is the chaos tests' part
(examples/routing/tests/test_chaos.py, test_faults.py and the fault-missed control)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stormproof.chaos import (
    ActivityRunning,
    AtStart,
    CutLink,
    KillWorker,
    LlmInFlight,
    Scenario,
    ServiceCallInFlight,
)
from stormproof.world import Delay, RateLimit, SinkDelay


def test_a_scenario_round_trips_through_json() -> None:
    scenario = Scenario(
        name="hr-agent-killed",
        units=["routing_hr", "simple"],
        llm=[RateLimit(retry_after=2), Delay(seconds=1.5)],
        sink=[SinkDelay(seconds=3)],
        trigger=ServiceCallInFlight(service="hr"),
        fault=KillWorker(),
        seconds=0.5,
        heal=False,
        load=True,
        proof="trigger",
        timeout=45,
    )
    again = Scenario.model_validate_json(scenario.model_dump_json())
    assert again == scenario
    assert isinstance(again.trigger, ServiceCallInFlight) and again.trigger.service == "hr"
    assert [type(f) for f in again.llm] == [RateLimit, Delay]


def test_defaults_start_at_once_with_no_fault_and_require_a_retry() -> None:
    plain = Scenario(name="x", units=["simple"])
    assert isinstance(plain.trigger, AtStart) and plain.fault is None
    assert (plain.seconds, plain.heal, plain.load, plain.proof) == (0.0, True, False, "retried")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"units": []}, "units"),
        ({"units": ["a"], "seconds": -1}, "seconds"),
        ({"units": ["a"], "proof": "maybe"}, "proof"),
        ({"units": ["a"], "fault": {"kind": "cut-link"}}, "link"),
        ({"units": ["a"], "fault": {"kind": "unplug"}}, "fault"),
        ({"units": ["a"], "trigger": {"kind": "llm-in-flight", "x": 1}}, "x"),
        ({"units": ["a"], "duration": 3}, "duration"),
    ],
)
def test_a_mistyped_scenario_is_refused_naming_the_field(
    fields: dict[str, object], named: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate({"name": "x", **fields})
    assert named in str(caught.value), caught.value


def test_triggers_and_faults_are_told_apart_by_kind() -> None:
    loaded = Scenario.model_validate(
        {
            "name": "x",
            "units": ["a"],
            "trigger": {"kind": "activity-running", "activity": "call_agent"},
            "fault": {"kind": "cut-link", "link": "svc-faq"},
        }
    )
    assert loaded.trigger == ActivityRunning(activity="call_agent")
    assert loaded.fault == CutLink(link="svc-faq")
    assert LlmInFlight().kind == "llm-in-flight"
