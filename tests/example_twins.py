"""The example apps' broken twins, read from their own docstrings: the bug, the test file(s)
that reject each, and the bug class(es) they must be rejected as.

A twin of an example app lives in `examples/<app>/broken/<name>.py`; its docstring's first
sentence is its bug, and it names the test file(s) of `examples/<app>/tests/` that run it
(`test_default_rows.py`) and the class they reject it as, in backticks (`duplicate-effect`).
tests/test_example_twins.py holds every twin to what its docstring says; `section()` is the
table docs/CONTRACT_MATRIX.md shows beside the reference's twins (rendered by
`python -m tests.test_contract_matrix`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from stormproof.diagnosis import BugClass

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TEST_FILE = re.compile(r"\b(test_\w+)\.py\b")


@dataclass(frozen=True)
class ExampleTwin:
    """One example twin as its docstring describes it."""

    app: str
    name: str
    bug: str  # the docstring's first sentence
    classes: tuple[BugClass, ...]
    tests: tuple[Path, ...]  # the named test files of the app

    def rejection_problems(self) -> list[str]:
        """Why the named tests do not reject this twin with its classes ([] when they do)."""
        if not self.classes:
            return [f"{self.app}/{self.name}: its docstring names no bug class in backticks"]
        running = [t for t in self.tests if t.is_file() and self.name in t.read_text()]
        if not running:
            named = [t.name for t in self.tests]
            return [f"{self.app}/{self.name}: no test file it names ({named}) runs it"]
        text = "".join(t.read_text() for t in running)
        return [
            f"{self.app}/{self.name}: {[t.name for t in running]} never assert "
            f"{bug.value} (BugClass.{bug.name})"
            for bug in self.classes
            if f"BugClass.{bug.name}" not in text
        ]


def read_twin(path: Path, doc: str) -> ExampleTwin:
    """The twin at `path` (examples/<app>/broken/<name>.py) as `doc` describes it."""
    app = path.parents[1].name
    paragraph = " ".join(doc.split("\n\n")[0].split())
    classes = tuple(bug for bug in BugClass if f"`{bug.value}`" in doc)
    tests = tuple(
        dict.fromkeys(path.parents[1] / "tests" / f"{m}.py" for m in TEST_FILE.findall(doc))
    )
    return ExampleTwin(app, path.stem, paragraph, classes, tests)


def example_twins() -> list[ExampleTwin]:
    """Every example app's twin, by app and name."""
    paths = sorted(p for p in EXAMPLES.glob("*/broken/*.py") if p.stem != "__init__")
    return [read_twin(p, ast.get_docstring(ast.parse(p.read_text())) or "") for p in paths]


def section(twins: list[ExampleTwin]) -> str:
    """The Markdown table of the example apps' twins."""
    lines = [
        "## The example apps' twins",
        "",
        "Each example app (`examples/<app>/`, judged through its own adapter) has broken "
        "twins of its own: the app with one realistic bug, rejected by the app's tests with "
        "the class below (tests/test_example_twins.py holds each to its docstring).",
        "",
        "| app | twin | its bug | rejected by | class |",
        "|---|---|---|---|---|",
    ]
    for twin in twins:
        tests = "<br>".join(f"`{t.name}`" for t in twin.tests)
        classes = "<br>".join(f"`{bug.value}`" for bug in twin.classes)
        bug = twin.bug.replace("|", "\\|")
        lines.append(f"| {twin.app} | **{twin.name}** | {bug} | {tests} | {classes} |")
    return "\n".join(lines) + "\n"
