"""The chaos report's table, stats and HTML, judged on synthetic records (no servers).

The HTML must hold one chart per chaos test with its verdict, open offline (no external
reference at all), and say "rejected as expected" for a negative control; the terminal
table must fit 100 columns and explain its symbols; the stats must measure what the
README says they measure.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stormproof.checker import Op
from stormproof.report import ChaosRecord
from stormproof.report import html as chaos_html
from stormproof.report.stats import compute, percentile
from stormproof.report.table import LEGEND, REJECTED, WIDTH, render, summarize


def history(workflows: int, fault_at: float = 2.0, heal_at: float = 5.0) -> list[Op]:
    """Starts every 0.1 s, each completing 0.5 s later, except those started in the fault
    window, which complete 1 s after the heal."""
    ops: list[Op] = []

    def add(t: float, type_: str, f: str, wid: str | None = None, **value: Any) -> None:
        ops.append(Op(index=len(ops), time=1000 + t, process="p", type=type_, f=f,
                      workflow_id=wid, value=value))  # fmt: skip

    add(0, "ok", "phase", phase="warm-up")
    add(fault_at, "ok", "fault", fault="link-down")
    add(heal_at, "ok", "heal", fault="link-down")
    for n in range(workflows):
        start = n * 0.1
        done = heal_at + 1 if fault_at <= start <= heal_at else start + 0.5
        add(start, "invoke", "start", f"w{n}")
        add(start + 0.01, "ok", "start", f"w{n}")
        add(done, "ok", "step", f"w{n}", kind="workflow")
        add(done + 0.1, "ok", "result", f"w{n}")
    return ops


def record(fault: str, verdict: str = "valid", **extra: Any) -> ChaosRecord:
    stats = compute(history(60))
    result = {
        "verdict": verdict,
        "workflows": 60,
        "accepted": 60,
        "completed": 60,
        "failed": 0,
        "faults_injected": 1,
        "lost": {"runs": 0},
        "unexpected": {},
        "duplicated": {"deliveries": 1 if verdict == "invalid" else 0},
        "wasted_llm_calls": 0,
        "recovery_seconds": [0.4],
        "anomalies": [
            {
                "bug": "duplicate-effect",
                "workflow_id": "w3",
                "effect": "deliveries",
                "detail": "w3 (ReportWorkflow): 2 deliveries where exactly one is owed",
            }
        ]
        if verdict == "invalid"
        else [],
    }
    found = {"fault": fault, "test": f"t::{fault}", "result": result, "stats": stats, **extra}
    return ChaosRecord.model_validate(found)


def test_stats_measure_latency_throughput_and_drain() -> None:
    stats = compute(history(120))
    assert stats.workflows == 120
    assert stats.outcomes["start"] == {"ok": 120, "fail": 0, "info": 0}
    assert sum(stats.starts_per_s) == 120 and sum(stats.completions_per_s) == 120
    assert stats.latency.p50 == 0.5
    # Started at 2.0 s (in the window), completed at 6.0 s: the worst latency.
    assert stats.latency.max == 4.0
    # The backlog started before the heal (5 s) completed at 6 s.
    assert stats.drain_seconds == 1.0
    assert stats.faults[0].start == 2.0 and stats.faults[0].end == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([], 99) is None


def test_in_flight_counts_the_work_the_first_fault_could_meet() -> None:
    ops: list[Op] = []

    def add(t: float, type_: str, f: str, wid: str | None = None, **value: Any) -> None:
        ops.append(Op(index=len(ops), time=1000 + t, process="p", type=type_, f=f,
                      workflow_id=wid, value=value))  # fmt: skip

    add(0.0, "invoke", "start", "closed-before")
    add(1.0, "ok", "step", "closed-before", kind="workflow")
    add(1.0, "invoke", "start", "open")
    add(3.0, "ok", "step", "open", kind="workflow")
    add(1.5, "invoke", "start", "never-completed")
    add(2.5, "invoke", "start", "after")
    assert compute(ops).in_flight_at_fault is None  # no fault: nothing to meet
    add(2.0, "ok", "fault", fault="link-down")
    add(4.0, "ok", "fault", fault="worker-kill")  # only the first fault counts
    assert compute(ops).in_flight_at_fault == 2


def test_the_table_fits_100_columns_and_explains_its_symbols() -> None:
    records = [
        record("worker-temporal-link:latency-jitter"),
        record(
            "negative-control:memory_dedup:llm (must be invalid)",
            "invalid",
            outcome="passed",
        ),
        record(
            "negative-control:non_idempotent_notify (must be invalid)",
            "valid",
            outcome="failed",
        ),
        record("a-fault-name-that-is-much-longer-than-anything-the-suite-uses-today"),
    ]
    lines = render(summarize(records))
    assert all(len(line) <= WIDTH for line in lines), max(lines, key=len)
    table = "\n".join(lines)
    assert REJECTED in table and "NOT REJECTED" in table
    assert "invalid" not in lines[3]  # the rejected control does not look like a failure
    for symbol in ("wf", "infl", "lost", "dup", "LLM+", "p50s", "p99s", "drain", "recov", "'-'"):
        assert symbol in " ".join(LEGEND), symbol


def test_the_html_legend_names_the_pages_own_headings() -> None:
    """The page spells its columns out; its legend explains those words, not the
    terminal's abbreviations."""
    from stormproof.report.html import HTML_LEGEND, SUMMARY

    legend = " ".join(HTML_LEGEND)
    for key, label in SUMMARY:
        if key not in (
            "fault",
            "tests",
            "shown",
            "latency_p50_s",
            "latency_p95_s",
            "latency_p99_s",
        ):
            assert label in legend, label
    assert "wf:" not in legend and "LLM+" not in legend


