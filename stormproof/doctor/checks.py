"""The staged checks, in order, stopping at the first that fails.

Order matters: each stage assumes the ones before it passed (no TLS diagnosis before TCP
works, no namespace check before authentication), so the first failure is the root cause
and the rest are reported as not run rather than as noise. Every stage runs under its own
deadline, so the doctor gives up within seconds with a diagnosis and never hangs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from stormproof.doctor.context import Context
from stormproof.doctor.metrics_check import check_metrics
from stormproof.doctor.models import (
    DoctorCheck,
    DoctorOptions,
    DoctorReport,
    Status,
    TargetSummary,
)
from stormproof.doctor.network import check_dns, check_http2, check_tcp, check_tls
from stormproof.doctor.service import check_auth, check_namespace
from stormproof.doctor.target import summary_of, target_of
from stormproof.doctor.worker_checks import check_llm, check_ping, check_pollers
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.errors import ConfigError

Check = Callable[[Context], Awaitable[DoctorCheck]]

STAGES: tuple[tuple[str, Check], ...] = (
    ("dns", check_dns),
    ("tcp", check_tcp),
    ("tls", check_tls),
    ("http2", check_http2),
    ("auth", check_auth),
    ("namespace", check_namespace),
    ("pollers", check_pollers),
    ("ping", check_ping),
    ("llm_credentials", check_llm),
)
STAGE_NAMES = ("config", *(name for name, _ in STAGES))


def budget(name: str, options: DoctorOptions) -> float:
    """The most one stage may take; probes inside it use shorter timeouts of their own."""
    if name == "ping":
        return options.ping_timeout + 3 * options.connect_timeout
    if name == "llm_credentials":
        return options.llm_timeout + 3 * options.connect_timeout
    # tcp and tls may also probe the alternate ports after their own attempt
    return 3 * options.connect_timeout + 1.5 * len(options.alternate_ports) * 2


async def _run_one(name: str, check: Check, ctx: Context) -> DoctorCheck:
    limit = budget(name, ctx.options)
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(check(ctx), limit)
    except TimeoutError:
        result = DoctorCheck.failed(
            name,
            "check_timeout",
            f"the {name} check gave up after {limit:.0f}s without an answer",
            "the target stalls instead of answering or refusing: check it and its network",
        )
    except Exception as exc:  # a diagnosis, never a bare traceback
        result = DoctorCheck.failed(
            name,
            "check_error",
            f"the {name} check failed unexpectedly: {type(exc).__name__}: {exc}",
            "report this with the output of `stormproof doctor --json`",
        )
    return result.model_copy(update={"elapsed": round(time.monotonic() - started, 3)})


async def run_doctor(config: SuiteConfig, options: DoctorOptions | None = None) -> DoctorReport:
    """Run every stage in order; after the first failure, the rest are skipped."""
    options = options or DoctorOptions()
    try:
        target = target_of(config)
    except ConfigError as exc:
        return config_failure(exc, summary_of(config, None))
    ctx = Context(config=config, target=target, options=options)
    results = [DoctorCheck.passed("config", "config_ok", "settings resolved")]
    try:
        for index, (name, check) in enumerate(STAGES):
            result = await _run_one(name, check, ctx)
            results.append(result)
            if result.status is Status.FAIL:
                results.extend(_not_run(STAGES[index + 1 :], name))
                break
    finally:
        ctx.client = None
    # Independent of Temporal: every endpoint asked for is checked, whatever failed above.
    for url in options.metrics_urls:
        results.append(await check_metrics(url, options.connect_timeout))
    return DoctorReport(target=summary_of(config, target), checks=results)


def config_failure(error: ConfigError, config_summary: TargetSummary) -> DoctorReport:
    """Settings that do not even resolve are the first diagnosis, in the same report."""
    failed = DoctorCheck.failed(
        "config", "config_invalid", str(error).split("\n")[0], error.fix or "fix the setting"
    )
    return DoctorReport(target=config_summary, checks=[failed, *_not_run(STAGES, "config")])


def _not_run(stages: tuple[tuple[str, Check], ...], failed: str) -> list[DoctorCheck]:
    return [
        DoctorCheck.skipped(name, "not_run", f"not run: the {failed} check failed")
        for name, _ in stages
    ]
