"""The support app's own tests: the happy path, the confirmation window, replay, the twins."""
