"""The observer role: read back what the world holds after a chaos run, never the worker's word.

Every effect is read through the judge's one reader of it (stormproof.effects), the same
the conformance suite uses: LLM calls from the fake LLM's log, notifications from the
sink's raw log (accepted deliveries only: a 503 while "down" is not an effect), rows
straight from PostgreSQL (not through the proxy the worker uses), artifacts from the
folder, activity attempts from Temporal's history. From Temporal also come the runs per
workflow id (visibility) and the time of every completed step, which becomes a `step`
operation in the history so the checker can measure recovery from each heal.

Which effects to read, and how to attribute each to the unit that owes it, comes from the
adapter (stormproof/adapter): files by its globs, rows by its queries, deliveries and
service calls by the unit's workflow id or marker in the request. Calls to the team's own
services are read from the recording proxy the world put in front of each.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path

import psycopg
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError

from stormproof import effects
from stormproof.adapter import Adapter, Files, HttpDeliveries, Rows, ServiceCalls
from stormproof.checker import EffectObservation, LlmObservation
from stormproof.effects import ActivityAttempts
from stormproof.effects.rows import query_rows
from stormproof.fixtures.fake_llm import MARKER_RE, FakeLlm
from stormproof.fixtures.recording_proxy import ServiceRequest
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.wait import wait_for
from stormproof.operations import OperationLog

STEP_EVENTS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "workflow",
}


def llm_calls(fake_llm: FakeLlm, tag: str, markers: set[str]) -> list[LlmObservation]:
    return [
        LlmObservation(marker=c.marker, status=c.status, prompt_tagged=tag in c.prompt)
        for c in effects.llm_calls(fake_llm, markers, tag=tag)
    ]


class Owners:
    """Who owes an observation: a workflow id of this run, found in a text (a request body)
    as the id itself or as the unit's marker; a tagged id nobody started is unexpected."""

    def __init__(self, tag: str, markers: Mapping[str, str]):
        self.tag, self.markers = tag, markers
        self.ids = set(markers.values())
        self._id = re.compile(re.escape(tag) + r"-\w+")

    def of(self, text: str) -> str | None:
        found = self._id.findall(text)
        for wid in found:
            if wid in self.ids:
                return wid
        for marker in MARKER_RE.findall(text):
            if marker in self.markers:
                return self.markers[marker]
        return found[0] if found else None


def _glob_pattern(glob: str) -> re.Pattern[str]:
    """`stories/{workflow_id}.md` as a regex capturing the workflow id."""
    before, after = glob.split("{workflow_id}")
    part = lambda g: fnmatch.translate(g).removeprefix("(?s:").removesuffix(")\\Z")  # noqa: E731
    return re.compile(part(before) + r"(?P<wid>[^/]+?)" + part(after) + r"\Z")


def files(artifact_dir: Path, effect: Files, tag: str) -> list[EffectObservation]:
    """Final files matching the effect's glob whose id carries the run's tag."""
    pattern = _glob_pattern(effect.glob)
    base = Path(artifact_dir)
    out = []
    for path in sorted(base.rglob("*")) if base.is_dir() else []:
        rel = path.relative_to(base).as_posix()
        match = pattern.match(rel)
        if match and path.is_file() and match["wid"].startswith(tag):
            out.append(EffectObservation(owner=match["wid"], what=rel))
    return out


def rows_of(database_url: str, effect: Rows, tag: str) -> list[EffectObservation] | None:
    """One observation per row the adapter's query returns; None when unreadable."""
    try:
        found = query_rows(database_url, effect.query, {"tag": tag})
    except psycopg.Error:
        return None
    return [EffectObservation(owner=str(r[0]), what=f"row {r[0]}") for r in found]


def deliveries(
    sink: NotificationSink, effect: HttpDeliveries, owners: Owners
) -> list[EffectObservation]:
    out = []
    for d in effects.deliveries(sink):
        if not d.accepted or (effect.path and d.path.split("?")[0] != effect.path):
            continue
        field = (d.body or {}).get(effect.owner_field) if effect.owner_field else None
        owner = field if isinstance(field, str) else owners.of(d.raw)
        if owner is None or not owner.startswith(owners.tag):
            continue
        key = d.idempotency_key if effect.idempotency_header else None
        out.append(EffectObservation(owner=owner, key=key, what=f"delivery #{d.seq}"))
    return out


