"""The reference workflows; `WORKFLOWS` is what the worker registers."""

from __future__ import annotations

from reference.workflows.ping import PingWorkflow
from reference.workflows.report import ReportWorkflow
from reference.workflows.story import StoryWorkflow

WORKFLOWS = [PingWorkflow, StoryWorkflow, ReportWorkflow]

__all__ = ["WORKFLOWS", "PingWorkflow", "ReportWorkflow", "StoryWorkflow"]
