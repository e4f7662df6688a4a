"""The worker stages against real workers behind the TLS ingress: the reference worker,
the same worker without LLM credentials, a foreign worker, and nobody at all."""

from __future__ import annotations

import pytest

from stormproof.deployment import FAST, Deployment, assert_diagnosis
from stormproof.doctor import STAGE_NAMES
from stormproof.world import FakeLlm, IngressKind, WorkerProcess


async def test_good_ingress_and_worker_pass_every_check(
    deployment: Deployment, deployed_worker: WorkerProcess, fake_llm: FakeLlm
) -> None:
    options = FAST.model_copy(update={"check_llm": True})
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        options,
        task_queue=deployed_worker.task_queue,
        **deployment.tls_settings(),
    )
    assert [c.name for c in report.checks] == list(STAGE_NAMES)
    assert [c.status.value for c in report.checks] == ["pass"] * len(STAGE_NAMES), report.checks
    assert report.exit_code == 0
    assert report.check("ping").details["latency_ms"] < FAST.ping_timeout * 1000
    assert report.check("pollers").details["workflow_pollers"], "poller identities are shown"


async def test_llm_check_is_opt_in(deployment: Deployment, deployed_worker: WorkerProcess) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        task_queue=deployed_worker.task_queue,
        **deployment.tls_settings(),
    )
    assert report.ok
    llm = report.check("llm_credentials")
    assert (llm.status.value, llm.code) == ("skip", "llm_not_checked")
    assert "one LLM call" in llm.diagnosis


async def test_task_queue_name_mismatch_has_no_pollers(
    deployment: Deployment, deployed_worker: WorkerProcess
) -> None:
    typo = deployed_worker.task_queue + "-typo"
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2), task_queue=typo, **deployment.tls_settings()
    )
    assert_diagnosis(
        report, "pollers", "no_pollers", f"no worker polls task queue {typo!r}", "differently"
    )


@pytest.mark.negative_control
async def test_a_different_process_on_the_queue_fails_the_ping(
    deployment: Deployment, foreign_worker: WorkerProcess
) -> None:
    options = FAST.model_copy(update={"ping_timeout": 4.0})
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        options,
        task_queue=foreign_worker.task_queue,
        **deployment.tls_settings(),
    )
    # billing-service@build-42 is the identity the foreign_worker twin polls with.
    assert_diagnosis(
        report, "ping", "wrong_worker", "billing-service@build-42", "PingWorkflow", "not a contract"
    )
    # the failed workflow task is the diagnosis: no need to sit out the ping timeout
    assert report.check("ping").elapsed < options.ping_timeout


async def test_worker_without_llm_credentials(
    deployment: Deployment, keyless_worker: WorkerProcess, fake_llm: FakeLlm
) -> None:
    options = FAST.model_copy(update={"check_llm": True})
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        options,
        task_queue=keyless_worker.task_queue,
        **deployment.tls_settings(),
    )
    assert_diagnosis(
        report,
        "llm_credentials",
        "llm_credentials_missing",
        "OPENAI_API_KEY",
        "worker's environment",
    )
