"""Worker Deployment Versioning for the reference worker, from three optional variables.

Unset, the worker is unversioned, as it always was. Set, the worker polls as one version
of a Worker Deployment (Temporal's `WorkerDeploymentConfig`), so a rolling deploy can run
v1 and v2 side by side: pinned runs stay on the version they started on, auto-upgrade
runs move to whichever version the operator makes current (docs/CONTRACT.md section 1,
stormproof/chaos/rolling_deploy.py). A half-given setting exits 2 naming the variable, its
value and the fix, like every other setting.
"""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import WorkerDeploymentConfig

from stormproof.reference.settings import SettingsError

NAME = "STORMPROOF_DEPLOYMENT_NAME"
BUILD_ID = "STORMPROOF_BUILD_ID"
BEHAVIOR = "STORMPROOF_VERSIONING_BEHAVIOR"
BEHAVIORS = {
    "pinned": VersioningBehavior.PINNED,
    "auto-upgrade": VersioningBehavior.AUTO_UPGRADE,
}
VARIABLES = {
    NAME: "Worker Deployment name; with STORMPROOF_BUILD_ID turns versioning on (off when unset)",
    BUILD_ID: "this worker's build id within STORMPROOF_DEPLOYMENT_NAME, e.g. v2",
    BEHAVIOR: "pinned or auto-upgrade: what a run started on this version does on a deploy",
}


def deployment_config(env: Mapping[str, str]) -> WorkerDeploymentConfig | None:
    """The worker's deployment version from `env`, or None when versioning is off."""
    name, build_id, behavior = (env.get(v, "").strip() for v in (NAME, BUILD_ID, BEHAVIOR))
    if not (name or build_id or behavior):
        return None
    if not name:
        raise SettingsError(
            f"{NAME} is unset while {_given(env, BUILD_ID, BEHAVIOR)}; fix: set {NAME} to the "
            f"Worker Deployment's name (e.g. {NAME}=stormproof), or unset the others"
        )
    if "." in name:
        raise SettingsError(
            f"{NAME}={name!r} contains a '.', which Temporal reserves to join it with the "
            f"build id; fix: use a name without dots, e.g. {name.replace('.', '-')}"
        )
    if not build_id:
        raise SettingsError(
            f"{BUILD_ID} is unset while {NAME}={name!r}; fix: set {BUILD_ID} to this "
            f"worker's version within the deployment, e.g. {BUILD_ID}=v1"
        )
    chosen = BEHAVIORS.get(behavior.lower())
    if chosen is None:
        shown = f"={behavior!r} is not a behaviour" if behavior else " is unset"
        raise SettingsError(
            f"{BEHAVIOR}{shown} while {NAME}={name!r}; fix: set it to "
            f"{' or '.join(BEHAVIORS)} (what a run started on this version does when "
            "another version becomes current)"
        )
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=name, build_id=build_id),
        use_worker_versioning=True,
        default_versioning_behavior=chosen,
    )


def describe(config: WorkerDeploymentConfig | None) -> str:
    """For the ready line: ' as deployment version NAME.BUILD (behaviour)', or ''."""
    if config is None:
        return ""
    behavior = {v: k for k, v in BEHAVIORS.items()}[config.default_versioning_behavior]
    return f" as deployment version {config.version.to_canonical_string()} ({behavior})"


def _given(env: Mapping[str, str], *names: str) -> str:
    return " and ".join(f"{n}={env[n].strip()!r}" for n in names if env.get(n, "").strip())
