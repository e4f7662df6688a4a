"""The continuous generator on a fake workload (no servers): it starts until its quota of
judged workflows, never holds more open than its cap, draws its mix from the seed, records
its phases, and drives each workflow to a recorded result.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stormproof.chaos.generator import Generator, LoadSpec
from stormproof.operations import OperationLog


@dataclass
class Item:
    workflow_id: str
    kind: str
    unit: Any = None


class Handle:
    def __init__(self, workload: FakeWorkload, wid: str):
        self.workload, self.wid = workload, wid

    async def result(self) -> None:
        await asyncio.sleep(self.workload.latency)  # wait-ok: the fake workflow's run time
        self.workload.open.discard(self.wid)


class Client:
    def __init__(self, workload: FakeWorkload):
        self.workload = workload

    def get_workflow_handle(self, wid: str) -> Handle:
        return Handle(self.workload, wid)


@dataclass
class FakeWorkload:
    latency: float = 0.05
    kinds: list[str] = field(default_factory=lambda: ["story", "report"])
    planned: list[Item] = field(default_factory=list)
    open: set[str] = field(default_factory=set)
    most_open: int = 0
    results: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = Client(self)

    def plan(self, kind: str) -> Item:
        item = Item(f"w{len(self.planned) + 1}", kind)
        self.planned.append(item)
        return item

    async def start(self, item: Item) -> bool:
        self.open.add(item.workflow_id)
        self.most_open = max(self.most_open, len(self.open))
        return True

    async def await_result(self, item: Item, give_up: float, *, poll: float = 0.25) -> None:
        assert item.workflow_id not in self.open, "results are awaited once the run closed"
        self.results.append(item.workflow_id)


def run(spec: LoadSpec, tmp_path: Path, seed: int = 7, **fake: Any) -> tuple[Generator, Any]:
    workload = FakeWorkload(**fake)
    history = OperationLog(tmp_path / f"history-{seed}.jsonl")

    async def main() -> Generator:
        async with Generator(workload, history, random.Random(seed), spec) as load:  # type: ignore[arg-type]
            pass
        return load

    return asyncio.run(main()), (workload, history)


def test_quota_cap_phases_and_results(tmp_path: Path) -> None:
    spec = LoadSpec(rate=400.0, workflows=60, concurrency=5, warmup=0.0)
    load, (workload, history) = run(spec, tmp_path)
    assert load.started == len(workload.planned) == 60  # exactly the quota, no more
    assert workload.most_open <= 5 and load.capped > 0  # the cap held, and was reached
    assert sorted(workload.results) == sorted(i.workflow_id for i in workload.planned)
    assert load.resolved == set(workload.results)
    phases = [op.value["phase"] for op in history.ops if op.f == "phase"]
    assert phases == ["warm-up", "drain", "drained"]


def test_the_mix_is_seeded(tmp_path: Path) -> None:
    spec = LoadSpec(rate=1000.0, workflows=40, warmup=0.0, mix={"story": 3, "report": 1})

    def kinds(seed: int) -> list[str]:
        _, (workload, _) = run(spec, tmp_path, seed=seed, latency=0.0)
        return [i.kind for i in workload.planned]

    assert kinds(1) == kinds(1)
    assert kinds(1) != kinds(2)
    assert kinds(1).count("story") > kinds(1).count("report")
