"""The fake services' error path (fixtures/loopback_http.py): a client that hung up is not
news, and nothing a serving thread hits may print to stderr, where it lands in whatever
test of the process is capturing it (a CLI test's capsys once read a fake LLM's
BrokenPipeError traceback instead of the error line it checks)."""

from __future__ import annotations

import logging

import httpx
import pytest

from stormproof.fixtures.loopback_http import BackgroundServer, QuietHandler


class Failing(QuietHandler):
    """Raises what the request path names: `/hung-up` as a vanished client does."""

    def do_GET(self) -> None:
        if self.path == "/hung-up":
            raise BrokenPipeError(32, "Broken pipe")
        raise RuntimeError("a bug in a fake service")


class FailingServer(BackgroundServer):
    handler = Failing
    name = "failing"


@pytest.mark.parametrize(
    ("path", "logged"), [("/hung-up", False), ("/bug", True)], ids=["hung-up", "bug"]
)
def test_serving_errors_never_reach_stderr(
    path: str, logged: bool, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="stormproof.fixtures.loopback_http")
    with FailingServer() as server, pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{server.port}{path}", timeout=5)
    assert capfd.readouterr().err == ""
    messages = [r.getMessage() for r in caplog.records]
    assert bool(messages) is logged, messages
    if logged:
        assert "FailingServer: error serving" in messages[0]
