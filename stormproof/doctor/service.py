"""Service stages through the SDK: is the caller authenticated, does the namespace exist?

The SDK reports an ingress's non-gRPC refusal (nginx answering HTTP 400 to a missing
client certificate) as an "invalid compression flag" protocol error; when that happens the
stage asks the ingress itself over HTTPS, whose error page names the actual problem.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from temporalio.api.enums.v1 import NamespaceState
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    GetSystemInfoRequest,
    ListNamespacesRequest,
)
from temporalio.service import RPCError, RPCStatusCode

from stormproof.doctor.context import Context
from stormproof.doctor.models import DoctorCheck
from stormproof.doctor.probes import http1_over_tls
from stormproof.fixtures.connect import connect

API_KEY_FIX = "set TEMPORAL_API_KEY (--api-key) to a valid key for this namespace"
CERT_FIX = (
    "set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (--cert/--key) to a "
    "client certificate signed by the CA the ingress trusts for clients"
)


def _grpc_code(error: BaseException) -> str:
    if isinstance(error, RPCError):
        return error.status.name
    match = re.search(r"code: (\w+)", str(error))
    return re.sub(r"(?<!^)(?=[A-Z])", "_", match.group(1)).upper() if match else ""


def _grpc_message(error: BaseException) -> str:
    if isinstance(error, RPCError):
        return error.message
    match = re.search(r'message: "([^"]*)"', str(error))
    return match.group(1) if match else str(error)[:300]


async def check_auth(ctx: Context) -> DoctorCheck:
    target, timeout = ctx.target, ctx.options.connect_timeout
    try:
        client = await asyncio.wait_for(connect(ctx.config, fail_fast=True), timeout)
        await client.workflow_service.get_system_info(
            GetSystemInfoRequest(), timeout=timedelta(seconds=timeout)
        )
    except TimeoutError:
        return DoctorCheck.failed(
            "auth",
            "rpc_timeout",
            f"the SDK did not get an answer from {target.address} within {timeout:.0f}s",
            "check the frontend's health and the ingress's upstream (grpc_pass) target",
        )
    except (RPCError, RuntimeError) as exc:
        return await _classify(ctx, exc)
    ctx.client = client
    credentials = {"API key": target.api_key, "client certificate": target.client_cert_pem}
    used = " + ".join(name for name, present in credentials.items() if present)
    return DoctorCheck.passed(
        "auth", "auth_ok", f"the frontend answered GetSystemInfo ({used or 'no credentials'})"
    )


async def _classify(ctx: Context, exc: BaseException) -> DoctorCheck:
    target = ctx.target
    code, message = _grpc_code(exc), _grpc_message(exc)
    if code == "UNAUTHENTICATED":
        if target.api_key:
            return DoctorCheck.failed(
                "auth", "api_key_rejected", f"the API key was rejected: {message}", API_KEY_FIX
            )
        return DoctorCheck.failed(
            "auth",
            "api_key_missing",
            f"the endpoint requires credentials and no API key was sent: {message}",
            API_KEY_FIX + " (or a client certificate, if the namespace uses mTLS)",
        )
    if code == "PERMISSION_DENIED":
        return DoctorCheck.failed(
            "auth",
            "permission_denied",
            f"the credentials were accepted but are not allowed here: {message}",
            "grant the API key or certificate access to namespace "
            f"{target.namespace!r} (Temporal Cloud: the key's or CA's namespace permissions)",
        )
    http_status = re.search(r"status: (\d{3}) ([^\",]*)", message)
    if http_status and target.tls:
        explanation = await asyncio.to_thread(
            _ingress_says, ctx, f"HTTP {http_status.group(1)} {http_status.group(2).strip()}"
        )
        if "no required ssl certificate" in explanation.lower():
            return DoctorCheck.failed(
                "auth",
                "client_cert_required",
                f"the ingress requires a client certificate (mTLS) and none was sent; it "
                f"answered: {explanation}",
                CERT_FIX,
            )
        if "ssl certificate error" in explanation.lower() or "certificate" in explanation.lower():
            return DoctorCheck.failed(
                "auth",
                "client_cert_rejected",
                f"the ingress rejected the client certificate; it answered: {explanation}",
                CERT_FIX,
            )
        return DoctorCheck.failed(
            "auth",
            "ingress_rejected",
            f"the ingress answered gRPC with {explanation} instead of passing it on",
            "read the ingress's logs: its access rules or upstream refuse the request",
        )
    return DoctorCheck.failed(
        "auth",
        "rpc_failed",
        f"GetSystemInfo failed ({code or type(exc).__name__}): {message}",
        "see the message; the frontend is reachable but does not answer gRPC normally",
    )


def _ingress_says(ctx: Context, fallback: str) -> str:
    try:
        return http1_over_tls(ctx.target, ctx.options.connect_timeout) or fallback
    except OSError:
        return fallback


async def check_namespace(ctx: Context) -> DoctorCheck:
    assert ctx.client is not None, "the auth stage passes before this one runs"
    namespace = ctx.target.namespace
    rpc_timeout = timedelta(seconds=ctx.options.connect_timeout)
    try:
        described = await ctx.client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace), timeout=rpc_timeout
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            known = await _known_namespaces(ctx)
            return DoctorCheck.failed(
                "namespace",
                "namespace_missing",
                f"namespace {namespace!r} does not exist"
                + (f"; the server has: {', '.join(known)}" if known else ""),
                f"create it (`temporal operator namespace create --namespace {namespace}`; "
                "Temporal Cloud: create it in the UI or with tcld) or set TEMPORAL_NAMESPACE "
                "to an existing one",
                known_namespaces=known,
            )
        if exc.status == RPCStatusCode.PERMISSION_DENIED:
            return DoctorCheck.failed(
                "namespace",
                "namespace_denied",
                f"not allowed to describe namespace {namespace!r}: {exc.message}",
                "grant the credential access to this namespace, or use the right namespace",
            )
        return DoctorCheck.failed(
            "namespace",
            "namespace_error",
            f"DescribeNamespace({namespace!r}) failed: {exc.status.name}: {exc.message}",
            "see the message",
        )
    state = described.namespace_info.state
    return DoctorCheck.passed(
        "namespace",
        "namespace_ok",
        f"namespace {namespace!r} exists ({NamespaceState.Name(state)})",
    )


async def _known_namespaces(ctx: Context) -> list[str]:
    """Best effort: Temporal Cloud keys usually may not list, which is fine."""
    assert ctx.client is not None
    try:
        listed = await ctx.client.workflow_service.list_namespaces(
            ListNamespacesRequest(page_size=50),
            timeout=timedelta(seconds=ctx.options.connect_timeout),
        )
    except RPCError:
        return []
    return sorted(n.namespace_info.name for n in listed.namespaces)