def test_html_has_one_chart_per_test_with_its_verdict(tmp_path: Path) -> None:
    records = [
        record("link-down-2s"),
        record("sink-down-30s"),
        record(
            "negative-control:x (must be invalid)",
            "invalid",
            outcome="passed",
        ),
        record("postgres-restart", "invalid", outcome="failed"),
    ]
    target = tmp_path / "chaos.html"
    chaos_html.write(target, records, seed=7)
    page = target.read_text()
    charts = re.findall(r'<figure class="chart" data-fault="([^"]+)"><svg', page)
    assert sorted(charts) == sorted(r.fault for r in records)
    sections = page.split("<section>")[1:]
    verdicts = {
        re.search(r"<h2>(.*?) <span", s).group(1): re.search(
            r'<span class="\w+">(.*?)</span>', s
        ).group(1)  # type: ignore[union-attr]
        for s in sections
    }
    assert verdicts == {
        "link-down-2s": "valid",
        "sink-down-30s": "valid",
        "negative-control:x (must be invalid)": REJECTED,
        "postgres-restart": "FAILED (invalid)",
    }
    assert "2 deliveries where exactly one is owed" in page  # the problems are listed
    # Self-contained: nothing is fetched, so it opens offline (SVG namespaces are names only).
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script" not in page


def test_metric_deltas_are_a_table_of_metrics_by_fault_window(tmp_path: Path) -> None:
    deltas = {"link-down": {"activity_retries": 12.0, "poll_errors": 3.0}, "heal": {}}
    page = chaos_html.render([record("link-down-2s", metric_deltas=deltas)], seed=1)
    table = re.search(r'<table class="metrics">(.*?)</table>', page)
    assert table, "the metric deltas are rendered as a table"
    rows = re.findall(r"<tr><th>(\w+)</th>(.*?)</tr>", table.group(1))
    assert [name for name, _ in rows][1:] == ["activity_retries", "poll_errors"]  # after the head
    assert "12.00" in rows[1][1] and "-" in rows[1][1]  # a window without it says '-'
    assert chaos_html.render([record("quiet")], seed=1).count('class="metrics"') == 0
