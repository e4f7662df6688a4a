"""The public API is small, written down, and the only thing suites and examples import.

`PUBLIC` names the modules a team may import; each has an `__all__`, and docs/API.md lists
every name of every `__all__` with one line (its docstring's first line), rendered from the
code so the page cannot drift (`python -m tests.test_public_api` rewrites it). Then:

- every `from stormproof... import NAME` (and every `import stormproof...` and
  `pytest_plugins` entry) in suites/ and examples/ names a public module and a name in its
  `__all__`: the project's own suites are written with the same names a team has;
- every public name has a docstring line to show (a class, function or module), or a
  one-liner in CONSTANTS below;
- the check can fail: a planted import of an internal module is reported.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "API.md"
REWRITE = f"{sys.executable} -m tests.test_public_api"
SCANNED = ("suites", "examples")

# module -> what it is for (the page's headings, in this order)
PUBLIC: dict[str, str] = {
    "stormproof.adapter": "describe your own workflows to the suites (docs/ADAPTERS.md)",
    "stormproof.chaos": "the chaos engine: a world broken on purpose under load, then judged",
    "stormproof.chaos.nemesis": "faults, one family per module, each with inject() and heal()",
    "stormproof.chaos.scenarios": "fault schedules that several tests share",
    "stormproof.chaos.rolling_deploy": "a rolling deploy with Worker Versioning, and its verdicts",
    "stormproof.chaos.api_replicas": "API replicas behind one entry point, faulted under load",
    "stormproof.diagnosis": "bug classes, and the checks that fail with one",
    "stormproof.log_scan": "alarms in the worker's and the server's logs after a chaos test",
    "stormproof.log_privacy": "prompts and replies that must never reach a log line",
    "stormproof.effects": "one reader per effect, each from the effect's source",
    "stormproof.conformance": "the conformance judge: one unit of work and its effects",
    "stormproof.conformance.checks": "per-effect assertions of the contract",
    "stormproof.conformance.timing": "retry hints and approval windows, in virtual time",
    "stormproof.conformance.reset": "an operator's reset, to a point read from the history",
    "stormproof.conformance.dev_world": "a judge on a dev server of its own (resets)",
    "stormproof.conformance.service_failures": "an adapter's services failing every way, judged",
    "stormproof.reconnect": "API and worker processes around a Temporal that goes away",
    "stormproof.reconnect.checks": "what a client must see while Temporal is away",
    "stormproof.deployment": "Temporal behind real nginx ingresses, for the doctor",
    "stormproof.doctor": "staged diagnosis of a Temporal target and its worker",
    "stormproof.replay": "replay histories against workflow code; the re-record guard",
    "stormproof.report": "the chaos report: records, table, stats, live lines, HTML",
    "stormproof.world": "the servers, the world builder, waits and settings",
}

PREAMBLE = """# The public API

Generated from the code by `python -m tests.test_public_api` (tests/test_public_api.py
fails when this page and the code differ). These modules, and only these names, are what
a team's adapter and tests import; the suites under `suites/` and the examples under
`examples/` are written with the same names (the same test fails on any other import).

**Stable** (kept across minor versions; a change is announced in the changelog of the
release that makes it): every name below, its parameters and its return type; the
pytest options (`--adapter`, `--chaos-report`, ...), the fixtures `adapter`,
`chaos_world`, `chaos`, `judge`; the chaos JSON's keys and the JUnit property names
(`stormproof_chaos`, `stormproof_diagnosis`); the bug class words.

