"""The chaos report's rows: one per fault, summed over its tests, and the 100-column table.

A new user reads the terminal table first, so it fits 100 columns, says what every symbol
means in a legend under it, and shows a negative control (a broken twin the checker must
reject) as "rejected as expected" rather than a scary `invalid`. Everything else (the
per-test records, the per-workflow problems, the charts) is in the JSON and the HTML.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from pydantic import BaseModel

from stormproof.checker import CheckResult
from stormproof.report.model import ChaosRecord
from stormproof.report.stats import percentile

WIDTH = 100
# Long fault names shortened for the table only; the JSON and HTML keep the full name.
SHORT = (
    ("worker-temporal-link:", "link:"),
    ("negative-control:", "control:"),
    ("effect-then-outage:", "outage-after:"),
    ("effect-then-death:", "death-after:"),
    (" (must be invalid)", ""),
    (" (must stall)", ""),
)
COLUMNS = (
    "fault",
    "wf",
    "infl",
    "lost",
    "dup",
    "LLM+",
    "p50s",
    "p99s",
    "drain",
    "recov",
    "verdict",
)
LEGEND = (
    "wf: workflows judged; infl: of them, open when the first fault struck; lost/dup:",
    "workflows or effects lost/duplicated; LLM+: LLM calls beyond Temporal's attempts;",
    "p50s/p99s: start-to-completion latency (s); drain: s from the heal until the backlog",
    "started before it completed; recov: most s from a heal to the next completed step; '-':",
    "not measured (no fault, no heal, no completion); control: a broken twin the checker must",
    "reject; FAILED (valid): the test failed on a check beyond the verdict.",
    "Details: --chaos-report JSON, --chaos-html charts (docs/CHAOS.md).",
)
REJECTED, NOT_REJECTED = "rejected as expected", "NOT REJECTED"


class FaultRow(BaseModel):
    """One fault's row: its tests summed (the table, the HTML summary, the JSON's `faults`)."""

    fault: str
    tests: int
    workflows: int
    in_flight: int | None  # workflows open when each test's first fault struck, summed
    completed: int
    faults: int
    lost: int
    duplicated: int
    wasted_llm_calls: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    latency_p99_s: float | None
    latency_max_s: float | None
    drain_s: float | None
    recovery_p50_s: float | None
    recovery_max_s: float | None
    verdict: str
    negative_control: bool
    shown: str  # the verdict as a reader should take it: a rejected control is good news


def _verdict(results: list[CheckResult], expected: int) -> str:
    verdicts: set[str] = {r.verdict for r in results} or {"unknown"}
    if "invalid" in verdicts:
        return "invalid"
    return "unknown" if "unknown" in verdicts or len(results) < expected else "valid"


def summarize(records: list[ChaosRecord]) -> list[FaultRow]:
    """One row per fault: sums over its tests, latency over all its workflows."""
    by_fault: dict[str, list[ChaosRecord]] = defaultdict(list)
    for record in records:
        by_fault[record.fault].append(record)
    rows = []
    for fault, group in sorted(by_fault.items()):
        results = [r.result for r in group if r.result]
        stats = [r.stats for r in group if r.stats]
        recovery = [s for r in results for s in r.recovery_seconds]
        latencies = sorted(p[1] for s in stats for p in s.latency_points)
        drains = [s.drain_seconds for s in stats if s.drain_seconds is not None]
        verdict = _verdict(results, len(group))
        control = any(r.is_control for r in group)
        passed = all((r.outcome or "passed") == "passed" for r in group)
        shown = (REJECTED if passed else NOT_REJECTED) if control else verdict
        if not control and not passed:  # a check beyond the verdict failed (or the test broke)
            shown = f"FAILED ({verdict})"
        rows.append(
            FaultRow(
                fault=fault,
                tests=len(group),
                workflows=sum(r.workflows for r in results),
                in_flight=_sum([s.in_flight_at_fault for s in stats]),
                completed=sum(r.completed for r in results),
                faults=sum(r.faults_injected for r in results),
                lost=sum(r.lost_total for r in results),
                duplicated=sum(r.duplicated_total for r in results),
                wasted_llm_calls=sum(r.wasted_llm_calls for r in results),
                latency_p50_s=percentile(latencies, 50),
                latency_p95_s=percentile(latencies, 95),
                latency_p99_s=percentile(latencies, 99),
                latency_max_s=latencies[-1] if latencies else None,
                drain_s=max(drains) if drains else None,
                recovery_p50_s=round(statistics.median(recovery), 2) if recovery else None,
                recovery_max_s=round(max(recovery), 2) if recovery else None,
                verdict=verdict,
                negative_control=control,
                shown=shown,
            )
        )
    return rows


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def short_name(fault: str, width: int) -> str:
    for long, short in SHORT:
        fault = fault.replace(long, short)
    return fault if len(fault) <= width else fault[: width - 1] + "~"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def render(rows: list[FaultRow]) -> list[str]:
    """The table (at most WIDTH columns) and its legend."""
    cells = [
        [
            r.fault,
            str(r.workflows),
            "-" if r.in_flight is None else str(r.in_flight),
            str(r.lost),
            str(r.duplicated),
            str(r.wasted_llm_calls),
            _num(r.latency_p50_s),
            _num(r.latency_p99_s),
            _num(r.drain_s),
            _num(r.recovery_max_s),
            r.shown,
        ]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [list(COLUMNS), *cells]) for i in range(1, len(COLUMNS))]
    room = WIDTH - sum(widths) - 2 * (len(COLUMNS) - 1)
    fault_width = max(len(COLUMNS[0]), min(room, max((len(c[0]) for c in cells), default=5)))
    for c in cells:
        c[0] = short_name(c[0], fault_width)
    fault_width = max(len(COLUMNS[0]), *(len(c[0]) for c in cells))
    widths = [fault_width, *widths]

    def line(values: list[str] | tuple[str, ...]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:-1], widths[1:-1], strict=True)]
        return "  ".join([first, *rest, values[-1]]).rstrip()

    header = line(COLUMNS)
    return [header, "-" * len(header), *(line(c) for c in cells), *LEGEND]
