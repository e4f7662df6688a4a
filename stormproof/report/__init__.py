"""What a chaos run and a failed check leave for people and CI to read.

One pytest plugin object owns it (`ReportPlugin`, registered by stormproof/plugin.py at
configure); one typed record per chaos test (`ChaosRecord`, which the chaos engine builds
and every part below reads); the record's way to disk (`records`: the JUnit property, the
history copies, the --chaos-report JSON); the table in the terminal (`table`); latency and
throughput (`stats`); the live `chaos >`/`chaos ~` lines (`progress`, `ticker`); the HTML
timelines (`html`); and the bug class of every failed test (`diagnosis`). The engine and
the report meet only through typed keys on the test item (`keys`): the report never
imports the engine.
"""

from stormproof.report.keys import (
    DIAGNOSIS_KEY,
    HISTORY_KEY,
    LOGS_KEY,
    PROGRESS_KEY,
    RECORD_KEY,
)
from stormproof.report.model import ChaosRecord
from stormproof.report.plugin import ReportPlugin, report_plugin
from stormproof.report.stats import ChaosStats
from stormproof.report.table import FaultRow, summarize
from stormproof.report.ticker import ProgressFile, TestProgress

__all__ = [
    "DIAGNOSIS_KEY",
    "HISTORY_KEY",
    "LOGS_KEY",
    "PROGRESS_KEY",
    "RECORD_KEY",
    "ChaosRecord",
    "ChaosStats",
    "FaultRow",
    "ProgressFile",
    "ReportPlugin",
    "TestProgress",
    "report_plugin",
    "summarize",
]
