"""The commands a user types from README.md and docs/*.md, and how a test runs each one.

`doc_commands()` reads every ```sh block: one command per line (a trailing `\\` joins the
next line), comments dropped. COMMANDS says how tests/test_doc_commands.py runs each one:

- RUN: as written, with bash, and its exit code (and a piece of its output) checked;
- MAKE_DRY: `make -n TARGET`, for targets `make test` or CI run anyway: it fails on a
  missing target or a broken recipe without running the suites twice;
- COLLECT: a pytest command with `--collect-only -q` added, which must collect at least one
  test (so the exit-5 trap of `pytest suites/chaos` outside a checkout fails here);
- EXPORT: a block's `export`: every name must be one the suite or the doctor reads; the
  block's later commands run with it;
- COVERED: run by another test, named in the entry (`pip install stormproof`: the wheel test);
- DOCKER: no Docker engine here: `docker-compose ... config -q` validates the files.

A command starting with `.venv/bin/`, `make` or `docker` runs in the checkout; any other is
a team's, run from a folder outside the checkout with .venv/bin first on PATH. Placeholders are
filled in: `myteam.` becomes `examples.routing.` (the routing example, importable there),
and in entries marked `dev_server` every Temporal address and metrics URL of the example
becomes a dev server the test starts. The blocks marked `<!-- quickstart: -->` and
`<!-- real-llm: -->` are run whole by tests/test_quickstart.py.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# marker -> the test in tests/test_quickstart.py that runs the marked block as written
MARKED = {
    "quickstart": "test_the_quickstart_works_as_written",
    "real-llm": "test_the_real_llm_story_works_as_written",
}
SHELL_FENCES = {"", "bash", "shell", "console", "zsh"}  # commands belong in ```sh blocks
TEAM = {"myteam.": "examples.routing."}
DEV_ADDRESSES = ("temporal.internal:7233", "my-ns.a1b2c.tmprl.cloud:7233", "127.0.0.1:7233")
DEV_METRICS = ("http://127.0.0.1:9464/metrics", "http://127.0.0.1:8000/metrics")


@dataclass(frozen=True)
class DocCommand:
    page: str
    line: int
    text: str
    block: int
    marker: str | None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def in_checkout(self) -> bool:
        return self.text.startswith((".venv/bin/", "make ", "docker "))


@dataclass(frozen=True)
class Way:
    kind: str
    expect: int = 0
    output: str = ""
    dev_server: bool = False
    covered_by: str = ""


RUN, MAKE_DRY, COLLECT, EXPORT, COVERED, DOCKER = (
    "run",
    "make -n",
    "collect",
    "export",
    "covered",
    "docker",
)
QUEUE = "stormproof-ci"
WHEEL_TEST = "test_a_team_runs_a_conformance_test_from_the_installed_wheel"
COMMANDS: dict[str, Way] = {
    # README: a team's lines
    "pip install stormproof": Way(COVERED, covered_by=f"tests/test_wheel.py::{WHEEL_TEST}"),
    "stormproof constraints > stormproof-constraints.txt": Way(
        COVERED, covered_by=f"tests/test_wheel.py::{WHEEL_TEST}"
    ),
    "pip install -c stormproof-constraints.txt stormproof": Way(
        COVERED, covered_by=f"tests/test_wheel.py::{WHEEL_TEST}"
    ),
    # here the checkout's servers are found; tests/test_wheel.py builds Toxiproxy from a venv
    "stormproof install-servers": Way(RUN, output="all servers present"),
    "pytest --pyargs stormproof.suites.chaos --adapter myteam.stormproof_adapter -n 2": Way(
        COLLECT
    ),
    "stormproof record-histories --adapter myteam.stormproof_adapter --out tests/histories": Way(
        RUN, output="recorded 3 histories"
    ),
    "pytest --pyargs stormproof.suites.replay --replay-dir tests/histories --workflows "
    "myteam.workflows:WORKFLOWS": Way(COLLECT),
    "stormproof record-histories --adapter myteam.stormproof_adapter --out tests/histories "
    "--check": Way(RUN, output="recorded 3 histories"),
    # docs/ADAPTERS.md
    "pytest --pyargs stormproof.suites.chaos --adapter myteam.stormproof_adapter "
    '--worker-cmd "python -m myteam.worker" -n 2': Way(COLLECT),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos --adapter "
    "examples.routing.stormproof_adapter -n 2": Way(COLLECT),
    "pytest --pyargs stormproof.suites.properties --adapter myteam.stormproof_adapter -n 2": Way(
        COLLECT
    ),
    # docs/CONFORMANCE.md
    "make quick": Way(MAKE_DRY),
    ".venv/bin/pytest --pyargs stormproof.suites.conformance -n 2": Way(COLLECT),
    ".venv/bin/python -m stormproof.reference.broken": Way(RUN, output="rejected by:"),
    # docs/CHAOS.md
    "make chaos": Way(MAKE_DRY),
    "make chaos-examples": Way(MAKE_DRY),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos -n 2": Way(COLLECT),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos -m process_death": Way(COLLECT),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos -m soak --chaos-report=reports/soak.json "
    "--chaos-html=reports/soak.html": Way(COLLECT),
    # docs/REPLAY.md
    ".venv/bin/pytest --pyargs stormproof.suites.replay": Way(COLLECT),
    "pytest --pyargs stormproof.suites.replay --replay-dir exported/ --workflows "
    "myteam.workflows:WORKFLOWS": Way(COLLECT),
    "pytest --pyargs stormproof.suites.replay --temporal-address host:7233 --replay-query "
    "\"WorkflowType='ReportWorkflow'\" --workflows myteam.workflows:WORKFLOWS": Way(COLLECT),
    # docs/CLUSTER.md
    "make cluster": Way(MAKE_DRY),
    # docs/CHAOS.md: the rolling deploy
    "make rolling": Way(MAKE_DRY),
    ".venv/bin/pytest suites/chaos/rolling -m rolling_deploy --adapter "
    "examples.agents_openai.stormproof_adapter": Way(COLLECT),
    "make fleet": Way(MAKE_DRY),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos -m fleet -n 2": Way(COLLECT),
    "make updates": Way(MAKE_DRY),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos -m updates -n 2": Way(COLLECT),
    ".venv/bin/pytest --pyargs stormproof.suites.chaos.cluster -m cluster": Way(COLLECT),
    "docker compose up -d": Way(DOCKER),
    "pytest --pyargs stormproof.suites.conformance --temporal-address 127.0.0.1:7233 "
    "--toxiproxy-url http://127.0.0.1:8474": Way(COLLECT),
    "pytest --pyargs stormproof.suites.conformance --world docker": Way(COLLECT),
    # docs/DEPLOYMENT.md
    f"stormproof doctor --address temporal.internal:7233 --task-queue {QUEUE}": Way(
        RUN, expect=1, output="FAILED at pollers", dev_server=True
    ),
    f"stormproof doctor --address temporal.internal:7233 --task-queue {QUEUE} --json": Way(
        RUN, expect=1, output='"exit_code": 1', dev_server=True
    ),
    ".venv/bin/pytest --pyargs stormproof.suites.deployment -n 2": Way(COLLECT),
    "export TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233 TEMPORAL_NAMESPACE=my-ns.a1b2c": Way(
        EXPORT, dev_server=True
    ),
    "export TEMPORAL_API_KEY=...": Way(EXPORT),
    # an API key implies TLS, and the dev server standing in for Cloud is plaintext
    f"stormproof doctor --task-queue {QUEUE}": Way(
        RUN, expect=1, output="FAILED at tls", dev_server=True
    ),
    "pytest --pyargs stormproof.suites.conformance "
    '--worker-cmd "python -m myteam.worker" -n 2': Way(COLLECT),
    "pytest --pyargs stormproof.suites.conformance --temporal-address temporal.internal:443 "
    "--temporal-tls-ca ca.pem --temporal-tls-server-name temporal.internal --worker-cmd "
    '"python -m myteam.worker"': Way(COLLECT),
    ".venv/bin/pytest --pyargs stormproof.suites.reconnect -n 2": Way(COLLECT),
    ".venv/bin/stormproof-reference --version": Way(RUN, output="stormproof-reference "),
    ".venv/bin/stormproof-reference --help": Way(RUN, output="exit codes:"),
    ".venv/bin/stormproof-reference worker --help": Way(RUN, output="TEMPORAL_ADDRESS"),
    # docs/METRICS.md
    "docker compose -f compose.yaml -f deploy/grafana/compose.yaml up -d": Way(DOCKER),
    "stormproof doctor --address 127.0.0.1:7233 --metrics-url http://127.0.0.1:9464/metrics "
    "--metrics-url http://127.0.0.1:8000/metrics": Way(
        RUN, output="all checks passed", dev_server=True
    ),
    # docs/DEPENDENCIES.md
    "stormproof install-servers --check": Way(RUN, output="all servers present"),
    "make deps": Way(MAKE_DRY),
    "make help": Way(RUN, output="  quick "),
    "make lock": Way(MAKE_DRY),
    "make audit": Way(MAKE_DRY),
    # docs/PERFORMANCE.md (generated by bench/_render.py)
    ".venv/bin/python -m bench render --check": Way(RUN, output="is up to date"),
    "make bench": Way(MAKE_DRY),
}


def _strip_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def doc_commands(pages: list[Path] = PAGES) -> tuple[list[DocCommand], list[str]]:
    """Every command of every ```sh block, and the places where a command hides elsewhere
    (a ```bash or bare fence, an indented code block)."""
    found: list[DocCommand] = []
    misplaced: list[str] = []
    for page in pages:
        name = str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else page.name
        lines = page.read_text().splitlines()
        fence: str | None = None
        marker: str | None = None
        block, pending, start = 0, "", 0
        for number, raw in enumerate(lines, 1):
            if fence is None:
                if raw.startswith("```"):
                    fence = raw[3:].strip()
                    block += 1
                    if fence in SHELL_FENCES:
                        misplaced.append(f"{name}:{number}: a ```{fence} block: write ```sh")
                    before = [x for x in lines[: number - 1] if x.strip()]
                    tag = re.match(r"<!-- ([\w-]+):", before[-1]) if before else None
                    marker = tag.group(1) if tag else None
                elif raw.startswith("    ") and number > 1 and not lines[number - 2].strip():
                    misplaced.append(f"{name}:{number}: an indented code block: use ```sh")
                continue
            if raw.startswith("```"):
                fence = None
                continue
            if fence != "sh":
                continue
            text = _strip_comment(raw)
            if not text or text.startswith("#"):
                continue
            if not pending:
                start = number
            if text.endswith("\\"):
                pending += text[:-1].strip() + " "
                continue
            found.append(DocCommand(name, start, pending + text, block, marker))
            pending = ""
    return found, misplaced


def exported(text: str) -> dict[str, str]:
    """NAME=value pairs of an `export` line."""
    return dict(word.split("=", 1) for word in shlex.split(text)[1:])


def team_form(text: str) -> str:
    for placeholder, real in TEAM.items():
        text = text.replace(placeholder, real)
    return text


def dev_form(text: str, address: str, metrics_url: str) -> str:
    for placeholder in DEV_ADDRESSES:
        text = text.replace(placeholder, address)
    for placeholder in DEV_METRICS:
        text = text.replace(placeholder, metrics_url)
    return text
