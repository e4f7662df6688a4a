"""An adapter's Service declares its retry classification, and the service-failure check
plans one case per service and mode from it (stormproof/conformance/service_failures.py).
No server starts here."""

from __future__ import annotations

import sys

import pytest
from pydantic import ValidationError

from stormproof.adapter import Service, load_adapter
from stormproof.conformance.service_failures import ANSWERS, MODES, cases


def test_the_default_is_the_webhook_rule_only_a_4xx_is_final() -> None:
    service = Service(name="hr", argv=[sys.executable])
    assert service.final == {"4xx"} and service.final_error is None


def test_an_unknown_mode_is_refused_at_load() -> None:
    with pytest.raises(ValidationError, match="final"):
        Service(name="hr", argv=[sys.executable], final={"timeout"})


def test_every_mode_is_driven_by_the_link_or_the_proxy() -> None:
    assert set(MODES) == {"refused", "reset", "read-timeout", *ANSWERS}


def test_routing_has_a_case_per_agent_and_mode() -> None:
    found = cases(load_adapter("examples.routing.stormproof_adapter"))
    assert [c.id for c in found] == [f"{s}-{m}" for s in ("hr", "faq") for m in MODES]
    assert [c.id for c in found if c.final] == ["hr-4xx", "faq-4xx"]
    assert {c.unit.name for c in found} == {"routing", "routing_hr"}
    assert {c.service.final_error for c in found} == {"AgentRefused"}


def test_an_adapter_without_services_has_no_case() -> None:
    assert cases(load_adapter("examples.hello_world.stormproof_adapter")) == []
