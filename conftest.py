"""The Stormproof plugin is loaded through its `pytest11` entry point (pyproject.toml), the
same way a team's repository gets it after `pip install stormproof`; `make` installs this
checkout in editable mode, so the checkout is judged by exactly the path a team uses.

Running pytest from a checkout that was never installed fails here, with the fix, instead
of with "unknown option --temporal-address" or an import error further down.
"""

from importlib.metadata import entry_points

if not any(ep.name == "stormproof" for ep in entry_points(group="pytest11")):
    raise SystemExit(
        "stormproof: the pytest plugin is not installed in this Python "
        "(no 'stormproof' pytest11 entry point); run `make python-deps` "
        "(or `pip install -e .`) in the checkout first"
    )
