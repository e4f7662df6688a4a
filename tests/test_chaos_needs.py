"""Chaos tests apply to an adapter by what its units declare, not by the reference's names.

Under the routing example's adapter (LlmCalls and ServiceCalls, no sink deliveries), run
as a team would (`--pyargs` from a folder outside the checkout, `--setup-plan`: collected
and skip marks evaluated, no server started): the faults converted to triggers read from
the world are collected and not skipped, a row that needs a declaration the adapter lacks
is skipped naming it, and the contract's own tests still skip as `[contract]`.
"""

from __future__ import annotations

import re
from pathlib import Path

from stormproof.adapter import (
    Deployment,
    HttpDeliveries,
    LlmCalls,
    Rows,
    ServiceCalls,
    load_adapter,
)
from stormproof.chaos import units_owing
from stormproof.chaos.applies import missing
from tests.test_adapter_scope import TEAM, run_pytest

# The chaos tests that run under any adapter declaring what they need.
GENERIC = [
    "test_f5_worker_pause.py::test_worker_paused_past_timeouts",
    "test_f10_effect_then_death.py::test_effect_then_worker_death",
    "test_f6_llm_faults.py::test_llm_http_storm",
    "test_f6_llm_faults.py::test_llm_connection_resets",
    "test_f4_worker_kill.py::test_worker_sigkill_mid_activity",
    "test_f1_temporal_kill.py::test_temporal_sigkill_mid_run",
    "test_f2_worker_link.py::test_worker_temporal_link[down-2s]",
    "test_f8_start_unknown_outcome.py::test_start_cut_mid_flight_then_retried",
]
# Rows the routing adapter cannot serve, and the declaration each names.
LACKING = {
    "test_f9_sink_down.py": "HttpDeliveries",
    "test_f3_effect_then_outage.py:": "HttpDeliveries",  # its notification case
}


def test_units_owing_and_the_missing_declaration() -> None:
    team = load_adapter(TEAM)
    assert [u.name for u in units_owing(team, LlmCalls)] == team.kinds
    assert [u.name for u in units_owing(team, ServiceCalls)] == ["routing", "routing_hr"]
    assert units_owing(team, HttpDeliveries) == []
    assert missing(team, (LlmCalls,), "worker-sigkill") is None
    reason = missing(team, (LlmCalls, HttpDeliveries, Rows), "sink-down-30s")
    assert reason and reason.startswith("no HttpDeliveries and Rows effect: the sink-down-30s row")


def test_under_the_routing_adapter_converted_faults_run_and_others_name_the_gap(
    tmp_path: Path,
) -> None:
    done = run_pytest(
        tmp_path,
        "--pyargs",
        "stormproof.suites.chaos",
        "--adapter",
        TEAM,
        "--setup-plan",
        "-rs",
        "-v",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    for test in GENERIC:
        line = [x for x in out.splitlines() if x.startswith("test_") and test in x]
        assert line and "SKIPPED" not in line[0], (test, line, out[-3000:])
    skips = [x for x in out.splitlines() if x.startswith("SKIPPED")]
    for path, declaration in LACKING.items():
        named = [x for x in skips if path in x]
        assert any(f"no {declaration} effect:" in x for x in named), (path, skips)
    assert any("[contract]" in x for x in skips), skips
    assert not re.search(r"\b(passed|failed)\b", out.splitlines()[-1]), out.splitlines()[-1]


def test_the_rolling_deploy_needs_a_declared_deployment() -> None:
    """needs(Deployment): skipped at collection, no server started, naming the field."""
    team = load_adapter(TEAM)  # routing: no deployment
    said = missing(team, (Deployment,), "rolling-deploy")
    assert said is not None and "Adapter.deployment" in said and "rolling-deploy" in said
    assert missing(load_adapter(None), (Deployment,), "rolling-deploy") is None  # the control
