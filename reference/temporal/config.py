"""Checking the Temporal connection settings before anything connects.

Temporal's own environment configuration (`temporalio.envconfig`) accepts values that can
never work: `TEMPORAL_ADDRESS=localhost` (no port: the SDK then retries port 80 forever),
`TEMPORAL_TLS=maybe` (read as "on"), a certificate path that does not exist (a
FileNotFoundError deep in the SDK). The judge's pytest options and `stormproof doctor`
reject each of these; the reference app applies the same rules itself (it imports nothing
of the judge), so a mistake ends the process at once with exit 2 and one message naming
the setting as the user gave it (the flag when it came from a flag, the variable when it
came from the environment), the value, and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"

# The TEMPORAL_* variables envconfig reads, for help texts (`--help` lists what it reads).
TEMPORAL_VARIABLES: dict[str, str] = {
    "TEMPORAL_ADDRESS": f"host:port of the Temporal frontend (default {DEFAULT_ADDRESS})",
    "TEMPORAL_NAMESPACE": f"namespace (default {DEFAULT_NAMESPACE!r})",
    "TEMPORAL_API_KEY": "API key (implies TLS unless TEMPORAL_TLS=false)",
    "TEMPORAL_TLS": "true|false: use TLS",
    "TEMPORAL_TLS_CLIENT_CERT_PATH": "mTLS client certificate (with the key)",
    "TEMPORAL_TLS_CLIENT_KEY_PATH": "mTLS client key (with the certificate)",
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH": "CA that signed the server's certificate",
    "TEMPORAL_TLS_SERVER_NAME": "TLS server name (SNI)",
    "TEMPORAL_PROFILE": "profile to read from the envconfig TOML file",
    "TEMPORAL_CONFIG_FILE": "envconfig TOML file",
}

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_FILES = (
    "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
    "TEMPORAL_CONFIG_FILE",
)


class ConnectionConfigError(Exception):
    """The Temporal connection settings themselves are wrong; retrying cannot help."""


@dataclass(frozen=True)
class Setting:
    """One value and where it came from: `label` is the flag or the variable the user set."""

    label: str
    value: str
    from_flag: bool = False

    def error(self, problem: str, fix: str) -> ConnectionConfigError:
        return ConnectionConfigError(f"{self.label}={self.value!r}: {problem}; fix: {fix}")


def _given(env: Mapping[str, str], name: str) -> Setting | None:
    """An environment variable, treating an empty one as unset (as envconfig does)."""
    value = env.get(name)
    return Setting(name, value) if value else None


def _pick(env: Mapping[str, str], variable: str, flag: str, value: str | None) -> Setting | None:
    """The flag's value when one was passed (even an empty one), else the variable's."""
    if value is not None:
        return Setting(flag, value, from_flag=True)
    return _given(env, variable)


def check_address(setting: Setting) -> str:
    """`host:port` with a numeric port, the rule `stormproof doctor` applies."""
    verb = "pass" if setting.from_flag else "set"
    example = (
        f"{verb} {setting.label}=host:port, e.g. {DEFAULT_ADDRESS} (a local dev server) or "
        "my-ns.a1b2c.tmprl.cloud:7233"
    )
    host, colon, port = setting.value.strip().rpartition(":")
    if not colon:
        raise setting.error("has no port", example)
    if not host.strip("[]") or not port.isdigit():
        raise setting.error("is not host:port", example)
    if not 1 <= int(port) <= 65535:
        raise setting.error(f"port {port} is not between 1 and 65535", example)
    return setting.value.strip()


def parse_tls(setting: Setting) -> bool:
    lowered = setting.value.strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise setting.error(
        "is not true or false",
        f"set {setting.label}=true (or false); the SDK would read any other word as true",
    )


def check_environment(
    env: Mapping[str, str], *, address: str | None = None, namespace: str | None = None
) -> None:
    """Every rule, in the order a user fixes them; raises ConnectionConfigError on the first.

    `address` and `namespace` are flag values, which win over the environment, so a bad
    TEMPORAL_ADDRESS does not matter when --address is given. A missing file is reported
    as such before the certificate/key pairing rule, so `…CERT_PATH=/missing` says "file
    not found" rather than "needs both files".
    """
    chosen = _pick(env, "TEMPORAL_ADDRESS", "--address", address)
    if chosen is not None:
        check_address(chosen)
    name = _pick(env, "TEMPORAL_NAMESPACE", "--namespace", namespace)
    if name is not None and not name.value.strip():
        raise name.error("is empty", "give the namespace name, e.g. default")
    tls = _given(env, "TEMPORAL_TLS")
    if tls is not None:
        parse_tls(tls)
    for variable in _FILES:
        path = _given(env, variable)
        if path is not None and not Path(path.value).expanduser().is_file():
            raise path.error("file not found", "give the path of an existing, readable file")
    cert = _given(env, "TEMPORAL_TLS_CLIENT_CERT_PATH")
    key = _given(env, "TEMPORAL_TLS_CLIENT_KEY_PATH")
    if (cert is None) != (key is None):
        present = cert or key
        assert present is not None
        missing = "TEMPORAL_TLS_CLIENT_KEY_PATH" if key is None else "TEMPORAL_TLS_CLIENT_CERT_PATH"
        raise present.error(
            f"mTLS needs both files, and {missing} is not set",
            f"set {missing} too, or unset {present.label}",
        )


def check_resolved_address(target_host: str) -> None:
    """The address a profile file supplied (the flag and variable were checked already)."""
    check_address(Setting("address of the TEMPORAL_PROFILE profile", target_host))
