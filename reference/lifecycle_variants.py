"""A deliberately BROKEN worker: the lifecycle suite's negative control. Never deploy.

    python -m stormproof.reference.lifecycle_variants exits_on_cancel [--task-queue Q]

- exits_on_cancel: when an LLM call is cancelled (the workflow was cancelled, or its
  heartbeat timed out), the activity passes the CancelledError on to the process's main
  task, as code that treats "cancelled" as "we are shutting down" does. The process dies
  with a traceback and every other in-flight activity and poller goes with it.

Everything else is the reference worker (reference/worker.py), with its real activities.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

from temporalio import activity

from stormproof.reference.activities import LlmActivities, build_activities
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings
from stormproof.reference.worker import run


class ExitsOnCancelLlm(LlmActivities):
    """The real LLM call, except that a cancellation escapes into the main task."""

    def __init__(self, settings: WorkerSettings, main_task: asyncio.Task[Any]) -> None:
        super().__init__(settings)
        self._main_task = main_task

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        try:
            return await super().llm_call(request)
        except asyncio.CancelledError:
            # BROKEN ON PURPOSE: "cancelled" is not "shut down"; this kills the process.
            print("llm_call cancelled: re-raising CancelledError in the main task", flush=True)
            self._main_task.cancel()
            raise


def _exits_on_cancel(settings: WorkerSettings) -> list[Callable[..., Any]]:
    # Called from stormproof.reference.worker.serve, so the current task is the process's main task.
    main_task = asyncio.current_task()
    assert main_task is not None
    return build_activities(settings, llm=ExitsOnCancelLlm(settings, main_task))


VARIANTS: dict[str, Callable[[WorkerSettings], list[Callable[..., Any]]]] = {
    "exits_on_cancel": _exits_on_cancel,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in VARIANTS:
        names = ", ".join(VARIANTS)
        print(
            f"usage: python -m stormproof.reference.lifecycle_variants {{{names}}}", file=sys.stderr
        )
        return 2
    return run(args[1:], activities_factory=VARIANTS[args[0]], variant=args[0])


if __name__ == "__main__":
    sys.exit(main())
