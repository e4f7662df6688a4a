"""Authentication and namespace misconfigurations behind real nginx ingresses."""

from __future__ import annotations

from stormproof.deployment import API_KEY, Deployment, assert_diagnosis
from stormproof.world import IngressKind


async def test_mtls_ingress_without_a_client_certificate(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.MTLS), **deployment.tls_settings()
    )
    assert_diagnosis(
        report, "auth", "client_cert_required", "requires a client certificate", "CLIENT_CERT"
    )


async def test_mtls_ingress_with_a_certificate_from_another_ca(deployment: Deployment) -> None:
    rogue = deployment.pki.rogue_client
    report = await deployment.doctor(
        deployment.address(IngressKind.MTLS),
        tls_cert=str(rogue.cert),
        tls_key=str(rogue.key),
        **deployment.tls_settings(),
    )
    assert_diagnosis(report, "auth", "client_cert_rejected", "rejected the client certificate")


async def test_mtls_ingress_with_the_right_certificate(deployment: Deployment) -> None:
    client = deployment.pki.client
    report = await deployment.doctor(
        deployment.address(IngressKind.MTLS),
        tls_cert=str(client.cert),
        tls_key=str(client.key),
        **deployment.tls_settings(),
    )
    assert report.ok, report.checks
    assert report.check("auth").diagnosis.endswith("(client certificate)")


async def test_api_key_ingress_without_a_key(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.API_KEY), **deployment.tls_settings()
    )
    assert_diagnosis(report, "auth", "api_key_missing", "no API key was sent", "TEMPORAL_API_KEY")


async def test_api_key_ingress_with_a_wrong_key(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.API_KEY),
        api_key="sp-test-revoked-key",
        **deployment.tls_settings(),
    )
    assert_diagnosis(report, "auth", "api_key_rejected", "API key was rejected")
    assert "sp-test-revoked-key" not in report.model_dump_json(), "the key must be masked"


async def test_api_key_ingress_with_the_right_key(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.API_KEY), api_key=API_KEY, **deployment.tls_settings()
    )
    assert report.ok, report.checks
    assert report.check("auth").status.value == "pass"


async def test_missing_namespace(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        namespace="payments-prod",
        **deployment.tls_settings(),
    )
    assert_diagnosis(
        report,
        "namespace",
        "namespace_missing",
        "'payments-prod' does not exist",
        "temporal operator namespace create --namespace payments-prod",
        "default",  # the namespaces that do exist, to spot a typo
    )
