"""The contract matrix: every rule of docs/CONTRACT.md, the checks that enforce it, and the
broken twin that proves each check can fail.

The table is data (contract_matrix.toml, beside this module), validated here with pydantic.
`render` turns it, with each twin's defect, into docs/CONTRACT_MATRIX.md. The suites never
import the defendant, so the twins' descriptions are passed in by the caller:
tests/test_contract_matrix.py, which also keeps the matrix honest (every contract term
covered, every rule with a check that exists and a control the registry rejects there,
every twin a control, the Markdown up to date). `python -m tests.test_contract_matrix`
rewrites the Markdown.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from itertools import groupby
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from stormproof.diagnosis import MEANING, BugClass

TABLE = Path(__file__).with_name("contract_matrix.toml")
SECTIONS = {
    "1": "1. The environment",
    "2": "2. Workflows",
    "3": "3. The LLM",
    "4": "4. Failures the suite reads",
    "5": "5. Effects exactly once, across the worker's death",
    "6": "6. Process behaviour",
    "7": "7. Payload encryption",
    "R": "Beyond the page: Temporal's determinism rule",
}


class Rule(BaseModel):
    """One rule: what must hold, the terms of CONTRACT.md it is about, how it is judged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[0-9R]+\.[0-9]+$")
    rule: str = Field(min_length=10)
    covers: tuple[str, ...] = ()
    checks: tuple[str, ...] = Field(min_length=1)
    controls: tuple[str, ...] = Field(min_length=1)
    bug: BugClass

    @property
    def section(self) -> str:
        return self.id.split(".")[0]


class Matrix(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    not_rules: dict[str, str]
    rules: tuple[Rule, ...] = Field(alias="rule", min_length=1)


def load(path: Path = TABLE) -> Matrix:
    with path.open("rb") as handle:
        return Matrix.model_validate(tomllib.load(handle))


def squash(text: str) -> str:
    """Whitespace collapsed, as a term reads when a code span wraps a line."""
    return " ".join(text.split())


def _cell(items: list[str]) -> str:
    return "<br>".join(items).replace("|", "\\|")


def _check(node: str) -> str:
    path, _, test = node.partition("::")
    return f"`{path.split('/', 1)[-1]}`<br>`{test}`"


def render(matrix: Matrix, twins: Mapping[str, str], sections: Sequence[str] = ()) -> str:
    """The Markdown of the matrix; `twins` maps each twin's name to its defect; `sections`
    (Markdown, e.g. the failure modes) go after the rules, before the bug classes."""
    lines = [
        "# The contract matrix",
        "",
        "<!-- Generated from stormproof/contract_matrix.toml and reference/broken/registry.py by",
        "     `python -m tests.test_contract_matrix`; tests/test_contract_matrix.py fails when",
        "     this file is stale, or a rule lacks a check or a control. Do not edit by hand. -->",
        "",
        "Every rule of [CONTRACT.md](CONTRACT.md), the check(s) that enforce it, and its "
        "negative control: a deliberately broken twin of the reference that breaks exactly "
        "that rule (`python -m stormproof.reference.broken NAME` runs it) and that the checks "
        "must reject, with the bug class their failure message starts with. Inputs are "
        "judged at non-default values (a 10-minute and a 90-second approval window, a custom "
        "`report_id`, a title, a model, a 1 s LLM timeout).",
        "",
        "Checks marked with `[llm]` and the like are one case of a parametrized test.",
    ]
    for section, rules in groupby(matrix.rules, key=lambda r: r.section):
        lines += [
            "",
            f"## {SECTIONS[section]}",
            "",
            "| # | rule | check(s) | negative control(s) | class |",
            "|---|---|---|---|---|",
        ]
        for rule in rules:
            controls = [f"**{name}**: {twins[name]}" for name in rule.controls]
            lines.append(
                f"| {rule.id} | {_cell([rule.rule])} | {_cell([_check(c) for c in rule.checks])} "
                f"| {_cell(controls)} | `{rule.bug}` |"
            )
    for section in sections:
        lines += ["", section.rstrip("\n")]
    lines += ["", "## The bug classes", "", "| class | meaning |", "|---|---|"]
    lines += [f"| `{bug}` | {MEANING[bug]} |" for bug in BugClass]
    return "\n".join(lines) + "\n"
