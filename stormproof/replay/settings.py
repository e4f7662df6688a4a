"""What a replay is run with: workflows, data converter, codec, plugins and interceptors.

A history can only be replayed with the converter its workers wrote it with: a codec's
sealed payloads are bytes to anything else. The SDK's `Replayer` takes a data converter,
plugins and interceptors; the suite exposes them as `module:attr` options, so a team
points at the objects its workers already use:

- `--replay-data-converter module:attr`: a `DataConverter`, or a function returning one
  (default: the SDK's pydantic converter, which also reads plain JSON);
- `--replay-codec module:attr`: a `PayloadCodec`, or a function or class returning one;
- `--replay-plugins` / `--replay-interceptors`: comma-separated `module:attr` lists;
- `STORMPROOF_PAYLOAD_KEY`: histories sealed by Stormproof's own worker (CONTRACT.md 7),
  opened with the judge's implementation of that format, never the reference's.

Settings are plain strings, so a child process rebuilds the same replayer from them.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.worker import Interceptor, Plugin, Replayer

from stormproof.fixtures.codec import PAYLOAD_KEY_VARIABLE, ContractCodec
from stormproof.fixtures.config import SuiteConfig

DEFAULT_WORKFLOWS = "stormproof.reference.workflows:ALL_WORKFLOWS"


class ReplaySetupError(Exception):
    """An option does not name what it must; the message names the option and the fix."""


class WorkflowsSpecError(ReplaySetupError):
    """`--workflows module:attr` does not name a list of workflow classes."""


class ReplaySettings(BaseModel):
    """The replayer's ingredients, as the user typed them."""

    model_config = ConfigDict(frozen=True)

    workflows: str = DEFAULT_WORKFLOWS
    data_converter: str | None = None
    codec: str | None = None
    plugins: tuple[str, ...] = ()
    interceptors: tuple[str, ...] = ()
    payload_key: str | None = Field(default=None, repr=False)

    @classmethod
    def of(cls, config: SuiteConfig, env: Mapping[str, str]) -> ReplaySettings:
        """The settings the suite's options and `STORMPROOF_PAYLOAD_KEY` give."""
        return cls(
            workflows=config.workflows,
            data_converter=config.replay_data_converter,
            codec=config.replay_codec,
            plugins=_split(config.replay_plugins),
            interceptors=_split(config.replay_interceptors),
            payload_key=env.get(PAYLOAD_KEY_VARIABLE) or None,
        )


def _split(specs: str | None) -> tuple[str, ...]:
    """`a:b, c:d` as ("a:b", "c:d"): how the list options are written."""
    return tuple(s.strip() for s in (specs or "").split(",") if s.strip())


def load_object(
    spec: str, flag: str, what: str, error: type[ReplaySetupError] = ReplaySetupError
) -> Any:
    """The object `module:attr` names, or `error` saying what to pass instead."""
    module_name, sep, attr = spec.partition(":")
    fix = f"fix: pass {flag} module:attr naming {what}"
    if not sep or not module_name or not attr:
        raise error(f"{flag} {spec!r} is not module:attr; {fix}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise error(f"{flag} {spec!r}: cannot import: {exc}; {fix}") from None
    value = getattr(module, attr, None)
    if value is None:
        raise error(f"{flag} {spec!r}: {module_name} has no {attr!r}; {fix}")
    return value


def _instance(spec: str, flag: str, kind: type, what: str) -> Any:
    """A `kind` instance named by `spec`, calling a factory (or class) if that is named."""
    value = load_object(spec, flag, what)
    if not isinstance(value, kind) and callable(value):
        try:
            value = value()
        except Exception as exc:  # the user's factory: any failure is theirs to read
            raise ReplaySetupError(f"{flag} {spec!r}: calling it raised {exc!r}") from None
    if not isinstance(value, kind):
        raise ReplaySetupError(
            f"{flag} {spec!r} is a {type(value).__name__}, not {what}; fix: pass "
            f"{flag} module:attr naming {what}"
        )
    return value


def _instances(specs: tuple[str, ...], flag: str, kind: type, what: str) -> list[Any]:
    found: list[Any] = []
    for spec in specs:
        value = load_object(spec, flag, what)
        items = value if isinstance(value, list | tuple) else [value]
        for i, item in enumerate(items):
            name = spec if len(items) == 1 else f"{spec}[{i}]"
            found.append(item if isinstance(item, kind) else _called(item, name, flag, kind, what))
    return found


def _called(factory: Callable[[], Any] | Any, spec: str, flag: str, kind: type, what: str) -> Any:
    value = factory() if callable(factory) else factory
    if not isinstance(value, kind):
        raise ReplaySetupError(f"{flag} {spec!r} is a {type(value).__name__}, not {what}")
    return value


def data_converter(settings: ReplaySettings) -> DataConverter:
    """The converter the histories were written with: option, codec and key applied."""
    converter = pydantic_data_converter
    if settings.data_converter:
        converter = _instance(
            settings.data_converter, "--replay-data-converter", DataConverter, "a DataConverter"
        )
    codec: PayloadCodec | None = None
    if settings.codec:
        codec = _instance(settings.codec, "--replay-codec", PayloadCodec, "a PayloadCodec")
    elif settings.payload_key:
        try:
            codec = ContractCodec(settings.payload_key)
        except ValueError as exc:
            raise ReplaySetupError(
                f"{PAYLOAD_KEY_VARIABLE} is not a key: {exc}; fix: set it to 32 random bytes, "
                "base64 (`openssl rand -base64 32`), the key the worker sealed them with"
            ) from None
    return dataclasses.replace(converter, payload_codec=codec) if codec else converter


@cache
def replay_runtime() -> Runtime:
    """A runtime whose core logs only errors.

    On a failed replay the SDK core logs "Failing workflow task" at WARN, with terminal
    colour codes, repeating the reason the verdict already quotes. Forwarding core logs to
    Python logging instead would drop the colours, but deadlocks interpreter exit when
    lines are still buffered, so they are filtered out here and the suite's conftest
    strips colour codes from whatever captured output remains.
    """
    core_filter = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=core_filter)))


def build_replayer(settings: ReplaySettings, workflows: list[type]) -> Replayer:
    """The SDK's Replayer for `workflows`, with the user's converter, plugins, interceptors."""
    return Replayer(
        workflows=workflows,
        data_converter=data_converter(settings),
        plugins=_instances(settings.plugins, "--replay-plugins", Plugin, "a worker Plugin"),
        interceptors=_instances(
            settings.interceptors, "--replay-interceptors", Interceptor, "a worker Interceptor"
        ),
        runtime=replay_runtime(),
    )
