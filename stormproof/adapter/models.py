"""The adapter's typed shape: what a team writes so the suite can judge its own workflows.

An adapter says, per kind of unit of work, how to start it (a workflow type and an input
built from a marker the suite provides), what a correct result is, and which effects it
owes, exactly once each, and where the suite sees them. It also names the environment
variables the team's worker reads, so the suite can point that worker at its own world
(the fake LLM, the sink, PostgreSQL, Toxiproxy) without the team renaming anything.
Everything is pydantic so a mistake is reported when the adapter is loaded (collection
time), with the module and the fix, not as a puzzling failure minutes into a chaos run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stormproof.adapter.deployment import Deployment, hold_links
from stormproof.adapter.service import Service
from stormproof.adapter.updates import UpdateCall, check_updates
from stormproof.fixtures.fake_llm import Fault, ToolCall, ToolCalls

_STRICT = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class UnitContext(BaseModel):
    """What the suite hands the adapter when it starts one unit."""

    model_config = _STRICT

    workflow_id: str = Field(description="unique; starts with the run's tag")
    marker: str = Field(description="traceable marker the fake LLM attributes calls by")
    text: str = Field(description="a sentence embedding the marker: put it in the prompt")
    task_queue: str
    artifact_dir: Path
    tag: str = Field("", description="the run's tag, prefix of every workflow id")


UpdateCall.model_rebuild(_types_namespace={"UnitContext": UnitContext})


class _Effect(BaseModel):
    model_config = _STRICT

    name: str | None = Field(
        None, description="how the verdict counts it (lost/duplicated keys); default: kind"
    )
    only_if_result: dict[str, Any] = Field(
        default_factory=dict,
        description="owed only when the result does not hold another value for these keys "
        "(e.g. {'status': 'completed'}: a rejected report owes no row)",
    )

    @property
    def label(self) -> str:
        return self.name or str(self.kind)


class LlmCalls(_Effect):
    """Calls the suite's fake LLM saw carrying the unit's marker (any caller: worker or
    agent). At least `answered_per_unit` are owed; more than the attempts Temporal recorded
    for `activities` (all activities when empty) are wasted calls."""

    kind: Literal["llm_calls"] = "llm_calls"
    answered_per_unit: int = Field(1, ge=0)
    activities: list[str] = Field(default_factory=list)


class HttpDeliveries(_Effect):
    """Accepted POSTs to the suite's sink, attributed to a unit by `owner_field` of the JSON
    body (else by its workflow id or marker anywhere in the body). With an idempotency
    header, deliveries sharing a key are one effect (the receiver de-duplicates)."""

    kind: Literal["deliveries"] = "deliveries"
    path: str | None = Field(None, description="count only this request path")
    idempotency_header: str | None = "Idempotency-Key"
    owner_field: str | None = None
    per_unit: int = Field(1, ge=1)


class Rows(_Effect):
    """Rows of the suite's database (SQLite or PostgreSQL). `query` returns one row per
    effect whose first column is the owning unit's workflow id; it may use `:tag` (the
    run's tag) and `:like` (the tag followed by `%`). `schema` is the DDL of the table(s)
    it reads, so the loader can run the query at collection time; a table that does not
    exist yet when observed means no rows."""

    kind: Literal["rows"] = "rows"
    query: str
    schema_sql: str | None = None
    per_unit: int = Field(1, ge=1)
    activities: list[str] = Field(
        default_factory=list,
        description="the activities that write these rows: a database fault waits for one "
        "of them to be running (the postgres-restart row needs at least one)",
    )


class Files(_Effect):
    """Final files under the artifact folder; `glob` contains `{workflow_id}` once."""

    kind: Literal["files"] = "files"
    glob: str
    per_unit: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _names_the_unit(self) -> Files:
        if self.glob.count("{workflow_id}") != 1:
            raise ValueError("glob must contain {workflow_id} exactly once")
        return self


class ServiceCalls(_Effect):
    """Successful (2xx) calls to a Service the suite started, seen by the recording proxy
    in front of it, attributed by the unit's marker or workflow id in the request body.
    With an idempotency header, calls sharing a key are one effect."""

    kind: Literal["service_calls"] = "service_calls"
    service: str
    path: str | None = Field(None, description="count only this request path")
    idempotency_header: str | None = None
    per_unit: int = Field(1, ge=1)


Effect = Annotated[
    LlmCalls | HttpDeliveries | Rows | Files | ServiceCalls, Field(discriminator="kind")
]
EFFECT_KINDS = ("llm_calls", "deliveries", "rows", "files", "service_calls")

InputBuilder = Callable[[UnitContext], list[Any]]
ResultCheck = Callable[[UnitContext, Any], "str | None"]
Driver = Callable[[UnitContext, Any], Awaitable[None]]


class Unit(BaseModel):
    """One kind of unit of work: a workflow, its input, its result, and what it owes."""

    model_config = _STRICT

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    workflow_type: str
    build_input: InputBuilder
    check_result: ResultCheck | None = None
    drive: Driver | None = Field(
        None, description="awaited with (context, WorkflowHandle) after the start; e.g. a signal"
    )
    llm_answers: Callable[[UnitContext], list[str | ToolCall | ToolCalls | Fault]] | None = Field(
        None,
        description="the fake LLM's next replies for this unit's marker, in order (then its "
        "default reply): how a unit makes a model choose a branch, e.g. ['HR'], or an agent "
        "call tools, e.g. [ToolCall(name='lookup', arguments={'id': 7}), 'Done.']; fault "
        "items (RateLimit, Status, ServerError, Delay, ... of stormproof.world) fault the "
        "unit's next requests, in order, e.g. [RateLimit(retry_after=2), 'HR']",
    )
    effects: list[Effect]
    updates: list[UpdateCall] = Field(
        default_factory=list,
        description="the Updates the suite sends the workflow after its start, in order "
        "(stormproof/adapter/updates.py); the first may go with the start",
    )
    continues_as_new: bool = Field(
        False,
        description="each session of this unit spans more than one run (continue-as-new) "
        "in the suite's world: the Update rows then require every session to have crossed",
    )

    @model_validator(mode="after")
    def _updates_in_order(self) -> Unit:
        check_updates(self.updates)
        return self


class WorkerEnv(BaseModel):
    """The worker's own variable name for each endpoint the suite provides (None: not read)."""

    model_config = _STRICT

    temporal_address: str = "TEMPORAL_ADDRESS"
    namespace: str | None = "TEMPORAL_NAMESPACE"
    task_queue: str
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_timeout_seconds: str | None = None
    database_url: str | None = None
    notify_url: str | None = None
    artifact_dir: str | None = None
    services: dict[str, str] = Field(default_factory=dict, description="service -> variable")
    fixed: dict[str, str] = Field(default_factory=dict, description="constant variables")

    def names(self) -> dict[str, str]:
        """endpoint -> variable, for the endpoints this worker reads."""
        fields = (
            "temporal_address", "namespace", "task_queue", "llm_base_url", "llm_api_key",
            "llm_model", "llm_timeout_seconds", "database_url", "notify_url", "artifact_dir",
        )  # fmt: skip
        found = {f: getattr(self, f) for f in fields if getattr(self, f)}
        found.update({f"service:{k}": v for k, v in self.services.items()})
        return found


