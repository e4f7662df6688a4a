"""The reference workflows; `WORKFLOWS` is what the worker registers."""

from __future__ import annotations

from reference.workflows.ping import PingWorkflow
from reference.workflows.report import ReportWorkflow
from reference.workflows.story import StoryWorkflow

WORKFLOWS = [PingWorkflow, StoryWorkflow, ReportWorkflow]
# What replay checks load by default (`--workflows reference.workflows:ALL_WORKFLOWS`).
ALL_WORKFLOWS = WORKFLOWS

__all__ = ["ALL_WORKFLOWS", "WORKFLOWS", "PingWorkflow", "ReportWorkflow", "StoryWorkflow"]
