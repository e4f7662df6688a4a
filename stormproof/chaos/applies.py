"""Which chaos tests apply to an adapter: by the effect kinds its units declare, not by name.

A chaos test states the effect kinds its fault needs with `needs(LlmCalls, ...)` (the
`needs` marker; `needs()`: nothing beyond units to start). Under an adapter whose units declare
none of a needed kind the test is skipped, and the reason names the missing declaration
and the row that needs it: "no HttpDeliveries effect: the sink-down-30s row needs one".
The scenarios then pick their victims among the units that owe the effect
(`units_owing`), so the same test drives the reference's units and a team's.

The hooks are the `stormproof-chaos` plugin's (stormproof/chaos/fixtures.py imports them);
the adapter is the run's (`--adapter`, else the reference's contract).
"""

from __future__ import annotations

import pytest

from stormproof.adapter import Adapter, Deployment, Effect, Unit

NEEDS = "needs"
EffectType = type  # one of stormproof.adapter's effect classes: LlmCalls, HttpDeliveries, ...


def needs(*kinds: EffectType) -> pytest.MarkDecorator:
    """The `needs` marker for these effect kinds (or `Deployment`: the adapter declares
    one): `pytestmark = [needs(LlmCalls)]`.
    (`pytest.mark.needs(LlmCalls)` would mark the class LlmCalls itself, not the test.)"""
    return pytest.mark.needs.with_args(*kinds)


def units_owing(adapter: Adapter, kind: EffectType) -> list[Unit]:
    """The adapter's units that declare an effect of `kind` (LlmCalls, Rows...), in order;
    not those that declare Updates, which only the rows sending Updates start (-m updates)."""
    return [u for u in adapter.plain_units if any(isinstance(e, kind) for e in u.effects)]


def effects_owed(adapter: Adapter, kind: EffectType) -> list[Effect]:
    """Every effect of `kind` the adapter's units without Updates declare, in order."""
    return [e for u in adapter.plain_units for e in u.effects if isinstance(e, kind)]


def missing(adapter: Adapter, kinds: tuple[EffectType, ...], row: str) -> str | None:
    """Why a row needing `kinds` cannot apply to `adapter` (None: it applies). `Deployment`
    among them: the adapter must declare one (`Adapter.deployment`: the rolling deploy)."""
    if Deployment in kinds and adapter.deployment is None:
        return (
            f"no deployment: the {row} row ships the worker's next release and "
            f"{adapter.name!r} declares none (Adapter.deployment, docs/ADAPTERS.md)"
        )
    lacking = [k.__name__ for k in kinds if k is not Deployment and not units_owing(adapter, k)]
    if not lacking:
        return None
    ones = " and ".join(lacking)
    return f"no {ones} effect: the {row} row needs one (no unit of {adapter.name!r} declares it)"


def row_of(item: pytest.Item) -> str:
    """The test's row in the chaos table: its `chaos(fault=...)` marker, else its name."""
    for marker in item.iter_markers("chaos"):
        if marker.kwargs.get("fault"):
            return str(marker.kwargs["fault"])
    return item.name


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{NEEDS}(*effect_kinds): the effect kinds (stormproof.adapter's LlmCalls, "
        "HttpDeliveries, Rows, Files, ServiceCalls) this chaos test's fault needs; skipped, "
        "naming the missing one, under an adapter that declares none",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip each test marked `needs` whose kinds the run's adapter does not declare."""
    from stormproof.plugin import ADAPTER_KEY

    adapter = config.stash.get(ADAPTER_KEY, None)
    if adapter is None:
        return
    for item in items:
        kinds = tuple(k for m in item.iter_markers(NEEDS) for k in m.args)
        reason = missing(adapter, kinds, row_of(item)) if kinds else None
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
