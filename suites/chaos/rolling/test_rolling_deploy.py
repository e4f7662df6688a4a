"""A rolling deploy of new workflow code under load, with Worker Deployment Versioning,
judged on whatever worker the adapter names: its `Adapter.deployment` says how its worker
joins a Worker Deployment and which release is shipped (stormproof/adapter/deployment.py).

v1, the adapter's worker as it is, is current; workflows run, every other one pinned to the
version current at its start. Some runs of the deployment's unit are held in its
`hold_activity` (its `hold_link` cut: the reference's reports at their database step, the
agents app's triage at its first model call), so their history already holds what the
release changes when v2, the change behind `workflow.patched`, is started and made current.
The link heals: the held auto-upgrade runs' next workflow task runs on v2, which replays
their v1 history; pinned runs finish on v1; once none is left, v1 is drained and its
worker retired. Every accepted run must complete with its effects exactly once and no
workflow task may fail as non-deterministic.

The negative control ships the deployment's `unpatched` release (the reference's
`activities_reordered` twin, the agents app's `unpatched_release_2`) as v2: the replay guard
rejects it before the deploy, and the live deploy shows why: the held auto-upgrade runs
fail their first task on v2 as non-deterministic, in the histories and the worker's log.
An adapter that declares no deployment skips both at collection (`needs(Deployment)`),
one without an unpatched release the control, each saying so.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from temporalio.service import RPCError

from stormproof.adapter import Adapter, Deployment
from stormproof.chaos import ChaosRun, LoadSpec, Planned, assert_all_completed, needs
from stormproof.chaos.nemesis import LinkDown
from stormproof.chaos.rolling_deploy import (
    RollingDeploy,
    Rollout,
    Tasks,
    assert_deterministic,
    assert_pinned_stayed,
    assert_upgraded,
    moved,
    nondeterministic,
    read_tasks,
    replay_guard,
)
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.log_scan import failure, scan
from stormproof.replay import require_replayed
from stormproof.world import wait_for

pytestmark = [
    needs(Deployment),  # an adapter whose Adapter.deployment says how to ship its release
    pytest.mark.rolling_deploy,
    pytest.mark.chaos(fault="rolling-deploy"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
]

log = logging.getLogger(__name__)  # the deploy's counts (-o log_cli=true shows them)


def _deployment(adapter: Adapter) -> Deployment:
    """The adapter's deployment (needs(Deployment) skipped the test at collection if none)."""
    assert adapter.deployment is not None, "needs(Deployment) lets no adapter without one here"
    return adapter.deployment


def _cut(chaos: ChaosRun, deployment: Deployment) -> LinkDown:
    link = deployment.hold_link
    return LinkDown(chaos.toxiproxy, chaos.link(link), f"{link}-link-down")


async def _hold(
    chaos: ChaosRun, deploy: RollingDeploy, *, auto: int, pinned: int
) -> tuple[list[Planned], list[Planned]]:
    """Runs of the deployment's unit started while its link is cut, each until its history
    schedules the hold activity: `auto` of them auto-upgrade, `pinned` pinned to the current
    version."""
    unit, activity = deploy.deployment.unit, deploy.deployment.hold_activity
    items = [chaos.workload.plan(unit) for _ in range(auto + pinned)]
    for n, item in enumerate(items):
        deploy.choose(item.workflow_id, pinned=n >= auto)
    for item in items:
        assert await chaos.workload.start(item), f"{item.workflow_id} was refused"

    async def held(item: Planned) -> bool:
        handle = chaos.world.client.get_workflow_handle(item.workflow_id)
        described = await handle.describe(rpc_timeout=timedelta(seconds=5))
        pending = described.raw_description.pending_activities
        return any(p.activity_type.name == activity for p in pending)

    for item in items:
        await wait_for(
            lambda item=item: held(item),
            what=f"{item.workflow_id} held at {activity} (the {deploy.deployment.hold_link} "
            "link is cut)",
            timeout=60,
            interval=0.2,
            retry_on=(RPCError,),
            logs=chaos.logs(),
        )
    return items[:auto], items[auto:]


