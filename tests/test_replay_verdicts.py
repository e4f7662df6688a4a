"""The three verdicts (replayed, diverged, cannot judge), each shown to be reachable and
worded for its cause; the converter options; the core-flag-1 warning; no colour codes.

A deliberately reordered twin of ReportWorkflow (stormproof.reference.broken, loaded from
its `module:attr` string) makes the divergence; a history sealed with Stormproof's payload
codec (tests/replay_histories/special/encrypted.json, TEST_KEY) makes the converter problem.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stormproof.fixtures.twins import broken_spec
from stormproof.fixtures.wait import strip_ansi
from stormproof.replay.batch import judge_files
from stormproof.replay.histories import load
from stormproof.replay.replayer import OLD_CORE_FLAGS, load_workflows, make_replayer, replay_file
from stormproof.replay.scenarios import by_key
from stormproof.replay.settings import ReplaySettings, ReplaySetupError, data_converter
from stormproof.replay.verdicts import Origin, ReplayOutcome, shorten

SPECIAL = Path(__file__).parent / "replay_histories" / "special"
SEALED = SPECIAL / "encrypted.json"
TEST_KEY = "c3Rvcm1wcm9vZi1yZXBsYXktdGVzdC1rZXktMzItYnk="  # as build.py sealed it with
OTHER_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
HAPPY = by_key("ReportWorkflow/happy_path").path()
REORDERED = broken_spec("activities_reordered")


async def _judge(path: Path, settings: ReplaySettings | None = None) -> ReplayOutcome:
    [outcome] = await judge_files([path], settings or ReplaySettings())
    return outcome


async def _diverged(origin: Origin) -> ReplayOutcome:
    replayer = make_replayer(load_workflows(REORDERED))
    return await replay_file(replayer, load(HAPPY), "happy_path.json", origin)


async def test_replayed() -> None:
    outcome = await _judge(HAPPY)
    assert outcome.verdict == "replayed" and outcome.ok
    assert (
        outcome.message == f"{HAPPY}: replayed: the code issues the commands this history recorded"
    )
    assert outcome.warnings == ()


async def test_diverged_names_file_event_and_what_the_code_issued() -> None:
    outcome = await _diverged("exported")
    assert outcome.verdict == "diverged" and not outcome.ok
    first, where, *rest = outcome.message.splitlines()
    assert first.startswith("happy_path.json: diverged: replay of this history failed:")
    assert where == (
        "  the history has event 17: activity store_report_metadata there; "
        "the code issued activity send_notification"
    )
    assert "workflow.patched(...)" in rest[-1]
    assert "record-histories" not in outcome.message, "a team's export is not ours to re-record"


async def test_advice_fits_where_the_history_came_from() -> None:
    assert "`stormproof record-histories`" in (await _diverged("committed")).message
    assert "delete this export" in (await _diverged("exported")).message
    assert "still open on the server" in (await _diverged("live")).message


def test_long_command_lists_are_shortened_around_the_divergence() -> None:
    lines = [f"event {n}: activity a{n}" for n in range(1, 41)]
    shown = shorten(lines, 30)
    assert shown[:3] == lines[:3]
    assert "event 30: activity a30" in shown
    assert [line for line in shown if line.startswith("...")] == ["... 23 more", "... 7 more"]
    assert len(shown) <= 12
    assert shorten(lines[:5], 3) == lines[:5]


async def test_cannot_judge_a_sealed_history_without_its_codec() -> None:
    outcome = await _judge(SEALED)
    assert outcome.verdict == "cannot judge" and not outcome.ok
    assert f"{SEALED}: cannot judge: pass --replay-codec" in outcome.message
    assert "'binary/encrypted'" in outcome.message
    assert "STORMPROOF_PAYLOAD_KEY" in outcome.message


async def test_payload_key_opens_our_sealed_history() -> None:
    assert (await _judge(SEALED, ReplaySettings(payload_key=TEST_KEY))).ok


async def test_a_wrong_key_is_cannot_judge_naming_both_key_ids() -> None:
    outcome = await _judge(SEALED, ReplaySettings(payload_key=OTHER_KEY))
    assert outcome.verdict == "cannot judge"
    assert "the payload codec cannot decode its payloads (event 1 and 9 more): InvalidTag" in (
        outcome.message
    )
    assert "sealed with key id 3df6414d22be7887" in outcome.message
    assert "STORMPROOF_PAYLOAD_KEY is key id" in outcome.message


@pytest.fixture
def team_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A team's own module of codec, converter, plugin and interceptor, importable by name."""
    (tmp_path / "team_replay.py").write_text(
        textwrap.dedent(f"""
        import dataclasses
        from temporalio.contrib.pydantic import pydantic_data_converter
        from temporalio.plugin import SimplePlugin
        from temporalio.worker import Interceptor, WorkflowInboundInterceptor
        from stormproof.fixtures.codec import ContractCodec

        KEY = {TEST_KEY!r}
        codec = ContractCodec(KEY)
        def make_codec():
            return ContractCodec(KEY)
        sealed_converter = dataclasses.replace(pydantic_data_converter, payload_codec=codec)
        sealing = SimplePlugin(
            "sealing", data_converter=lambda dc: dataclasses.replace(dc, payload_codec=codec)
        )
        STARTED = []
        class _Inbound(WorkflowInboundInterceptor):
            async def execute_workflow(self, input):
                STARTED.append(input.type.__name__)
                return await super().execute_workflow(input)
        class Recording(Interceptor):
            def workflow_interceptor_class(self, input):
                return _Inbound
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "team_replay"


@pytest.mark.parametrize(
    "settings",
    [
        {"codec": "team_replay:codec"},
        {"codec": "team_replay:make_codec"},
        {"data_converter": "team_replay:sealed_converter"},
        {"plugins": ("team_replay:sealing",)},
    ],
    ids=["codec", "codec-factory", "data-converter", "plugin"],
)
async def test_the_team_options_open_a_sealed_history(
    team_module: str, settings: dict[str, object]
) -> None:
    outcome = await _judge(SEALED, ReplaySettings.model_validate(settings))
    assert outcome.ok, outcome.message


async def test_interceptors_run_during_replay(team_module: str) -> None:
    import team_replay  # type: ignore[import-not-found]  # written by the fixture

    settings = ReplaySettings(interceptors=("team_replay:Recording",))
    assert (await _judge(HAPPY, settings)).ok
    assert team_replay.STARTED == ["ReportWorkflow"]


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"codec": "no_such_module:codec"}, "--replay-codec 'no_such_module:codec': cannot import"),
        ({"codec": "stormproof.fixtures.codec:PAYLOAD_KEY_VARIABLE"}, "not a PayloadCodec"),
        ({"data_converter": "json:dumps"}, "--replay-data-converter 'json:dumps': calling it"),
        ({"plugins": ("json",)}, "--replay-plugins 'json' is not module:attr"),
        ({"payload_key": "too-short"}, "STORMPROOF_PAYLOAD_KEY is not a key"),
    ],
)
def test_bad_settings_name_the_option(settings: dict[str, object], why: str) -> None:
    with pytest.raises(ReplaySetupError, match=why.replace("(", r"\(")):
        make_replayer(load_workflows(), ReplaySettings.model_validate(settings))
    assert data_converter(ReplaySettings()).payload_codec is None


async def test_an_unknown_workflow_type_cannot_be_judged() -> None:
    settings = ReplaySettings(workflows="stormproof.reference.workflows:PingWorkflow")
    outcome = await _judge(HAPPY, settings)
    assert outcome.verdict == "cannot judge"
    assert "workflow type 'ReportWorkflow' is not among the workflows replayed against" in (
        outcome.message
    )


async def test_a_history_before_core_flag_1_replays_with_a_warning() -> None:
    old = await _judge(SPECIAL / "old_core_flags.json")
    assert old.ok, old.message
    assert old.warnings == (f"{SPECIAL / 'old_core_flags.json'}: {OLD_CORE_FLAGS}",)
    assert "changed activity type" in OLD_CORE_FLAGS


async def test_decoded_and_reversed_files_that_cannot_be_rebuilt() -> None:
    bare = await _judge(SPECIAL / "webui_data_only.json")
    assert "cannot judge: the payloads were decoded by the UI download" in bare.message
    truncated = await _judge(SPECIAL / "reverse_truncated.json")
    assert "cannot judge: events are in reverse order" in truncated.message


async def test_replay_prints_no_colour_codes(capfd: pytest.CaptureFixture[str]) -> None:
    """The SDK core's WARN lines carry terminal colours; a diverging replay must not
    print them (the replay runtime logs core errors only)."""
    outcome = await _diverged("exported")
    captured = capfd.readouterr()
    assert outcome.verdict == "diverged"
    assert "\x1b[" not in captured.err + captured.out + outcome.message
    assert strip_ansi("\x1b[33m WARN\x1b[0m \x1b[2mcore\x1b[0m") == " WARN core"
