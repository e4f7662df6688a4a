"""`Adapter.deployment`: how a worker joins a Worker Deployment and which release a rolling
deploy ships (stormproof/adapter/deployment.py). Its mistakes fail at load, naming the
field, and its replay guard refuses a folder with nothing to replay. No server starts here;
the deploy itself is suites/chaos/rolling (`make rolling`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from stormproof.adapter import CONTRACT, Adapter, Deployment, Release
from stormproof.chaos.rolling_deploy import replay_guard
from stormproof.replay import ReplaySetupError

NEXT = Release(args=["--workflows", "app.v2:WORKFLOWS"], workflows="app.v2:WORKFLOWS")
CONTRACT_V2 = CONTRACT.deployment.next.workflows if CONTRACT.deployment else ""


def _deployment(**changes: object) -> Deployment:
    fields = {
        "name_variable": "APP_DEPLOYMENT",
        "build_id_variable": "APP_BUILD",
        "unit": "report",
        "hold_link": "postgres",
        "hold_activity": "store_report_metadata",
        "next": NEXT,
        "histories": Path("histories"),
    }
    return Deployment(**{**fields, **changes})  # type: ignore[arg-type]


def _with(deployment: Deployment) -> Adapter:
    """The contract's adapter with `deployment`, validated as loading validates it."""
    return Adapter.model_validate({**dict(CONTRACT), "deployment": deployment})


def test_the_references_deployment_ships_the_patched_reorder() -> None:
    d = CONTRACT.deployment
    assert d is not None and d.unit in [u.name for u in CONTRACT.plain_units]
    assert d.next.args == ["--workflows", d.next.workflows] and d.next.worker_cmd is None
    assert d.unpatched is not None and d.unpatched.label == "activities_reordered"
    assert sorted(p.name for p in d.histories.glob("*.json")), d.histories


def test_a_held_unit_that_takes_updates_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"deployment.unit 'chat' is not among the units"):
        _with(_deployment(unit="chat"))
    assert _with(_deployment()).deployment is not None  # the control: a plain unit loads


def test_a_hold_link_the_suite_cannot_cut_is_refused() -> None:
    """At load, naming the links there are: not a KeyError minutes into a chaos run."""
    with pytest.raises(ValidationError, match=r"hold_link 'LLM' is not a link .*'llm'"):
        _with(_deployment(hold_link="LLM"))
    with pytest.raises(ValidationError, match=r"hold_link 'temporal' is not a link"):
        _with(_deployment(hold_link="temporal"))  # cut, it holds no run in an activity
    assert _with(_deployment(hold_link="sink")).deployment is not None  # the control


def test_a_release_names_its_workflows_as_module_attr() -> None:
    with pytest.raises(ValidationError, match="workflows"):
        Release(workflows="app/v2.py")
    with pytest.raises(ValidationError, match="worker_cmd"):
        Release(worker_cmd=[], workflows="app.v2:WORKFLOWS")
    assert Release(workflows="app.release_2:WORKFLOWS").label == "release_2"
    assert Release(workflows="app.broken:reordered").label == "reordered"


async def test_the_guard_refuses_a_folder_with_no_history(tmp_path: Path) -> None:
    deployment = _deployment(histories=tmp_path, next=Release(workflows=CONTRACT_V2))
    with pytest.raises(ReplaySetupError, match=r"deployment.histories=.* holds no"):
        await replay_guard(deployment, deployment.next)


async def test_the_guard_replays_the_references_histories_on_each_release() -> None:
    d = CONTRACT.deployment
    assert d is not None and d.unpatched is not None
    good = await replay_guard(d, d.next)
    assert good and all(o.ok for o in good), [o.message for o in good if not o.ok]
    bad = await replay_guard(d, d.unpatched)  # the control: the same reorder unpatched
    assert any(not o.ok for o in bad), "the unpatched reorder replayed every history"
