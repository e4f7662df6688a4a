"""What the doctor reports: one result per staged check, and the report around them.

These are the boundary of `stormproof doctor`: the table and `--json` are both rendered
from them, and suites/deployment asserts on them, so a diagnosis is a stable `code` plus
human text rather than a string to grep.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """The outcome of one doctor check: passed, failed, or skipped (an earlier stage failed)."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


class DoctorCheck(BaseModel):
    """One check: what it found, and when it failed, why and how to fix it."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: Status
    code: str = Field(description="stable identifier of the finding, e.g. tls_to_plaintext")
    diagnosis: str
    fix: str | None = None
    elapsed: float = Field(0.0, description="seconds the check took")
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def passed(cls, name: str, code: str, diagnosis: str, **details: Any) -> DoctorCheck:
        return cls(name=name, status=Status.PASS, code=code, diagnosis=diagnosis, details=details)

    @classmethod
    def failed(cls, name: str, code: str, diagnosis: str, fix: str, **details: Any) -> DoctorCheck:
        return cls(
            name=name, status=Status.FAIL, code=code, diagnosis=diagnosis, fix=fix, details=details
        )

    @classmethod
    def skipped(cls, name: str, code: str, diagnosis: str) -> DoctorCheck:
        return cls(name=name, status=Status.SKIP, code=code, diagnosis=diagnosis)


class TargetSummary(BaseModel):
    """What was probed, secrets masked."""

    address: str | None
    namespace: str
    task_queue: str | None
    tls: bool
    ca: str | None = None
    client_cert: str | None = None
    server_name: str | None = None
    api_key: str | None = None
    profile: str | None = None


class DoctorReport(BaseModel):
    """Every stage the doctor ran, in order, with the first failure and its fix."""

    target: TargetSummary
    checks: list[DoctorCheck]

    @property
    def ok(self) -> bool:
        return all(check.status is not Status.FAIL for check in self.checks)

    @property
    def first_failure(self) -> DoctorCheck | None:
        return next((c for c in self.checks if c.status is Status.FAIL), None)

    def check(self, name: str) -> DoctorCheck:
        return next(c for c in self.checks if c.name == name)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


class DoctorOptions(BaseModel):
    """Knobs of the doctor that are not part of the suite's connection settings."""

    model_config = ConfigDict(frozen=True)

    connect_timeout: float = Field(3.0, gt=0, description="seconds for DNS, TCP, TLS, each RPC")
    ping_timeout: float = Field(10.0, gt=0, description="seconds for the PingWorkflow round trip")
    check_llm: bool = Field(False, description="run one StoryWorkflow (one LLM call)")
    llm_timeout: float = Field(30.0, gt=0, description="seconds for the LLM check's workflow")
    alternate_ports: tuple[int, ...] = Field(
        (443, 7233), description="ports tried on the same host to diagnose a wrong port"
    )
    metrics_urls: tuple[str, ...] = Field(
        (), description="Prometheus endpoints that must answer (--metrics-url, repeatable)"
    )