def service_calls(
    requests: list[ServiceRequest], effect: ServiceCalls, owners: Owners
) -> list[EffectObservation]:
    out = []
    for r in requests:
        if not r.ok or (effect.path and r.path.split("?")[0] != effect.path):
            continue
        owner = owners.of(r.raw + " " + r.path)
        if owner is None:
            continue
        key = r.header(effect.idempotency_header) if effect.idempotency_header else None
        what = f"{effect.service} call #{r.seq} {r.path}"
        out.append(EffectObservation(owner=owner, key=key, what=what))
    return out


def observe_effects(
    adapter: Adapter,
    *,
    tag: str,
    markers: Mapping[str, str],
    artifact_dir: Path,
    database_url: str,
    sink: NotificationSink,
    service_requests: Mapping[str, list[ServiceRequest]],
) -> dict[str, list[EffectObservation] | None]:
    """Every non-LLM effect the adapter's units owe, by effect name, read once per source."""
    owners = Owners(tag, markers)
    out: dict[str, list[EffectObservation] | None] = {}
    seen: set[tuple[str, str]] = set()
    for unit in adapter.units:
        for effect in unit.effects:
            if isinstance(effect, Files):
                found: list[EffectObservation] | None = files(artifact_dir, effect, tag)
            elif isinstance(effect, Rows):
                found = rows_of(database_url, effect, tag)
            elif isinstance(effect, HttpDeliveries):
                found = deliveries(sink, effect, owners)
            elif isinstance(effect, ServiceCalls):
                found = service_calls(service_requests.get(effect.service, []), effect, owners)
            else:
                continue
            source = (effect.label, effect.model_dump_json(exclude={"only_if_result"}))
            if source in seen:  # two units reading the same source: count it once
                continue
            seen.add(source)
            if found is None or out.get(effect.label, []) is None:
                out[effect.label] = None
            else:
                out[effect.label] = [*(out.get(effect.label) or []), *found]
    return out


async def run_ids_of(client: Client, workflow_id: str, expect: bool) -> list[str]:
    """Every run visibility lists for `workflow_id` (waits briefly for lagging visibility)."""

    async def listed() -> list[str] | None:
        found = [w.run_id async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
        return found if found or not expect else None

    try:
        return await wait_for(
            listed, what=f"runs of {workflow_id}", timeout=10, interval=0.2, retry_on=(RPCError,)
        )
    except TimeoutError:
        return []


async def executions_of(client: Client, workflow_id: str, run_ids: list[str]) -> list[str]:
    """The executions among `run_ids`: one id per chain of runs (its first run's id).

    A reset (an operator's, after a bug fix) or a continue-as-new starts a new run of the
    same execution, whose first run id is the chain's, while a second start of a closed id
    begins a chain of its own. Only that is a duplicate run."""
    if len(run_ids) <= 1:
        return run_ids
    chains: list[str] = []
    for run_id in run_ids:
        described = await client.get_workflow_handle(workflow_id, run_id=run_id).describe()
        first = described.raw_description.workflow_execution_info.first_run_id or run_id
        if first not in chains:
            chains.append(first)
    return chains


async def steps_and_attempts(
    client: Client, workflow_id: str, run_ids: list[str], history: OperationLog
) -> dict[str, ActivityAttempts]:
    """Record each completed step as a `step` op at its server time; return the attempts
    of every activity, as stormproof.effects.attempts defines them, summed over the
    workflow's runs: a reset or a continue-as-new runs steps again in a new run (a reset's
    copy of the events before its point carries no activity when it is to the first
    workflow task, and is counted twice from a later point, which only makes the
    wasted-call rule lenient)."""
    total: dict[str, ActivityAttempts] = {}
    for run_id in run_ids:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        events = (await handle.fetch_history()).events
        for event in events:
            if event.event_type in STEP_EVENTS:
                at = event.event_time.seconds + event.event_time.nanos / 1e9
                history.step(workflow_id, STEP_EVENTS[event.event_type], at=at)
        for name, found in effects.activity_attempts(events).items():
            seen = total.get(name, ActivityAttempts(activity=name))
            total[name] = ActivityAttempts(
                activity=name,
                executions=seen.executions + found.executions,
                attempts=seen.attempts + found.attempts,
            )
    return total
