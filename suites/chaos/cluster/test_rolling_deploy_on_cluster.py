"""The rolling deploy with Worker Deployment Versioning, and its unpatched twin, on the
four-service cluster.

The same two tests as suites/chaos/rolling (imported, not copied), judged on the world of
this folder: frontend, history, matching and worker as four processes on PostgreSQL, whose
dynamic config switches versioning on (conftest.py). Matching routes each task to its
version, the worker service runs the deployment's own workflows and history records where
each task ran, so the deploy is judged where a team's production deploy happens. Marked
`cluster` (`make cluster`), not `rolling_deploy`: `make rolling` keeps the dev server's.
"""

from __future__ import annotations

import pytest

from stormproof.adapter import Deployment
from stormproof.chaos import needs

from ..rolling.test_rolling_deploy import (
    test_negative_control_unpatched_change_is_rejected,
    test_rolling_deploy_of_a_patched_change_under_load,
)

pytestmark = [
    needs(Deployment),  # an adapter whose Adapter.deployment says how to ship its release
    pytest.mark.cluster,
    pytest.mark.chaos(fault="cluster-rolling-deploy"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
]

__all__ = [
    "test_negative_control_unpatched_change_is_rejected",
    "test_rolling_deploy_of_a_patched_change_under_load",
]
