"""The export-form fixtures, rebuilt from one committed history by running this file.

Run: `.venv/bin/python tests/replay_histories/build.py`.

Every file here is ReportWorkflow/happy_path (suites/replay/histories/) as another tool
would have exported it, so the tests prove each form replays to the same verdict as the
original. formats/ holds the forms that must replay; special/ the files that must end in
"cannot judge" or carry a warning. The sealed history is re-sealed with fresh nonces on
every build, so only rebuild when the committed history changes.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import gzip
import json
import re
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History, HistoryEvent

from stormproof.fixtures.codec import ContractCodec
from stormproof.replay.scenarios import by_key

HERE = Path(__file__).parent
# A key for test fixtures only: it seals a history of made-up prompts, nothing secret.
TEST_KEY = "c3Rvcm1wcm9vZi1yZXBsYXktdGVzdC1rZXktMzItYnk="


def _enums(value: Any, desc: Descriptor, style: str) -> Any:
    """`value` (canonical JSON of `desc`) with every enum name written in `style`."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        f = desc.fields_by_camelcase_name.get(key)
        if f is None:
            out[key] = item
        elif f.type == FieldDescriptor.TYPE_ENUM:
            prefix = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", f.enum_type.name).upper() + "_"
            names = item if isinstance(item, list) else [item]
            shorts = [name.removeprefix(prefix) for name in names]
            styled = [
                "".join(w.capitalize() for w in s.split("_")) if style == "pascal" else s
                for s in shorts
            ]
            out[key] = styled if isinstance(item, list) else styled[0]
        elif f.type == FieldDescriptor.TYPE_MESSAGE and not f.message_type.GetOptions().map_entry:
            items = item if isinstance(item, list) else [item]
            done = [_enums(i, f.message_type, style) for i in items]
            out[key] = done if isinstance(item, list) else done[0]
        else:
            out[key] = item
    return out


def _payload_lists(value: Any, skip: tuple[str, ...] = ("header", "searchAttributes")) -> list:
    found: list[list[dict[str, Any]]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "payloads" and isinstance(item, list):
                found.append(item)
            elif key not in skip:
                found += _payload_lists(item, skip)
    elif isinstance(value, list):
        for item in value:
            found += _payload_lists(item, skip)
    return found


def _ui_decoded(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as the Web UI's readable download writes it."""
    metadata = {k: base64.b64decode(v).decode() for k, v in payload["metadata"].items()}
    raw = base64.b64decode(payload.get("data", ""))
    data = json.loads(raw) if metadata.get("encoding") == "json/plain" else None
    return {"metadata": metadata, "data": data}


async def _sealed(history: dict[str, Any]) -> dict[str, Any]:
    codec = ContractCodec(TEST_KEY)
    for payloads in _payload_lists(history):
        plain = [json_format.ParseDict(p, Payload()) for p in payloads]
        sealed = await codec.encode(plain)
        payloads[:] = [json_format.MessageToDict(p) for p in sealed]
    return history


def _write(name: str, data: Any, *, indent: int | None = 2) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        path.write_text(text)


def build() -> None:
    cli: dict[str, Any] = json.loads(by_key("ReportWorkflow/happy_path").path().read_text())
    message = json_format.ParseDict(cli, History())
    event_desc = HistoryEvent.DESCRIPTOR
    _write("formats/cli_current.json", cli)
    _write("formats/cli_current.json.gz", cli)
    tctl = {"events": [_enums(e, event_desc, "pascal") for e in cli["events"]]}
    _write("formats/pascal_case.json", tctl, indent=None)
    upper = {"events": [_enums(e, event_desc, "upper") for e in cli["events"]]}
    _write("formats/upper_no_prefix.json", upper)
    integers = json_format.MessageToDict(message, use_integers_for_enums=True)
    _write("formats/int_enums.json", integers)
    snake = json_format.MessageToDict(message, preserving_proto_field_name=True)
    _write("formats/snake_case.json", snake)
    _write("formats/webui_raw/events.json", tctl)
    decoded = copy.deepcopy(tctl)
    for payloads in _payload_lists(decoded, skip=()):
        payloads[:] = [_ui_decoded(p) for p in payloads]
    _write("formats/webui_decoded/events.json", decoded)
    _write("formats/bare_list.json", cli["events"])
    _write("formats/reverse.json", {"events": cli["events"][::-1]})

    bare = copy.deepcopy(decoded)
    for payloads in _payload_lists(bare, skip=()):
        payloads[:] = [p["data"] for p in payloads]
    _write("special/webui_data_only.json", bare)
    _write("special/reverse_truncated.json", {"events": cli["events"][::-1][:-3]})
    old = copy.deepcopy(cli)
    for event in old["events"]:
        metadata = event.get("workflowTaskCompletedEventAttributes", {}).get("sdkMetadata")
        if metadata is not None:
            metadata["coreUsedFlags"] = [f for f in metadata.get("coreUsedFlags", []) if f != 1]
    _write("special/old_core_flags.json", old)
    _write("special/encrypted.json", asyncio.run(_sealed(copy.deepcopy(cli))))


if __name__ == "__main__":
    build()
