"""`stormproof-reference`, the reference application's own command:

    main.py    the dispatcher: the command list, `--help`, `--version` and the exit
    common.py  what every command shares: exit codes, help epilogs, running async work
    client.py  the client commands (start, result, approve, reject, progress)

The worker, API and supervisor commands live with their code (reference/worker.py,
reference/api/, reference/supervisor.py). `python -m stormproof.reference.cli` is the
same command.
"""

from stormproof.reference.cli.main import main

__all__ = ["main"]
