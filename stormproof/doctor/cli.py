"""`stormproof doctor`: diagnose a Temporal deployment and the worker on it.

The connection options are the suite's own (fixtures/config.py OPTIONS), resolved the same
way (option > TEMPORAL_* environment > default), with short aliases (--address, --ca, ...)
because the doctor is typed by hand more often than pytest is. Exit code 0 when every
check passed (opt-in checks may be skipped), 1 when one failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from stormproof.doctor.checks import config_failure, run_doctor
from stormproof.doctor.models import DoctorOptions, DoctorReport, TargetSummary
from stormproof.doctor.report import render_json, render_table
from stormproof.fixtures.config import OPTIONS, resolve
from stormproof.fixtures.errors import ConfigError

# suite field -> the doctor's short alias, next to the suite's own flag
ALIASES = {
    "address": "--address",
    "namespace": "--namespace",
    "api_key": "--api-key",
    "tls": "--tls",
    "tls_cert": "--cert",
    "tls_key": "--key",
    "tls_ca": "--ca",
    "tls_server_name": "--server-name",
    "profile": "--profile",
    "config_file": "--config-file",
    "task_queue": "--task-queue",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stormproof doctor",
        description="Staged checks of a Temporal target and worker, stopping at the first "
        "failure with its diagnosis and fix.",
    )
    for option in OPTIONS:
        if option.field not in ALIASES:
            continue
        flags = dict.fromkeys([ALIASES[option.field], option.flag])
        kwargs: dict[str, object] = {"dest": option.field, "default": None}
        if option.field == "tls":
            kwargs.update(nargs="?", const="true", metavar="true|false")
        p.add_argument(*flags, help=f"{option.help} [env {option.env}]", **kwargs)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--check-llm",
        action="store_true",
        help="also run one StoryWorkflow "
        "(ONE real LLM call through the worker) to check its LLM credentials",
    )
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per network probe/RPC")
    p.add_argument("--ping-timeout", type=float, default=10.0, help="seconds for PingWorkflow")
    p.add_argument("--llm-timeout", type=float, default=30.0, help="seconds for --check-llm")
    p.add_argument(
        "--alternate-port",
        type=int,
        action="append",
        dest="alternate_ports",
        help="port to try on the same host when the given one is wrong (default 443, 7233)",
    )
    p.add_argument(
        "--metrics-url",
        action="append",
        dest="metrics_urls",
        metavar="URL",
        help="also check that this Prometheus endpoint answers (repeatable), e.g. the "
        "worker's http://HOST:PORT/metrics from STORMPROOF_METRICS_ADDRESS",
    )
    return p


def diagnose(argv: list[str]) -> DoctorReport:
    args = parser().parse_args(argv)
    cli = {field: getattr(args, field, None) for field in ALIASES}
    options = DoctorOptions(
        connect_timeout=args.timeout,
        ping_timeout=args.ping_timeout,
        check_llm=args.check_llm,
        llm_timeout=args.llm_timeout,
        alternate_ports=tuple(args.alternate_ports or (443, 7233)),
        metrics_urls=tuple(args.metrics_urls or ()),
    )
    try:
        config = resolve(cli, dict(os.environ), {}, flags=ALIASES)
    except ConfigError as exc:
        summary = TargetSummary(
            address=cli.get("address") or os.environ.get("TEMPORAL_ADDRESS"),
            namespace=cli.get("namespace") or os.environ.get("TEMPORAL_NAMESPACE") or "default",
            task_queue=cli.get("task_queue"),
            tls=False,
        )
        return config_failure(exc, summary)
    return asyncio.run(run_doctor(config, options))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    report = diagnose(argv)
    print(render_json(report) if "--json" in argv else render_table(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
