"""The reference workflows; `WORKFLOWS` is what the worker registers."""

from __future__ import annotations

from stormproof.reference.workflows.chat import ChatSessionWorkflow
from stormproof.reference.workflows.ping import PingWorkflow
from stormproof.reference.workflows.report import ReportWorkflow
from stormproof.reference.workflows.story import StoryWorkflow

WORKFLOWS = [PingWorkflow, StoryWorkflow, ReportWorkflow, ChatSessionWorkflow]
# What replay checks load by default (`--workflows stormproof.reference.workflows:ALL_WORKFLOWS`).
ALL_WORKFLOWS = WORKFLOWS

__all__ = [
    "ALL_WORKFLOWS",
    "WORKFLOWS",
    "ChatSessionWorkflow",
    "PingWorkflow",
    "ReportWorkflow",
    "StoryWorkflow",
]
