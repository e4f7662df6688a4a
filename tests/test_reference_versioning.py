"""The reference worker's versioning variables (reference/versioning.py): off when unset, a
Worker Deployment version when given, and a half-given setting named with its fix."""

from __future__ import annotations

import pytest
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion

from stormproof.reference.settings import SettingsError
from stormproof.reference.versioning import (
    BEHAVIOR,
    BUILD_ID,
    NAME,
    deployment_config,
    describe,
)


def test_unset_means_unversioned() -> None:
    assert deployment_config({}) is None
    assert deployment_config({NAME: " ", BUILD_ID: ""}) is None
    assert describe(None) == ""


@pytest.mark.parametrize(
    ("given", "behavior"),
    [("pinned", VersioningBehavior.PINNED), ("Auto-Upgrade", VersioningBehavior.AUTO_UPGRADE)],
)
def test_a_version_with_its_behaviour(given: str, behavior: VersioningBehavior) -> None:
    config = deployment_config({NAME: "reports", BUILD_ID: "v2", BEHAVIOR: given})
    assert config is not None and config.use_worker_versioning
    assert config.version == WorkerDeploymentVersion("reports", "v2")
    assert config.default_versioning_behavior is behavior
    assert describe(config).startswith(" as deployment version reports.v2 (")


@pytest.mark.parametrize(
    ("env", "named", "fix"),
    [
        ({BUILD_ID: "v1"}, f"{NAME} is unset while {BUILD_ID}='v1'", f"{NAME}=stormproof"),
        ({NAME: "reports"}, f"{BUILD_ID} is unset while {NAME}='reports'", f"{BUILD_ID}=v1"),
        ({NAME: "a.b", BUILD_ID: "v1"}, f"{NAME}='a.b' contains a '.'", "e.g. a-b"),
        ({NAME: "r", BUILD_ID: "v1"}, f"{BEHAVIOR} is unset", "pinned or auto-upgrade"),
        (
            {NAME: "r", BUILD_ID: "v1", BEHAVIOR: "sticky"},
            f"{BEHAVIOR}='sticky' is not a behaviour",
            "pinned or auto-upgrade",
        ),
    ],
)
def test_a_half_given_setting_names_the_variable_and_the_fix(
    env: dict[str, str], named: str, fix: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        deployment_config(env)
    message = str(caught.value)
    assert named in message and "fix:" in message and fix in message, message
