"""Judge a team's own workflows: the adapter API (docs/ADAPTERS.md).

A team's adapter module imports only these names and its own code. The reference worker
is judged through the same API: its adapter, `stormproof.adapter.reference`, is the
contract (docs/CONTRACT.md), so there is one path through the suites, not two.
`CONTRACT` is that adapter itself. `fake_reply(prompt)` is the suite's fake LLM's
deterministic reply, for `check_result`.
"""

from stormproof.adapter.deployment import Deployment, Release
from stormproof.adapter.env import CONTRACT_VARIABLES, for_adapter
from stormproof.adapter.expect import effect_names, expectations
from stormproof.adapter.loader import REFERENCE, AdapterError, load_adapter, split_spec
from stormproof.adapter.models import (
    EFFECT_KINDS,
    Adapter,
    Effect,
    Files,
    HttpDeliveries,
    LlmCalls,
    Rows,
    Service,
    ServiceCalls,
    Unit,
    UnitContext,
    WorkerEnv,
)

# Last: the reference adapter (the contract) is built from the names above.
from stormproof.adapter.reference import ADAPTER as CONTRACT
from stormproof.adapter.services import add_services
from stormproof.adapter.updates import UpdateCall, update_id
from stormproof.fixtures.fake_llm import reply_for as fake_reply

__all__ = [
    "CONTRACT",
    "CONTRACT_VARIABLES",
    "EFFECT_KINDS",
    "REFERENCE",
    "Adapter",
    "AdapterError",
    "Deployment",
    "Effect",
    "Files",
    "HttpDeliveries",
    "LlmCalls",
    "Release",
    "Rows",
    "Service",
    "ServiceCalls",
    "Unit",
    "UnitContext",
    "UpdateCall",
    "WorkerEnv",
    "add_services",
    "effect_names",
    "expectations",
    "fake_reply",
    "for_adapter",
    "load_adapter",
    "split_spec",
    "update_id",
]