**May change**: any module not listed here (`stormproof.fixtures.*`,
`stormproof.checker`, `stormproof.operations`, the report's and the engine's
submodules not listed, ...), the wording of messages, the terminal's layout, and the
HTML report's markup. Import from the modules below, not from where a name is defined.
"""

# Names that carry no docstring of their own (constants, aliases): their one line.
CONSTANTS: dict[str, str] = {
    "stormproof.adapter.CONTRACT": "the reference's adapter: the contract (docs/CONTRACT.md)",
    "stormproof.adapter.Effect": "any one of the effect kinds a Unit can owe (a tagged union)",
    "stormproof.chaos.scenarios.Effect": "the effects effect_then_outage holds: notification, row",
    "stormproof.chaos.scenarios.EffectKind": "the effect kinds a death follows, by declaration",
    "stormproof.reconnect.API_ARGV": "the reference API's command (`python -m ...cli api`)",
    "stormproof.reconnect.CONNECT_ONCE_ARGV": "the connect-once API twin's command",
    "stormproof.reconnect.SUPERVISOR_ARGV": "the reference supervisor's command",
    "stormproof.reconnect.REPO": "the checkout's root, where the reference's commands run",
    "stormproof.conformance.service_failures.MODES": "every failure mode a Service is tried in",
    "stormproof.deployment.API_KEY": "the API key the ingress of kind API_KEY requires (per run)",
    "stormproof.deployment.FAST": "doctor options with short timeouts, for tests",
    "stormproof.replay.HISTORIES_DIR": "where the reference's committed histories live",
    "stormproof.report.DIAGNOSIS_KEY": "item stash key: the failed test's bug class",
    "stormproof.report.HISTORY_KEY": "item stash key: the chaos test's history file",
    "stormproof.report.LOGS_KEY": "item stash key: a chaos test's logs, for the log scan",
    "stormproof.report.PROGRESS_KEY": "item stash key: where a chaos test writes its live counts",
    "stormproof.report.RECORD_KEY": "item stash key: the chaos test's ChaosRecord",
    "stormproof.world.Fault": "any one of the fake LLM's scripted faults (a tagged union)",
    "stormproof.world.SinkFault": "any one of the sink's scripted faults (a tagged union)",
    "stormproof.world.BrokenWorker": "the broken_worker fixture's type: start a twin by name",
}


def public_names(module: str) -> list[str]:
    names = getattr(importlib.import_module(module), "__all__", None)
    assert names is not None, f"{module} is public but has no __all__"
    return list(names)


def own_doc(value: object) -> str:
    """The object's own docstring (a class's, not one it inherits), first paragraph, to
    its first sentence."""
    if inspect.isclass(value):
        doc = value.__dict__.get("__doc__") or ""
        if doc.startswith(f"{value.__name__}("):  # a dataclass's generated signature
            doc = ""
    elif inspect.ismodule(value) or inspect.isroutine(value):
        doc = value.__doc__ or ""
    else:
        return ""
    paragraph = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def one_line(module: str, name: str) -> str:
    key = f"{module}.{name}"
    if key in CONSTANTS:
        return CONSTANTS[key]
    value = getattr(importlib.import_module(module), name)
    if doc := own_doc(value):
        return doc
    if isinstance(value, (str, int, float, tuple, frozenset, dict, list)):
        text = repr(value)
        if str(ROOT) in text or sys.prefix in text:  # a path of this machine: not the page's
            return ""
        return f"constant: `{text if len(text) <= 60 else text[:57] + '...'}`"
    return ""


def render() -> str:
    lines = [PREAMBLE]
    for module, purpose in PUBLIC.items():
        lines += ["", f"## `{module}`: {purpose}", ""]
        for name in sorted(public_names(module), key=str.lower):
            lines.append(f"- `{name}`: {one_line(module, name)}")
    return "\n".join(lines) + "\n"


def imports_of(source: str, module: str) -> list[tuple[str, str | None]]:
    """(module, name) for every import of a stormproof module; name None for `import M`."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "stormproof":
                found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.startswith("stormproof")]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            for element in ast.walk(node.value):
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    found.append((element.value, None))
    return found


def violations(sources: dict[str, str]) -> list[str]:
    allowed = {module: set(public_names(module)) for module in PUBLIC}
    found = []
    for path, source in sorted(sources.items()):
        for module, name in imports_of(source, path):
            if module.startswith("stormproof.suites"):
                continue  # a suite's own package (its conftests and test files)
            if module not in allowed:
                found.append(f"{path}: imports {module}, which is not public")
            elif name is not None and name not in allowed[module]:
                found.append(f"{path}: imports {name} from {module}, not in its __all__")
    return found


def scanned_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def test_suites_and_examples_import_only_public_names() -> None:
    sources = scanned_sources()
    assert len(sources) > 60, f"expected every suite and example, read {len(sources)} files"
    found = violations(sources)
    assert not found, "imports outside the public API (docs/API.md):\n" + "\n".join(found)


def test_a_private_import_is_reported() -> None:
    planted = {
        "suites/x/test_a.py": "from stormproof.fixtures.wait import wait_for\n",
        "suites/x/test_b.py": "from stormproof.chaos import no_such_name\n",
        "suites/x/conftest.py": 'pytest_plugins = ["stormproof.checker"]\n',
        "suites/x/test_ok.py": "from stormproof.chaos import ChaosRun\n",
    }
    found = violations(planted)
    assert len(found) == 3, found
    assert not any("test_ok" in line for line in found), found


def test_every_public_name_has_one_line() -> None:
    missing = [
        f"{module}.{name}"
        for module in PUBLIC
        for name in public_names(module)
        if not one_line(module, name)
    ]
    assert not missing, f"public names without a docstring line (or CONSTANTS entry): {missing}"


def test_suites_hold_only_tests_and_their_conftests() -> None:
    """A library a team imports lives in stormproof/; suites/ is tests (and their data)."""
    stray = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "suites").rglob("*.py"))
        if path.name not in ("conftest.py", "__init__.py") and not path.name.startswith("test_")
    ]
    assert not stray, f"modules in suites/ that are not tests or conftests: {stray}"


def test_api_md_is_rendered_from_the_code() -> None:
    assert API_MD.read_text() == render(), f"docs/API.md is stale: run {REWRITE}"


if __name__ == "__main__":
    API_MD.write_text(render())
    print(f"wrote {API_MD.relative_to(ROOT)}")
