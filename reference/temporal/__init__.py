"""The reference's connection to Temporal, shared by the worker, the client and the API:

    config.py      checking the connection settings before anything connects
    connection.py  loading Temporal's environment configuration and connecting
    link.py        the API's long-lived link: connect in the background, probe, reconnect

Each caller imports the module it needs, so a client command does not load the API's link.
"""
