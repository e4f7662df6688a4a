"""The routing adapter loads, says what the team's worker reads, and its result checks can
fail. No server starts here: these are the adapter's own unit tests."""

from __future__ import annotations

from pathlib import Path

from examples.routing.tests.helpers import ADAPTER, retry_hint_problems
from stormproof.adapter import UnitContext, load_adapter
from stormproof.world import LlmCall, new_marker, reply_for, tag

ROUTING = load_adapter(ADAPTER)


def _context() -> UnitContext:
    marker = new_marker()
    return UnitContext(
        workflow_id="t-1",
        marker=marker,
        text=tag(marker, "How many vacation days do I have left?"),
        task_queue="q",
        artifact_dir=Path("/nonexistent"),
    )


def test_units_and_the_teams_variables() -> None:
    assert ROUTING.kinds == ["simple", "routing", "routing_hr"]
    names = ROUTING.env.names()
    assert names["temporal_address"] == "ROUTING_TEMPORAL_HOST"
    assert names["task_queue"] == "ROUTING_QUEUE"
    assert (names["llm_base_url"], names["llm_api_key"]) == ("LLM_URL", "LLM_KEY")
    assert (names["service:hr"], names["service:faq"]) == ("HR_AGENT_URL", "FAQ_AGENT_URL")
    assert [s.name for s in ROUTING.services] == ["hr", "faq"]


def test_result_checks_accept_the_right_text_and_reject_a_wrong_one() -> None:
    ctx = _context()
    reply = reply_for(ctx.text)
    cases = {
        "simple": (reply, "a made-up translation"),
        "routing": (f"[routed to FAQ] {reply}", f"[routed to HR] {reply}"),
        "routing_hr": (f"[routed to HR] {reply}", f"[routed to FAQ] {reply}"),
    }
    for name, (right, wrong) in cases.items():
        check = ROUTING.unit(name).check_result
        assert check is not None
        assert check(ctx, right) is None, name
        assert check(ctx, wrong), f"{name}: a wrong result was accepted"


def _call(seq: int, at: float, status: int, hint: str | None = None) -> LlmCall:
    return LlmCall(
        seq=seq,
        monotonic=at,
        wall=0.0,
        finished_monotonic=at + 0.01,
        endpoint="/v1/responses",
        marker="sp-000000",
        prompt="",
        had_authorization=True,
        authorization=None,
        retry_count=None,
        status=status,
        retry_hints={"retry-after": hint} if hint else {},
    )


def test_retry_hint_check_rejects_an_early_retry() -> None:
    """The 429 test's check can fail: a retry 0.5 s after a 2 s hint is reported."""
    honoured = [_call(1, 10.0, 429, "2"), _call(2, 12.1, 200)]
    early = [_call(1, 10.0, 429, "2"), _call(2, 10.5, 200)]
    assert retry_hint_problems(honoured) == []
    assert retry_hint_problems(early) == ["call #2 came 0.49 s after a 429 asking 2 s"]
