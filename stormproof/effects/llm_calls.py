"""LLM calls: the fake LLM's call log, attributed to runs by the marker in each prompt.

The judge puts a fresh marker in every prompt it sends, so a call belongs to exactly one
run even when many tests share one fake LLM. A call is logged when it arrives, so one
that is held or dropped counts: every request the worker sent is an attempt it spent.
"""

from __future__ import annotations

from collections.abc import Collection

from stormproof.fixtures.fake_llm import FakeLlm, LlmCall


def llm_calls(
    fake_llm: FakeLlm, markers: Collection[str], *, tag: str | None = None
) -> list[LlmCall]:
    """Calls carrying one of `markers`, in arrival order; with `tag`, also every call whose
    prompt carries that tag (a chaos run's), so a call no workflow asked for is seen too."""
    return [
        c for c in fake_llm.calls if c.marker in markers or (tag is not None and tag in c.prompt)
    ]
