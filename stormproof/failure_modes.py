"""The failure-mode matrix: for each dependency a worker talks to, every way it can fail to
answer, what the contract says the worker does, and the tests that judge it.

Data in failure_modes.toml (beside this module), validated here; `render` is the section
of docs/CONTRACT_MATRIX.md that shows it (tests/test_contract_matrix.py renders the page
and checks every named test exists and every control is a twin rejected beside it). A
cell the suite does not judge yet carries its `gap`, so the page never reads as complete
where it is not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TABLE = Path(__file__).with_name("failure_modes.toml")
Dependency = Literal["llm", "webhook", "postgres", "service"]
Mode = Literal["refused", "reset", "read-timeout", "5xx", "429", "4xx", "malformed"]
DEPENDENCIES: dict[str, str] = {
    "llm": "the LLM (OpenAI-compatible HTTP)",
    "webhook": "the webhook receiver (STORMPROOF_NOTIFY_URL)",
    "postgres": "PostgreSQL (STORMPROOF_DATABASE_URL)",
    "service": "an adapter's own service (ServiceCalls)",
}
MODES: dict[str, str] = {
    "refused": "connection refused",
    "reset": "connection reset mid-request",
    "read-timeout": "no answer until the read timeout",
    "5xx": "5xx",
    "429": "429 with each retry hint",
    "4xx": "4xx",
    "malformed": "a malformed body",
}


class Cell(BaseModel):
    """One dependency's one failure mode: the contract's answer and how it is judged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dependency: Dependency
    mode: Mode
    contract: Literal["retried", "final", "succeeds", "n/a"]
    checks: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    why: str = Field("", description="why the mode cannot happen (contract n/a)")
    gap: str = Field("", description="what is not judged yet, and why")
    note: str = ""

    @model_validator(mode="after")
    def _judged_or_explained(self) -> Cell:
        if self.contract == "n/a" and (not self.why or self.checks):
            raise ValueError(f"{self.dependency}/{self.mode}: n/a takes a `why` and no checks")
        if self.contract != "n/a" and not (self.checks or self.gap):
            raise ValueError(f"{self.dependency}/{self.mode}: name its checks, or its `gap`")
        return self


class FailureModes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    cells: tuple[Cell, ...] = Field(alias="cell", min_length=1)


def load(path: Path = TABLE) -> FailureModes:
    with path.open("rb") as handle:
        return FailureModes.model_validate(tomllib.load(handle))


def _test(node: str) -> str:
    path, _, test = node.partition("::")
    return f"`{path.removeprefix('suites/')}`<br>`{test}`"


def render(modes: FailureModes, twins: Mapping[str, str]) -> str:
    """The Markdown section: one table per dependency, a row per failure mode."""
    lines = [
        "## Failure modes per dependency",
        "",
        "Every way a dependency can fail to answer, what the contract says the worker does "
        "(retried: Temporal retries the step and no effect repeats; final: the step fails at "
        "once; succeeds: the answer means the effect is there), and the tests that judge it. "
        "Rendered from `stormproof/failure_modes.toml`.",
    ]
    for dependency, title in DEPENDENCIES.items():
        cells = {c.mode: c for c in modes.cells if c.dependency == dependency}
        lines += ["", f"### {title}", "", "| failure | contract | check(s) | control(s) |"]
        lines.append("|---|---|---|---|")
        for mode, name in MODES.items():
            cell = cells.get(mode)
            if cell is None:
                lines.append(f"| {name} | (not stated) | not judged | |")
                continue
            judged = [_test(c) for c in cell.checks] or [f"not judged yet: {cell.gap}"]
            if cell.contract == "n/a":
                judged = [f"n/a: {cell.why}"]
            if cell.note:
                judged.append(cell.note)
            controls = [f"**{t}**: {twins.get(t, '?')}" for t in cell.controls]
            row = [name, cell.contract, "<br>".join(judged), "<br>".join(controls)]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in row) + " |")
    return "\n".join(lines) + "\n"
