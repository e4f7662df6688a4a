"""Atomic file writes, so a reader never sees half an artifact.

A worker can be killed mid-write (the suite does exactly that). Writing to a temporary
file in the same directory, flushing it to disk, then `os.replace`-ing it over the final
name means the final path either does not exist yet or holds a complete file; a retried
attempt simply replaces it again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from temporalio.exceptions import ApplicationError


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically, creating parent folders; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return path


def safe_file_stem(name: str) -> str:
    """Reject names that would escape their folder; workflows validate this first too."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"{name!r} cannot be used as a file name")
    return name


def artifact_path(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem+suffix`, or a non-retryable InvalidRequest: a bad name never gets better."""
    try:
        return folder / f"{safe_file_stem(stem)}{suffix}"
    except ValueError as exc:
        raise ApplicationError(str(exc), type="InvalidRequest", non_retryable=True) from exc