async def test_rolling_deploy_of_a_patched_change_under_load(chaos: ChaosRun) -> None:
    deployment = _deployment(chaos.world.adapter)
    require_replayed(await replay_guard(deployment, deployment.next))  # the guard first
    deploy = RollingDeploy(chaos, deployment)
    await deploy.start_version("v1")
    await deploy.set_current("v1")
    cut = _cut(chaos, deployment)
    async with chaos.load(LoadSpec.from_env(rate=4.0)):
        await chaos.inject(cut)
        auto, pinned = await _hold(chaos, deploy, auto=3, pinned=2)
        rollout = Rollout(deploy, "v2", deployment.next)
        await chaos.inject(rollout)  # v2 current while v1's runs are in flight
        await chaos.heal(cut)
        await chaos.heal(rollout)  # v1 drained of pinned runs, then its worker stopped

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)  # none lost, every effect exactly once
    accepted = [i.workflow_id for i in chaos.workload.accepted]
    assert len(accepted) >= 100, f"only {len(accepted)} workflows ran under the deploy"
    tasks = await read_tasks(chaos.world.client, accepted)
    assert_deterministic(tasks)
    assert_pinned_stayed(deploy, tasks)
    assert_upgraded(deploy, tasks, "v1", "v2")
    on_v1 = [w for w, build in deploy.pinned.items() if build == "v1"]
    assert {p.workflow_id for p in pinned} <= set(on_v1), deploy.pinned
    went = moved(deploy, tasks, "v1", "v2")
    stayed = [v.workflow_id for v in auto if v.workflow_id not in went]
    assert not stayed, f"auto-upgrade runs held across the switch stayed on v1: {stayed}"
    log.info(
        "%d runs: %d pinned to v1, %d pinned to v2, %d auto-upgrade of which %d moved v1 -> v2",
        len(accepted),
        len(on_v1),
        len(deploy.pinned) - len(on_v1),
        len(deploy.auto),
        len(went),
    )
    assert deploy.retired == {"v1": 0}, f"v1 was not retired cleanly: {deploy.retired}"
    assert deploy.workers["v1"].process.returncode() == 0


@pytest.mark.negative_control
@pytest.mark.own_log_scan  # the twin's log must hold the error; this test reads it itself
async def test_negative_control_unpatched_change_is_rejected(chaos: ChaosRun) -> None:
    deployment = _deployment(chaos.world.adapter)
    twin = deployment.unpatched
    if twin is None:
        pytest.skip(
            f"adapter {chaos.world.adapter.name!r} declares no unpatched release "
            "(Deployment.unpatched): no negative control to ship"
        )
    chaos.fault = f"negative-control:{twin.label} (rolling deploy, unpatched v2)"
    with rejected_as(BugClass.NON_DETERMINISM):  # the guard before the deploy
        require_replayed(await replay_guard(deployment, twin))

    deploy = RollingDeploy(chaos, deployment)  # deployed anyway, as without the guard
    await deploy.start_version("v1")
    await deploy.set_current("v1")
    await chaos.inject(_cut(chaos, deployment))
    auto, pinned = await _hold(chaos, deploy, auto=3, pinned=1)
    await chaos.inject(Rollout(deploy, "v2", twin))
    await chaos.heal(chaos.nemeses[0])
    held = [v.workflow_id for v in auto]

    async def all_failed() -> dict[str, Tasks] | None:
        tasks = await read_tasks(chaos.world.client, held)
        return tasks if len(nondeterministic(tasks)) == len(held) else None

    tasks = await wait_for(
        all_failed,
        what="each held auto-upgrade run to fail a workflow task on v2",
        timeout=60,
        interval=0.5,
        retry_on=(RPCError,),
        logs=chaos.logs(),
    )
    with rejected_as(BugClass.NON_DETERMINISM) as caught:
        assert_deterministic(tasks)
    where = f"scheduled event '{deployment.hold_activity}'"  # the change meets the history
    assert where in str(caught.value), caught.value
    v2_log = {"worker-v2": deploy.workers["v2"].process.log_path}
    found = failure(scan(v2_log))
    assert found is not None and found.bug is BugClass.NON_DETERMINISM, v2_log

    # The pinned run never meets the new code: it finishes on v1.
    victim = chaos.world.client.get_workflow_handle(pinned[0].workflow_id)
    await victim.result()
    stayed = await read_tasks(chaos.world.client, [pinned[0].workflow_id])
    assert_pinned_stayed(deploy, stayed)
