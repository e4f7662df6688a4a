"""The reference's activities with one failure mode classified wrongly: final where the
contract says transient, for the worker twins in workers.py.

Each class subclasses the reference activity and changes only how one way of failing is
reported, as code that guessed at what an error means would: a dropped database
connection read as a bad statement, a query past a deadline read as one that will never
finish, a refused webhook connection read as a wrong URL, a reply the client could not
parse read as a rejected request. Everything else (the request, the key, the effect) is
the reference's, so a check that rejects one is seeing its classification and nothing else
(docs/CONTRACT_MATRIX.md, "Failure modes per dependency", names the cell each one breaks).
"""

from __future__ import annotations

import asyncio

import httpx
import psycopg
from openai import AsyncOpenAI
from temporalio.exceptions import ApplicationError

from stormproof.reference.activities import LlmActivities, NotifyActivities, StorageActivities
from stormproof.reference.models import LlmCallInput, LlmCallOutput, NotificationOutput

# The silent-database twin's own deadline for a statement: well inside store_report_metadata's
# 15 s start_to_close, so its verdict comes before Temporal's timeout would.
QUERY_DEADLINE_SECONDS = 3.0


class ResetIsFinalStorage(StorageActivities):
    """BROKEN ON PURPOSE: a connection PostgreSQL dropped (psycopg's OperationalError) is
    taken for a statement that is wrong, so the step fails for good instead of a retry."""

    async def _store_postgres(self, row: tuple[str, str, str, int]) -> bool:
        try:
            return await super()._store_postgres(row)
        except psycopg.OperationalError as exc:
            raise ApplicationError(
                f"database rejected the report's row: {exc}",
                type="DatabaseError",
                non_retryable=True,
            ) from exc


class SilenceIsFinalStorage(StorageActivities):
    """BROKEN ON PURPOSE: a statement unanswered after QUERY_DEADLINE_SECONDS is declared
    one that will never finish, and the step fails for good instead of a retry."""

    async def _store_postgres(self, row: tuple[str, str, str, int]) -> bool:
        store = asyncio.shield(super()._store_postgres(row))  # left to finish on its own
        try:
            return await asyncio.wait_for(store, QUERY_DEADLINE_SECONDS)
        except TimeoutError:
            store.add_done_callback(lambda task: task.cancelled() or task.exception())
            raise ApplicationError(
                f"the report's row was not stored within {QUERY_DEADLINE_SECONDS:g}s",
                type="DatabaseTimeout",
                non_retryable=True,
            ) from None


class RefusedIsFinalNotify(NotifyActivities):
    """BROKEN ON PURPOSE: a refused connection to the webhook (httpx.ConnectError) is read
    as a wrong STORMPROOF_NOTIFY_URL, a setting, so the notification fails for good; a
    reset or a read timeout is still retried."""

    async def _post(self, body: dict[str, object], key: str) -> NotificationOutput:
        try:
            return await super()._post(body, key)
        except ApplicationError as exc:
            if not isinstance(exc.__cause__, httpx.ConnectError):
                raise
            raise ApplicationError(
                f"{exc.message}; is STORMPROOF_NOTIFY_URL right?",
                type="NotificationNotConfigured",
                non_retryable=True,
            ) from exc


class MalformedIsFinalLlm(LlmActivities):
    """BROKEN ON PURPOSE: a reply the client cannot read as a chat completion is taken for
    a request the LLM refused, so the step fails for good instead of asking again."""

    async def _request(
        self, client: AsyncOpenAI, request: LlmCallInput, attempt: int
    ) -> LlmCallOutput:
        try:
            return await super()._request(client, request, attempt)
        except ApplicationError as exc:
            if exc.type != "LlmBadResponse":
                raise
            raise ApplicationError(
                exc.message, type="LlmRequestRejected", non_retryable=True
            ) from exc
