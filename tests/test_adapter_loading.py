"""Every mistake in an adapter is reported when it is loaded, with its module and the fix.

A team's glue code is where a first run goes wrong; each case here is one such mistake,
and the last test proves the report reaches the user at pytest's configure step (before
collection and before any server starts), not minutes into a chaos run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stormproof.adapter import REFERENCE, AdapterError, load_adapter
from stormproof.adapter.env import CONTRACT_VARIABLES, for_adapter
from stormproof.fixtures.endpoints import build_endpoints

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"]
HEAD = """
from stormproof.adapter import (Adapter, Files, LlmCalls, Rows, Unit, WorkerEnv)

def build(ctx):
    return [ctx.text]
"""


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str) -> str:
    (tmp_path / f"{name}.py").write_text(HEAD + textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def _adapter(effects: str, extra: str = "") -> str:
    return f"""
ADAPTER = Adapter(
    name="team",
    units=[Unit(name="simple", workflow_type="SimpleWorkflow", build_input=build,
                effects={effects})],
    env=WorkerEnv(task_queue="TEAM_QUEUE"{extra}),
)
"""


def _error(spec: str) -> AdapterError:
    with pytest.raises(AdapterError) as caught:
        load_adapter(spec)
    return caught.value


def test_reference_adapter_is_the_default_and_the_contract() -> None:
    adapter = load_adapter(None)
    assert adapter is load_adapter(REFERENCE)
    assert adapter.kinds == ["story", "report", "report_approval", "chat"]
    assert adapter.env.names() == dict(CONTRACT_VARIABLES)


def test_missing_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _module(
        tmp_path,
        monkeypatch,
        "team_missing",
        """
        ADAPTER = Adapter(name="team", units=[Unit(name="simple",
            workflow_type="SimpleWorkflow", build_input=build)], env=WorkerEnv(task_queue="Q"))
        """,
    )
    error = _error(name)
    assert "adapter team_missing" in str(error) and "effects: Field required" in str(error)
    assert error.fix == "add the field effects"


def test_missing_task_queue_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = _adapter("[LlmCalls()]").replace('task_queue="TEAM_QUEUE"', "")
    error = _error(_module(tmp_path, monkeypatch, "team_no_queue", body))
    assert "task_queue" in str(error) and "add the field task_queue" in str(error)


def test_unknown_effect_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = _adapter('[{"kind": "emails", "inbox": "x"}]')
    error = _error(_module(tmp_path, monkeypatch, "team_kind", body))
    assert "adapter team_kind" in str(error) and "'emails'" in str(error)
    assert "kind must be one of llm_calls, deliveries, rows, files, service_calls" in str(error)


def test_unimportable_module() -> None:
    error = _error("team_no_such_module.adapter")
    assert "module 'team_no_such_module.adapter' cannot be imported" in str(error)
    assert "ModuleNotFoundError" in str(error) and "--adapter MODULE[:ATTR]" in str(error)


def test_module_that_raises_on_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _module(tmp_path, monkeypatch, "team_raises", "raise RuntimeError('no config')\n")
    assert "RuntimeError: no config" in str(_error(name))


def test_missing_attribute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _module(tmp_path, monkeypatch, "team_attr", _adapter("[LlmCalls()]"))
    error = _error(f"{name}:MY_ADAPTER")
    assert "has no attribute 'MY_ADAPTER'" in str(error) and "ADAPTER" in str(error)
    assert load_adapter(f"{name}:ADAPTER").kinds == ["simple"]


def test_failing_sql_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    effects = (
        '[Rows(query="SELECT wf_id FROM replies WHERE wf_id LIKE :like", '
        'schema_sql="CREATE TABLE replies (workflow_id TEXT)")]'
    )
    error = _error(_module(tmp_path, monkeypatch, "team_sql", _adapter(effects)))
    assert "unit 'simple': the rows query fails" in str(error)
    assert "no such column: wf_id" in str(error) and "first column is the workflow id" in str(error)


def test_sql_syntax_error_without_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    effects = '[Rows(query="SELEC workflow_id FROM replies")]'
    error = _error(_module(tmp_path, monkeypatch, "team_syntax", _adapter(effects)))
    assert "the rows query fails" in str(error) and "syntax error" in str(error)


def test_sql_unknown_parameter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    effects = '[Rows(query="SELECT workflow_id FROM replies WHERE run = :run_id")]'
    error = _error(_module(tmp_path, monkeypatch, "team_param", _adapter(effects)))
    assert "unknown parameters ['run_id']" in str(error) and ":tag" in str(error)


def test_files_glob_must_name_the_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = _error(_module(tmp_path, monkeypatch, "team_glob", _adapter('[Files(glob="*.md")]')))
    assert "glob must contain {workflow_id} exactly once" in str(error)


def test_valid_team_adapter_maps_the_worker_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker gets the world's endpoints under the team's names, none of the contract's."""
    effects = (
        '[LlmCalls(), Rows(query="SELECT workflow_id FROM replies WHERE workflow_id LIKE :like",'
        ' schema_sql="CREATE TABLE replies (workflow_id TEXT)")]'
    )
    extra = ', temporal_address="TEAM_TEMPORAL", llm_base_url="TEAM_LLM", fixed={"MODE": "x"}'
    adapter = load_adapter(_module(tmp_path, monkeypatch, "team_ok", _adapter(effects, extra)))
    base = build_endpoints(
        tmp_path, temporal_address="t:1", llm_base_url="http://l/v1", notify_url="http://n"
    )
    env = for_adapter(base, adapter).environment("q1")
    assert env["TEAM_TEMPORAL"] == "t:1" and env["TEAM_LLM"] == "http://l/v1"
    assert env["TEAM_QUEUE"] == "q1" and env["MODE"] == "x"
    assert not {"TEMPORAL_ADDRESS", "OPENAI_BASE_URL", "STORMPROOF_TASK_QUEUE"} & set(env)


def test_errors_stop_pytest_at_configure(tmp_path: Path) -> None:
    """A broken adapter ends `pytest suites/chaos` before collection: usage error, the
    module and the fix, and no server started (the run takes the time of an import)."""
    (tmp_path / "team_broken.py").write_text(HEAD + _adapter('[{"kind": "emails"}]'))
    done = subprocess.run(
        [*PYTEST, "suites/chaos", "--collect-only", "--adapter", "team_broken"],
        cwd=ROOT,
        env={**_clean_env(), "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 4, out  # pytest's usage error
    assert "stormproof: adapter team_broken: is not a valid Adapter" in out, out
    assert "fix: " in out and "kind must be one of" in out, out
    assert "collected" not in out, out


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STORMPROOF_")}


def test_readme_adapter_skeleton_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/ADAPTERS.md's complete adapter is a valid one, as printed."""
    page = (ROOT / "docs" / "ADAPTERS.md").read_text()
    section = page[page.index("## Installing, and a complete adapter") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    (tmp_path / "readme_adapter.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    adapter = load_adapter("readme_adapter")
    assert adapter.kinds == ["summary"] and adapter.env.task_queue == "MYTEAM_QUEUE"
