"""How a team's worker takes part in a rolling deploy: `Adapter.deployment`.

Worker Deployment Versioning runs two builds of a worker side by side: each polls as one
version of a Worker Deployment, runs started pinned finish on the version they started on,
and auto-upgrade runs move to whichever version is made current, replaying their history
on its code. The rolling-deploy rows (suites/chaos/rolling, `make rolling`, and on the
four-service cluster, `make cluster`) ship the team's next release that way while its
current one has runs in flight, so an adapter that declares a `Deployment` says:

- which of its worker's variables take the deployment's name, the build id and the
  default versioning behaviour (the suite starts v1 and v2 with them);
- the release it ships (`next`: its worker's command and its workflow classes) and,
  optionally, the same change without its `workflow.patched` guard (`unpatched`), the
  negative control the deploy must reject as `non-determinism`;
- where a run is held while the switch happens: the unit whose runs are held, the link
  whose cut holds them, and the activity they wait in, at a point where the history already
  holds what the release changes;
- the committed histories the replay guard replays on each release before it deploys, and
  the replayer's plugins and data converter (those of the worker).

    Deployment(
        name_variable="SUPPORT_DEPLOYMENT_NAME",
        build_id_variable="SUPPORT_BUILD_ID",
        behavior_variable="SUPPORT_VERSIONING_BEHAVIOR",
        unit="triage_preconfirmed",
        hold_link="llm",
        hold_activity="invoke_model_activity",
        next=Release(worker_cmd=[sys.executable, "-m", "app.release_2"],
                     workflows="app.release_2:WORKFLOWS"),
        histories=Path(__file__).parent / "histories",
    )
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", frozen=True)
SPEC = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"  # module:attr
# The links of a chaos run whose cut can hold a run in an activity (stormproof/chaos/run.py
# names them), besides `svc-<name>` for each of the adapter's services.
HOLD_LINKS = ("llm", "postgres", "sink")


def hold_links(services: list[str]) -> list[str]:
    """Every link `Deployment.hold_link` may name, for an adapter with these services."""
    return [*HOLD_LINKS, *(f"svc-{name}" for name in services)]


class Release(BaseModel):
    """One release of the team's workflow code, as the deploy ships it."""

    model_config = _STRICT

    worker_cmd: list[str] | None = Field(
        None,
        min_length=1,
        description="its worker's command; None: the adapter's worker command (or --worker-cmd)",
    )
    args: list[str] = Field(default_factory=list, description="appended to the command")
    workflows: str = Field(
        pattern=SPEC,
        description="its workflow classes as module:attr (a class or a list), which the "
        "replay guard replays the committed histories on",
    )

    @property
    def label(self) -> str:
        """A short name for reports: the attribute, or the module's last part when the
        attribute is a constant's (`app.release_2:WORKFLOWS` -> release_2)."""
        module, attr = self.workflows.split(":")
        return module.rsplit(".", 1)[-1] if attr.isupper() else attr


class Deployment(BaseModel):
    """The team's worker as versions of a Worker Deployment, and the release it ships."""

    model_config = _STRICT

    name_variable: str = Field(description="the worker's variable for the deployment's name")
    build_id_variable: str = Field(description="the worker's variable for its build id")
    behavior_variable: str | None = Field(
        None,
        description="the worker's variable for its default versioning behaviour (None: the "
        "worker's workflows declare theirs, auto-upgrade)",
    )
    auto_upgrade: str = Field(
        "auto-upgrade", description="the value of behavior_variable meaning auto-upgrade"
    )
    unit: str = Field(description="the unit whose runs are held across the switch")
    hold_link: str = Field(
        description="the link whose cut holds them: llm, postgres, sink or svc-<service>"
    )
    hold_activity: str = Field(description="the activity type a held run waits in")
    next: Release = Field(description="the release the deploy ships: the change, patched")
    unpatched: Release | None = Field(
        None,
        description="the same change without its workflow.patched guard: the negative "
        "control, rejected as non-determinism (None: that row is skipped, saying so)",
    )
    histories: Path = Field(description="a folder of committed histories (*.json) to replay")
    replay_plugins: tuple[str, ...] = Field(
        (), description="the worker's plugins as module:attr, for the replayer"
    )
    replay_data_converter: str | None = Field(
        None, description="the worker's data converter as module:attr, for the replayer"
    )
