"""A rolling deploy under load, with Temporal's Worker Deployment Versioning.

Shipping new workflow code while old runs are in flight is where non-determinism errors
reach production. `RollingDeploy` plays the deploy a team runs on one chaos run's task
queue: the worker's v1 polls as one version of a Worker Deployment and is made current;
workflows start, every other one pinned to the version current at its start (the rest
follow the worker's default, auto-upgrade); v2 is started beside v1 and made current while
v1's runs are in flight (`Rollout`, a fault of the run: its inject is the switch, its heal
the end of the deploy). Pinned runs finish on v1, auto-upgrade runs move to v2 at their
next workflow task, replaying their v1 history on v2's code; once no pinned run is left on
v1, Temporal reports it drained and v1's worker is stopped: retired.
stormproof/chaos/rolling_verdict.py reads where each run's workflow tasks ran and every
non-determinism error.

The server needs `VERSIONING_CONFIG` (the dynamic config Temporal's own SDK tests start
it with, and a drainage check every second instead of every three minutes): a dev server
as `VERSIONING_FLAGS`, the four-service cluster in its dynamic-config file. The worker
takes its version from the variables its adapter's `Deployment` names (the reference's:
docs/CONTRACT.md section 1), and each release's command from it too, so the same deploy
judges the reference and a team's app. This module is the public one (docs/API.md): it
exports rolling_verdict.py's names too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from temporalio.api.deployment.v1 import WorkerDeploymentInfo
from temporalio.api.enums.v1 import (
    RoutingConfigUpdateState,
    VersionDrainageStatus,
    WorkerDeploymentVersionStatus,
)
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    WorkflowHandle,
)
from temporalio.common import PinnedVersioningOverride, WorkerDeploymentVersion
from temporalio.service import RPCError

from stormproof.adapter.deployment import Deployment, Release
from stormproof.chaos.nemesis.base import Nemesis
from stormproof.chaos.rolling_verdict import (
    Tasks,
    assert_deterministic,
    assert_pinned_stayed,
    assert_upgraded,
    moved,
    nondeterministic,
    read_tasks,
    replay_guard,
)
from stormproof.fixtures.temporal import dynamic_config_flags
from stormproof.fixtures.wait import wait_for
from stormproof.fixtures.worker import WorkerProcess

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun

__all__ = [
    "VERSIONING_CONFIG",
    "VERSIONING_FLAGS",
    "RollingDeploy",
    "Rollout",
    "Tasks",
    "assert_deterministic",
    "assert_pinned_stayed",
    "assert_upgraded",
    "moved",
    "nondeterministic",
    "read_tasks",
    "replay_guard",
]

# The dynamic config a deploy needs, one value per key: the dev server takes it as flags
# (VERSIONING_FLAGS), the four-service cluster as its dynamic-config file.
VERSIONING_CONFIG: dict[str, bool | str] = {
    "frontend.workerVersioningWorkflowAPIs": True,
    "frontend.workerVersioningDataAPIs": True,
    "system.enableDeploymentVersions": True,
    "matching.wv.VersionDrainageStatusRefreshInterval": "1s",
    "matching.wv.VersionDrainageStatusVisibilityGracePeriod": "1s",
}
VERSIONING_FLAGS = dynamic_config_flags(VERSIONING_CONFIG)
IDENTITY = "stormproof-rolling-deploy"
PROPAGATED = RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED
DRAINED = (
    VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED,
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED,
)


class RollingDeploy:
    """The deploy's versions on one chaos run's queue; from its creation on, the run's
    workload starts every other workflow pinned to the version current at its start.
    `deployment`: how the worker joins it (the adapter's `Adapter.deployment`)."""

    def __init__(self, chaos: ChaosRun, deployment: Deployment, *, pin_every: int = 2):
        self.chaos = chaos
        self.deployment = deployment
        self.name = f"{chaos.tag}-app"  # no '.': Temporal joins it to a build id with one
        self.pin_every = pin_every
        self.workers: dict[str, WorkerProcess] = {}
        self.current: str | None = None
        self.pinned: dict[str, str] = {}  # workflow id -> the build id it was pinned to
        self.auto: set[str] = set()  # started without a pin: the worker's auto-upgrade
        self.routed_at: dict[str, datetime] = {}  # build id -> when it became current
        self.retired: dict[str, int | None] = {}  # build id -> its worker's exit code
        self._starts = 0
        config = chaos.world.client.config()
        config["interceptors"] = [*config["interceptors"], _Pins(self)]
        chaos.workload.client = Client(**config)

    def version(self, build_id: str) -> WorkerDeploymentVersion:
        return WorkerDeploymentVersion(deployment_name=self.name, build_id=build_id)

    def pin_for(self, workflow_id: str) -> WorkerDeploymentVersion | None:
        """The version a start of `workflow_id` is pinned to (None: auto-upgrade); a start
        retried under the same id keeps its first answer."""
        if workflow_id not in self.pinned and workflow_id not in self.auto:
            self._starts += 1
            if self.current is None or self._starts % self.pin_every:
                self.auto.add(workflow_id)
            else:
                self.pinned[workflow_id] = self.current
        build_id = self.pinned.get(workflow_id)
        return None if build_id is None else self.version(build_id)

    def choose(self, workflow_id: str, *, pinned: bool) -> None:
        """Decide `workflow_id`'s start now: pinned to the current version, or auto-upgrade."""
        if pinned and self.current is not None:
            self.pinned[workflow_id] = self.current
        else:
            self.auto.add(workflow_id)

    async def describe(self) -> WorkerDeploymentInfo:
        client = self.chaos.world.client
        answer = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=self.name)
        )
        return answer.worker_deployment_info

    async def _summary(self, build_id: str) -> Any | None:
        info = await self.describe()
        found = [s for s in info.version_summaries if s.deployment_version.build_id == build_id]
        return found[0] if found else None

    async def start_version(self, build_id: str, release: Release | None = None) -> WorkerProcess:
        """The worker as version `build_id`, running `release` (None: the adapter's worker
        as it is), ready once Temporal knows the version."""
        base = self.chaos.endpoints()
        d = self.deployment
        env = {**base.extra_env, d.name_variable: self.name, d.build_id_variable: build_id}
        if d.behavior_variable:
            env[d.behavior_variable] = d.auto_upgrade
        command = (release.worker_cmd if release else None) or self.chaos.world.worker_argv
        argv = [*command, *(release.args if release else [])]
        worker = WorkerProcess(
            argv,
            replace(base, extra_env=env),
            task_queue=self.chaos.task_queue,
            log_dir=self.chaos.tmp,
            name=f"worker-{build_id}",
        )
        self.chaos.workers.append(worker.start())
        self.workers[build_id] = worker

        async def known() -> bool:
            code = worker.process.returncode()
            assert code is None, f"worker {build_id} exited {code}:\n{worker.log()}"
            return await self._summary(build_id) is not None

        await wait_for(
            known,
            what=f"version {self.version(build_id).to_canonical_string()} to poll",
            timeout=60,
            interval=0.2,
            retry_on=(RPCError,),  # NOT_FOUND until its first poll creates the deployment
            logs=self.chaos.logs(),
        )
        await self.chaos.metrics.start(self.chaos.fault, self.chaos.metric_urls())
        return worker

    async def set_current(self, build_id: str) -> None:
        """Make `build_id` current and wait until every task queue routes to it."""
        client = self.chaos.world.client
        request = SetWorkerDeploymentCurrentVersionRequest(
            namespace=client.namespace,
            deployment_name=self.name,
            build_id=build_id,
            identity=IDENTITY,
        )

        async def routed() -> bool:
            info = await self.describe()
            config = info.routing_config
            if config.current_deployment_version.build_id != build_id:
                # FAILED_PRECONDITION while the version has not polled every queue type yet
                await client.workflow_service.set_worker_deployment_current_version(request)
                return False
            return info.routing_config_update_state == PROPAGATED

        await wait_for(
            routed,
            what=f"{self.version(build_id).to_canonical_string()} current on every task queue",
            timeout=60,
            interval=0.2,
            retry_on=(RPCError,),
            logs=self.chaos.logs(),
        )
        self.current = build_id
        self.routed_at[build_id] = datetime.now(UTC)

    async def retire(self, build_id: str, timeout: float = 120) -> int | None:
        """Wait until Temporal reports `build_id` drained (no open run pinned to it), then
        stop its worker (SIGTERM, its graceful drain); its exit code is kept."""

        async def drained() -> bool:
            summary = await self._summary(build_id)
            return summary is not None and (
                summary.drainage_status in DRAINED or summary.status in DRAINED
            )

        await wait_for(
            drained,
            what=f"{self.version(build_id).to_canonical_string()} drained of pinned runs",
            timeout=timeout,
            interval=0.5,
            retry_on=(RPCError,),
            logs=self.chaos.logs(),
        )
        code = self.workers[build_id].stop(grace=15)
        self.retired[build_id] = code
        return code


