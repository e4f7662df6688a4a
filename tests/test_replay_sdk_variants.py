"""Variants of one committed history are judged by Stormproof as the SDK judges them.

The variants are what other exporters write: explicit nulls for unset fields (as the
export from Temporal's education course has, `"parentWorkflowExecution": null`), fields
left out, and field names in the other casing (snake_case, as protobuf writes with the
proto names kept, or both in one file). They are made by walking the History protobuf's
descriptors, so every field of event 1 is covered; a payload's own fields belong to the
converter (payload_check.py judges them) and are left alone. The ground truth and the
committed files are in test_replay_sdk_ground_truth.py; the explicit-null export is
also replayed for real, by the SDK alone and by `--replay-dir`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from temporalio.api.history.v1 import History, HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from stormproof.replay.batch import judge_files
from stormproof.replay.replayer import load_workflows, make_replayer
from stormproof.replay.settings import ReplaySettings
from stormproof.replay.ui_payloads import PAYLOAD_MESSAGE
from tests.test_replay_sdk_ground_truth import (
    REPO,
    FieldPath,
    _edit,
    _original,
    assert_agree,
    our_refusal,
    sdk_refusal,
)

SNAKE_CASE_FILE = REPO / "tests" / "replay_histories" / "formats" / "snake_case.json"


def _opaque(desc: Descriptor) -> bool:
    return desc.full_name == PAYLOAD_MESSAGE or desc.full_name.startswith("google.protobuf.")


def _children(value: dict[str, Any], desc: Descriptor) -> Iterator[tuple[Any, Descriptor]]:
    """Each present message value under `value`, with its descriptor (maps skipped)."""
    for key, item in value.items():
        f = desc.fields_by_camelcase_name.get(key) or desc.fields_by_name.get(key)
        if f is None or f.message_type is None or f.message_type.GetOptions().map_entry:
            continue
        for child in item if isinstance(item, list) else [item]:
            if not _opaque(f.message_type):
                yield child, f.message_type


def with_nulls(value: dict[str, Any], desc: Descriptor, snake: bool = False) -> dict[str, Any]:
    """`value` with every field it leaves unset written as an explicit null, at every depth,
    named in camelCase (or in snake_case)."""
    for child, child_desc in _children(value, desc):
        with_nulls(child, child_desc, snake)
    for f in desc.fields:
        if f.json_name not in value and f.name not in value:
            value[f.name if snake else f.json_name] = None
    return value


def present(value: dict[str, Any], desc: Descriptor, at: FieldPath = ()) -> Iterator[FieldPath]:
    """The path of every field set in `value`, at every depth (outside payloads)."""
    for key, item in value.items():
        yield (*at, key)
        for index, (child, child_desc) in enumerate(_children({key: item}, desc)):
            where = (*at, key, index) if isinstance(item, list) else (*at, key)
            yield from present(child, child_desc, where)


def recased(value: Any, desc: Descriptor, snake: bool) -> Any:
    """`value` with every field name in the other casing (map keys are data, kept)."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        f = desc.fields_by_camelcase_name.get(key) or desc.fields_by_name.get(key)
        if f is None:
            out[key] = item
            continue
        inner = f.message_type
        if inner is not None and not inner.GetOptions().map_entry:
            items = [recased(i, inner, snake) for i in (item if isinstance(item, list) else [item])]
            item = items if isinstance(item, list) else items[0]
        out[f.name if snake else f.json_name] = item
    return out


def _variants() -> dict[str, Any]:
    event = HistoryEvent.DESCRIPTOR
    found: dict[str, Any] = {}
    first = _original()
    with_nulls(first["events"][0], event)
    found["explicit nulls in event 1"] = first
    everywhere = _original()
    for e in everywhere["events"]:
        with_nulls(e, event)
    found["explicit nulls in every event"] = everywhere
    for path in present(_original()["events"][0], event):
        name = ".".join(map(str, path))
        found[f"null {name}"] = _edit(path, None)
        found[f"absent {name}"] = _edit(path)
    found["snake_case keys"] = recased(_original(), History.DESCRIPTOR, snake=True)
    committed_snake = json.loads(SNAKE_CASE_FILE.read_text())
    found["camelCase keys of the committed snake_case file"] = recased(
        committed_snake, History.DESCRIPTOR, snake=False
    )
    mixed = _original()
    mixed["events"] = [recased(e, event, snake=i % 2 == 0) for i, e in enumerate(mixed["events"])]
    found["snake_case and camelCase events mixed"] = mixed
    found["snake_case keys with explicit nulls"] = {
        "events": [
            with_nulls(recased(e, event, snake=True), event, snake=True)
            for e in _original()["events"]
        ]
    }
    return found


VARIANTS = _variants()


@pytest.mark.parametrize("name", VARIANTS)
def test_a_variant_is_judged_as_the_sdk_judges_it(name: str) -> None:
    data = VARIANTS[name]
    assert_agree(name, sdk_refusal(copy.deepcopy(data)), our_refusal(copy.deepcopy(data)))


def test_the_variants_the_issue_names_are_all_read() -> None:
    """The education-course export (explicit nulls) and the casings are histories to both."""
    for name in ("explicit nulls in event 1", "explicit nulls in every event", "snake_case keys"):
        assert sdk_refusal(copy.deepcopy(VARIANTS[name])) is None, name
        assert our_refusal(copy.deepcopy(VARIANTS[name])) is None, name
    started = VARIANTS["explicit nulls in event 1"]["events"][0]
    assert started["workflowExecutionStartedEventAttributes"]["parentWorkflowExecution"] is None


@pytest.fixture(scope="module")
def replayer() -> Replayer:
    """The SDK's Replayer with the reference's workflows, as `--replay-dir` builds it."""
    return make_replayer(load_workflows())


@pytest.mark.parametrize("name", ["explicit nulls in event 1", "explicit nulls in every event"])
async def test_the_explicit_null_export_replays(
    name: str, replayer: Replayer, tmp_path: Path
) -> None:
    """The issue's export, replayed for real: by the SDK alone, and by `--replay-dir`."""
    text = json.dumps(VARIANTS[name])
    result = await replayer.replay_workflow(WorkflowHistory.from_json("nulls", text))
    assert result.replay_failure is None
    path = tmp_path / "nulls.json"
    path.write_text(text)
    [outcome] = await judge_files([path], ReplaySettings())
    assert outcome.verdict == "replayed", outcome.message
