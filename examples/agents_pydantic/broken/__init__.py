"""The support-triage app's broken twins (see each module's docstring)."""
