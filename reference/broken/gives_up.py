"""The process twin `gives_up_when_unreachable`: a worker that tries Temporal once.

BROKEN ON PURPOSE. Started before Temporal (a deploy where the worker's pod wins the race),
it logs that Temporal is not there and exits 0: to a supervisor that restarts only on
failure, a clean exit is a finished job, so the queue has no poller and nothing says why.
The reference retries forever (stormproof/reference/temporal/connection.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from stormproof.reference.temporal.connection import (
    connect_with_retry,
    describe,
    load_connect_config,
)
from stormproof.reference.worker import run

log = logging.getLogger("stormproof.reference.broken.gives_up")


def main(argv: Sequence[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = load_connect_config()
    try:
        asyncio.run(connect_with_retry(config, max_attempts=1, quiet=True))
    except Exception as exc:
        log.info(
            "Temporal at %s is not reachable (%s); nothing to do, exiting", describe(config), exc
        )
        return 0
    return run(list(argv), variant="gives_up_when_unreachable")