class Rollout(Nemesis):
    """The deploy as a fault of the run: inject starts `release` as `build_id` and makes it
    current while the old version's runs are in flight; heal retires the old version once
    drained."""

    name = "rolling-deploy"

    def __init__(self, deploy: RollingDeploy, build_id: str, release: Release):
        self.deploy, self.build_id, self.release = deploy, build_id, release
        self.old = deploy.current
        self._healed = False

    async def inject(self) -> None:
        await self.deploy.start_version(self.build_id, self.release)
        await self.deploy.set_current(self.build_id)

    async def heal(self) -> None:
        if self._healed or self.old is None or self.deploy.current != self.build_id:
            return  # nothing to retire: the switch never happened (or healed already)
        self._healed = True
        await self.deploy.retire(self.old)

    def describe(self) -> dict[str, Any]:
        code = self.release.workflows
        return {"fault": self.name, "from": self.old, "to": self.build_id, "code": code}


class _Pins(Interceptor):
    def __init__(self, deploy: RollingDeploy):
        self.deploy = deploy

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _PinningStarts(next, self.deploy)


class _PinningStarts(OutboundInterceptor):
    """Starts every workflow the deploy pins with a PinnedVersioningOverride."""

    def __init__(self, next: OutboundInterceptor, deploy: RollingDeploy):
        super().__init__(next)
        self.deploy = deploy

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        version = self.deploy.pin_for(input.id)
        if version is not None:
            input.versioning_override = PinnedVersioningOverride(version)
        return await super().start_workflow(input)
