"""The nemesis role: one small class per fault, each with inject() and heal().

A nemesis only breaks and mends the world; it records nothing itself. ChaosRun.inject and
ChaosRun.heal wrap every call in `fault`/`heal` operations, so the history says exactly
when the world was broken and when it was whole again (recovery is measured from there).
heal() must be safe to call twice and after a failed inject: teardown calls it again.
"""

from __future__ import annotations

from typing import Any


class Nemesis:
    """A fault: `inject()` breaks one part of the world, `heal()` mends it (safe to call twice)."""

    name = "nemesis"

    async def inject(self) -> None:
        raise NotImplementedError

    async def heal(self) -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name}
