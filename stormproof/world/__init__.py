"""The world a team's tests run in: the servers, the world builder, waits and settings.

The public face of the world layer (`stormproof.fixtures`, whose modules may move): a
team's tests import these names and no module below them. What is here:

- the builder: `World` composes `Service`s in dependency order and stops them in reverse;
  `Served` makes any object a Service; the servers below go into a World as they are;
- the servers: Temporal (`DevServer`, the four-service `TemporalCluster`, the
  `time_skipping_environment`), `ToxiproxyServer`, `PostgresCluster`, the fake LLM
  (`FakeLlm`, its fault script types, scripted tool calls and prompt markers), the
  notification sink (`NotificationSink` and its faults), `RecordingProxy` in front of a
  team's services, `NginxIngress` with its test PKI;
- the worker as a process (`WorkerProcess`, `ping`, `wait_polling`) and its endpoints
  (`build_endpoints`), the broken twins by command (`broken_argv`), the fixtures' own types
  (`WorkerFactory`, `BrokenWorker`);
- waiting with deadlines (`wait_for`, `eventually`, `WaitTimeout`, `ProcessExited`), ports
  (`free_port`), and the suite's settings (`SuiteConfig`).
"""

from stormproof.fixtures.certs import TestPki, make_pki
from stormproof.fixtures.cluster import SERVICES as CLUSTER_SERVICES
from stormproof.fixtures.cluster import TemporalCluster
from stormproof.fixtures.codec import (
    PAYLOAD_KEY_VARIABLE,
    encrypted_converter,
    new_payload_key,
    plaintext_leaks,
)
from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.connect import connect
from stormproof.fixtures.endpoints import FAKE_LLM_KEY, WorldEndpoints, build_endpoints
from stormproof.fixtures.errors import ProcessExited, StormproofError, WaitTimeout
from stormproof.fixtures.external_worker import ExternalWorker
from stormproof.fixtures.fake_llm import (
    Delay,
    DropConnection,
    FakeLlm,
    Fault,
    FaultPlan,
    LlmCall,
    MalformedJson,
    RateLimit,
    ServerError,
    Status,
    Storm,
    ToolCall,
    ToolCalls,
    find_marker,
    mask_secret,
    new_marker,
    reply_for,
    tag,
)
from stormproof.fixtures.ingress import IngressKind, IngressSpec, NginxIngress
from stormproof.fixtures.plugin import LOCAL_ONLY_MARKERS, suite_config_of
from stormproof.fixtures.pollers import wait_polling
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.recording_proxy import HoldReply, RecordingProxy, ServiceRequest
from stormproof.fixtures.service import Served, Service, TimeSkippingServer
from stormproof.fixtures.sink import (
    AcceptThenDrop,
    AcceptThenStatus,
    Delivery,
    NotificationSink,
    SinkDelay,
    SinkDrop,
    SinkFault,
    SinkStatus,
)
from stormproof.fixtures.temporal import DevServer, time_skipping_environment
from stormproof.fixtures.toxiproxy import ToxiproxyClient, ToxiproxyServer
from stormproof.fixtures.twins import PATCHED_SPEC, broken_argv, broken_spec
from stormproof.fixtures.wait import eventually, strip_ansi, wait_for
from stormproof.fixtures.worker import NO_POLLER_SECONDS, WorkerProcess, new_task_queue, ping
from stormproof.fixtures.world import BrokenWorker, WorkerFactory

__all__ = [
    "CLUSTER_SERVICES",
    "FAKE_LLM_KEY",
    "LOCAL_ONLY_MARKERS",
    "LOOPBACK",
    "NO_POLLER_SECONDS",
    "PATCHED_SPEC",
    "PAYLOAD_KEY_VARIABLE",
    "AcceptThenDrop",
    "AcceptThenStatus",
    "BrokenWorker",
    "Delay",
    "Delivery",
    "DevServer",
    "DropConnection",
    "ExternalWorker",
    "FakeLlm",
    "Fault",
    "FaultPlan",
    "HoldReply",
    "IngressKind",
    "IngressSpec",
    "LlmCall",
    "MalformedJson",
    "ManagedProcess",
    "NginxIngress",
    "NotificationSink",
    "PostgresCluster",
    "ProcessExited",
    "RateLimit",
    "RecordingProxy",
    "Served",
    "ServerError",
    "Service",
    "ServiceRequest",
    "SinkDelay",
    "SinkDrop",
    "SinkFault",
    "SinkStatus",
    "Status",
    "Storm",
    "StormproofError",
    "SuiteConfig",
    "TemporalCluster",
    "TestPki",
    "TimeSkippingServer",
    "ToolCall",
    "ToolCalls",
    "ToxiproxyClient",
    "ToxiproxyServer",
    "WaitTimeout",
    "WorkerFactory",
    "WorkerProcess",
    "World",
    "WorldEndpoints",
    "broken_argv",
    "broken_spec",
    "build_endpoints",
    "connect",
    "encrypted_converter",
    "eventually",
    "find_marker",
    "free_port",
    "make_pki",
    "mask_secret",
    "new_marker",
    "new_payload_key",
    "new_task_queue",
    "ping",
    "plaintext_leaks",
    "reply_for",
    "strip_ansi",
    "suite_config_of",
    "tag",
    "time_skipping_environment",
    "wait_for",
    "wait_polling",
]