class Adapter(BaseModel):
    """Everything the suite needs to judge a team's workflows."""

    model_config = _STRICT

    name: str
    units: list[Unit] = Field(min_length=1)
    env: WorkerEnv
    worker_cmd: list[str] | None = None
    services: list[Service] = Field(default_factory=list)
    mix: dict[str, float] = Field(default_factory=dict)
    ready_workflow: str | None = Field(
        None,
        description="a workflow type whose round trip proves readiness; None: the worker "
        "is ready once it polls the task queue (workflow and activity pollers)",
    )
    deployment: Deployment | None = Field(
        None, description="the worker as versions of a Worker Deployment: the rolling deploy"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Adapter:
        names = [u.name for u in self.units]
        if len(set(names)) != len(names):
            raise ValueError(f"unit names must be unique: {names}")
        services = {s.name for s in self.services}
        for unit in self.units:
            for effect in unit.effects:
                if isinstance(effect, ServiceCalls) and effect.service not in services:
                    raise ValueError(
                        f"unit {unit.name!r} counts calls to service {effect.service!r}, "
                        f"which is not among services {sorted(services)}"
                    )
        unknown = set(self.mix) - set(names)
        if unknown:
            raise ValueError(f"mix names units {sorted(unknown)} not among {names}")
        missing = services - set(self.env.services)
        if missing:
            raise ValueError(f"env.services has no variable for services {sorted(missing)}")
        if self.deployment is not None:
            self._check_deployment(self.deployment, sorted(services))
        lone = [u.name for u in self.units if u.continues_as_new and not u.updates]
        if lone:
            raise ValueError(f"units {lone} say continues_as_new but declare no updates")
        return self

    def _check_deployment(self, d: Deployment, services: list[str]) -> None:
        plain = [u.name for u in self.plain_units]
        if d.unit not in plain:
            raise ValueError(
                f"deployment.unit {d.unit!r} is not among the units without Updates: {plain}"
            )
        links = hold_links(services)
        if d.hold_link not in links:
            raise ValueError(
                f"deployment.hold_link {d.hold_link!r} is not a link the suite can cut: {links}"
            )

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(f"adapter {self.name!r} has no unit {name!r}; it has {self.kinds}")

    @property
    def kinds(self) -> list[str]:
        return [u.name for u in self.units]

    @property
    def plain_units(self) -> list[Unit]:
        """The units that take no Updates: the ones every chaos row loads and picks
        victims from, the properties judge and the recorder records."""
        return [u for u in self.units if not u.updates]

    @property
    def sessions(self) -> list[Unit]:
        """The units that take Updates (`Unit.updates`): started only by the rows that
        send them (fault 13)."""
        return [u for u in self.units if u.updates]
