"""What a test item carries between the chaos fixture and the report plugin, typed.

The chaos fixture (stormproof.chaos.fixtures) puts its run's history path, its log sources
and, when it ends, its record on the item; the report plugin (stormproof.report.plugin)
puts there the file for the test's live counts and the failed test's bug class. Neither
side reads the other's objects: only these keys, on pytest's own per-item stash.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stormproof.fixtures.wait import LogSource
from stormproof.report.model import ChaosRecord
from stormproof.report.ticker import ProgressFile

# chaos fixture -> report
HISTORY_KEY = pytest.StashKey[Path]()  # a failed test's history tail goes into its report
LOGS_KEY = pytest.StashKey[Callable[[], dict[str, LogSource]]]()  # scanned after the test
RECORD_KEY = pytest.StashKey[ChaosRecord]()  # the test's record, set as it is torn down
# report -> chaos fixture
PROGRESS_KEY = pytest.StashKey[ProgressFile]()  # where the test writes its live counts
DIAGNOSIS_KEY = pytest.StashKey[str]()  # the failed test's bug class, for its record
