"""The reference HTTP API, `stormproof-reference api`, one concern per module:

    app.py      the routes, their Temporal backend, and `main`
    reports.py  deciding and following reports (approve, reject, progress)
    models.py   the API's settings and every request and response body
    guard.py    the request-size limit, and error answers that never echo the input
    metrics.py  `/metrics`: what it answered, why it refused, the Temporal link's state
    server.py   the command line and the uvicorn server, shared with the broken API twin

The Temporal connection it keeps is stormproof.reference.temporal.link.
"""

from stormproof.reference.api.app import TemporalBackend, create_app, main

__all__ = ["TemporalBackend", "create_app", "main"]
