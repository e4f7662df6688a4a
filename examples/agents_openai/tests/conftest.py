"""Judge the support app: its adapter instead of --adapter's, in a chaos world of its own.

`make test` runs suites/, tests/ and every example in one pytest session, so the session's
`adapter` and `chaos_world` are overridden here rather than chosen on the command line;
the world's files and logs go to their own folder of the session's.
"""

from __future__ import annotations

from examples.agents_openai.tests.helpers import ADAPTER
from stormproof.chaos import adapter_world_fixtures

adapter, chaos_world = adapter_world_fixtures(ADAPTER, "agents_openai")
