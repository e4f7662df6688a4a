"""`stormproof doctor --metrics-url URL`: does a Prometheus endpoint answer, and with what.

Optional and independent of the staged Temporal checks (a worker's metrics port answers
or not whatever Temporal does), so each URL is checked after the stages, every time. A
scrape config pointed at a dead port fails silently in Prometheus (a target marked down
that nobody looks at), which is exactly when a chaos run's metric deltas come back empty;
the doctor says it before the run.
"""

from __future__ import annotations

import httpx

from stormproof.doctor.models import DoctorCheck
from stormproof.metrics import parse

NAME = "metrics"


async def check_metrics(url: str, timeout: float) -> DoctorCheck:
    """One endpoint: reachable, 200, parseable text with at least one sample."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        return DoctorCheck.failed(
            NAME,
            "metrics_unreachable",
            f"{url} does not answer: {type(exc).__name__}: {exc}".rstrip(": "),
            "start the worker with STORMPROOF_METRICS_ADDRESS=host:port (or the API), and "
            "check the host and port of the URL",
            url=url,
        )
    if response.status_code != 200:
        return DoctorCheck.failed(
            NAME,
            "metrics_http_status",
            f"{url} answered HTTP {response.status_code}",
            "point the URL at the /metrics path of the worker's or the API's address",
            url=url,
            status=response.status_code,
        )
    try:
        samples = parse(response.text, url).samples
    except ValueError as exc:
        samples, error = {}, str(exc)
    else:
        error = "no samples"
    if not samples:
        return DoctorCheck.failed(
            NAME,
            "metrics_unparsable",
            f"{url} answered 200 but not Prometheus text ({error})",
            "the URL serves something else: use the metrics endpoint's /metrics path",
            url=url,
        )
    families = sorted({key.split("{")[0] for key in samples})
    sdk = any(name.startswith("temporal_") for name in families)
    return DoctorCheck.passed(
        NAME,
        "metrics_ok",
        f"{url} answers: {len(samples)} samples in {len(families)} series"
        + (", Temporal SDK metrics included" if sdk else ""),
        url=url,
        samples=len(samples),
        temporal_sdk=sdk,
    )
