"""--chaos-html: one self-contained HTML file a person opens after a chaos run.

A summary table (the terminal's, with full fault names), then per chaos test a timeline:
starts and completions per second (left axis), each workflow's start-to-completion latency
as a point at its completion time (right axis), the fault window shaded and the heal
marked, then the checker's verdict and the problems it listed. Charts are drawn with
matplotlib into inline SVG: no script, no CDN, it opens offline and prints; matplotlib is
imported only when a report is written. docs/CHAOS.md explains how to read it.
"""

from __future__ import annotations

import html
import io
import json
import time
from pathlib import Path
from typing import Any

from stormproof.report.model import ChaosRecord
from stormproof.report.stats import ChaosStats
from stormproof.report.table import REJECTED, FaultRow, summarize

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px;color:#222}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px}
td.n{text-align:right}th{background:#f0f0f0}.bad{color:#b00;font-weight:bold}
.good{color:#070}section{border-top:2px solid #ddd;margin-top:2em;padding-top:.5em}
figure{margin:0}svg{max-width:100%;height:auto}ul.problems{font-family:monospace;font-size:13px}
"""
SUMMARY = (
    ("fault", "fault"),
    ("tests", "tests"),
    ("workflows", "workflows judged"),
    ("in_flight", "in flight at the fault"),
    ("lost", "lost"),
    ("duplicated", "duplicated"),
    ("wasted_llm_calls", "wasted LLM calls"),
    ("latency_p50_s", "p50 s"),
    ("latency_p95_s", "p95 s"),
    ("latency_p99_s", "p99 s"),
    ("latency_max_s", "max s"),
    ("drain_s", "drain s"),
    ("recovery_max_s", "recovery max s"),
    ("shown", "verdict"),
)

# The terminal's LEGEND explains its short column names; this one the page's own headings.
HTML_LEGEND = (
    "workflows judged: the workflows the verdict covers; in flight at the fault: of them,",
    "those open when the first fault struck; lost / duplicated: workflows or effects lost or",
    "duplicated; wasted LLM calls: calls beyond the attempts Temporal recorded; p50 to max s:",
    "start-to-completion latency; drain s: seconds from the heal until the backlog started",
    "before it completed; recovery max s: most seconds from a heal to the next completed",
    "step; '-': not measured (no fault, no heal, no completion); a control is a broken twin",
    "the checker must reject; FAILED (valid): the test failed on a check beyond the verdict.",
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def _verdict_class(shown: str) -> str:
    return "good" if shown in ("valid", REJECTED) else "bad"


def chart_svg(stats: ChaosStats, title: str) -> str:
    """The timeline of one chaos test as an inline <svg> element."""
    import matplotlib  # heavy: imported only when a report is written

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small and searchable
    starts, done = stats.starts_per_s, stats.completions_per_s
    fig, ax = plt.subplots(figsize=(12, 3.6), dpi=100)
    seconds = list(range(len(starts)))
    ax.step(seconds, starts, where="post", color="#1f77b4", label="starts / s")
    ax.step(seconds, done, where="post", color="#2ca02c", label="completions / s")
    ax.set_xlabel("seconds since the first operation")
    ax.set_ylabel("workflows per second")
    end = stats.duration
    for i, window in enumerate(stats.faults):
        stop = window.end
        ax.axvspan(
            window.start,
            stop if stop is not None else end,
            color="#d62728",
            alpha=0.15,
            label="fault window" if i == 0 else None,
        )
        if stop is not None:
            ax.axvline(stop, color="#d62728", linestyle="--", label="heal" if i == 0 else None)
        # Which fault the band is, along its left edge (a soak shows several kinds).
        ax.annotate(
            window.fault,
            (window.start, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            va="top",
            ha="right",
            color="#8c1c1c",
        )
    drain = stats.phases.get("drain")
    if drain is not None:
        ax.axvline(drain, color="#7f7f7f", linestyle=":", label="load stops (drain)")
    points = stats.latency_points
    right = ax.twinx()
    right.scatter(
        [p[0] for p in points], [p[1] for p in points], s=8, color="#ff7f0e", label="latency"
    )
    right.set_ylabel("latency s (start to completion)")
    right.set_ylim(bottom=0)
    ax.set_ylim(bottom=0)
    ax.set_xlim(0, max(end, 1))
    handles = ax.get_legend_handles_labels()
    extra = right.get_legend_handles_labels()
    ax.legend(  # beside the plot, never over the points
        handles[0] + extra[0],
        handles[1] + extra[1],
        loc="upper left",
        bbox_to_anchor=(1.07, 1.0),
        fontsize=8,
    )
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _summary(rows: list[FaultRow]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in SUMMARY)
    body = []
    for row in rows:
        cells = []
        for key, _ in SUMMARY:
            value = getattr(row, key)
            css = _verdict_class(value) if key == "shown" else ""
            css = css or ("n" if key not in ("fault",) else "")
            cells.append(f'<td class="{css}">{_cell(value)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    legend = html.escape(" ".join(HTML_LEGEND))
    return f"<table><tr>{head}</tr>{''.join(body)}</table><p><small>{legend}</small></p>"


def _section(record: ChaosRecord) -> str:
    result, stats = record.result, record.stats or ChaosStats()
    fault = record.fault
    if record.is_control:
        shown = REJECTED if record.outcome == "passed" else "NOT REJECTED"
    else:
        shown = result.verdict if result else "no verdict (the test stopped before the check)"
        if (record.outcome or "passed") != "passed":
            shown = f"FAILED ({shown})"
    latency = stats.latency
    facts = {
        "test": record.test,
        "outcome": record.outcome,
        "workflows judged": result.workflows if result else None,
        "in flight at the first fault": stats.in_flight_at_fault,
        "completed": result.completed if result else None,
        "lost": result.lost if result else None,
        "duplicated": result.duplicated if result else None,
        "wasted LLM calls": result.wasted_llm_calls if result else None,
        "latency p50/p95/p99/max s": "/".join(
            _cell(v) for v in (latency.p50, latency.p95, latency.p99, latency.max)
        ),
        "drain s": stats.drain_seconds,
        "recovery s": result.recovery_seconds if result else None,
        "ok/fail/info": json.dumps(stats.outcomes),
        "load": json.dumps(record.load) if record.load else None,
        "history": record.history,
    }
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{_cell(v)}</td></tr>"
        for k, v in facts.items()
        if v is not None
    )
    problems = result.problems()[:50] if result else []  # each anomaly class first
    listed = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems) or "<li>none</li>"
    chart = chart_svg(stats, fault) if stats.starts_per_s else "<p>no timeline</p>"
    return (
        f'<section><h2>{html.escape(fault)} <span class="{_verdict_class(shown)}">'
        f"{html.escape(shown)}</span></h2>"
        f'<figure class="chart" data-fault="{html.escape(fault)}">{chart}</figure>'
        f"<table>{rows}</table>{_metric_table(record.metric_deltas)}"
        "<h3>problems the checker listed</h3>"
        f'<ul class="problems">{listed}</ul></section>'
    )


def _metric_table(deltas: dict[str, dict[str, float]]) -> str:
    """One row per metric, one column per fault window: what each fault cost, readable at a
    glance (stormproof/metrics.py names them; docs/METRICS.md says what each means)."""
    if not deltas:
        return ""
    windows = list(deltas)
    names = sorted({name for found in deltas.values() for name in found})
    head = "".join(f"<th>{html.escape(w)}</th>" for w in windows)
    body = "".join(
        f"<tr><th>{html.escape(name)}</th>"
        + "".join(f'<td class="n">{_cell(deltas[w].get(name))}</td>' for w in windows)
        + "</tr>"
        for name in names
    )
    return (
        "<h3>metrics: increase from before the fault to after the drain</h3>"
        f'<table class="metrics"><tr><th>metric</th>{head}</tr>{body}</table>'
    )


def render(records: list[ChaosRecord], seed: int | None = None) -> str:
    ordered = sorted(records, key=lambda r: (r.fault, str(r.test)))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Stormproof chaos report</title><style>{STYLE}</style></head><body>"
        f"<h1>Stormproof chaos report</h1><p>{stamp}, seed {seed}, {len(ordered)} chaos tests."
        " Each chart: starts and completions per second (left axis), each workflow's latency"
        " as a point at its completion (right axis), the fault window shaded red, the heal"
        " a dashed red line, the end of the load a dotted grey line.</p>"
        + _summary(summarize(ordered))
        + "".join(_section(r) for r in ordered)
        + "</body></html>"
    )


def write(path: Path, records: list[ChaosRecord], seed: int | None = None) -> None:
    path.write_text(render(records, seed), encoding="utf-8")
