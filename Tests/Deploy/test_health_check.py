"""deploy/grpc-health-check.sh, the image's health check and overlays/prod's probe, against real
gRPC servers on loopback (grpcio, no Swift build): cleartext as compose and the image use it,
and TLS with a required client certificate (mTLS) as the prod pods run, the script taking its
credentials from the service's own CRM_TLS_* variables. It must pass on SERVING only, and fail
on NOT_SERVING, on a certificate for another name, on an untrusted server, and on a server that
requires a client certificate the check does not have."""

from __future__ import annotations

import datetime
import os
import subprocess
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from deployfiles import DEPLOY

SCRIPT = DEPLOY / "grpc-health-check.sh"
SERVING, NOT_SERVING = b"\x08\x01", b"\x08\x02"  # HealthCheckResponse{status: 1 or 2}


# --- a small PKI, as cert-manager's CA issuer makes it ---------------------------------------


@dataclass
class Issued:
    cert: Path
    key: Path


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class CA:
    def __init__(self, directory: Path, name: str):
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.path = directory / f"{name}.crt"
        self.path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, service: str, dns_names: list[str]) -> Issued:
        """A service certificate like overlays/prod's: URI SAN spiffe://crm/service/<name>, DNS
        SANs, usable as server and as client certificate."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        names = [x509.UniformResourceIdentifier(f"spiffe://crm/service/{service}")]
        names += [x509.DNSName(name) for name in dns_names]
        certificate = (
            x509.CertificateBuilder().subject_name(x509.Name([]))
            .issuer_name(self.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(self.key, hashes.SHA256())
        )
        issued = Issued(self.directory / f"{service}-{dns_names[0]}.crt", self.directory / f"{service}-{dns_names[0]}.key")
        issued.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        issued.key.write_bytes(_key_pem(key))
        issued.key.chmod(0o600)
        return issued


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    ca = CA(directory, "crm-ca")
    return {
        "ca": ca,
        "trust": ca.issue("trust", ["trust", "trust.crm.svc"]),
        "other-name": ca.issue("loyalty", ["loyalty", "loyalty.crm.svc"]),
        "untrusted-ca": CA(directory, "another-ca"),
    }


# --- health servers ---------------------------------------------------------------------------


@pytest.fixture
def serve():
    """Starts a grpc.health.v1.Health server on 127.0.0.1 answering `status` to Check (raw bytes,
    no generated stubs); returns its port."""
    servers = []

    def start(status: bytes, credentials: grpc.ServerCredentials | None = None) -> int:
        handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": grpc.unary_unary_rpc_method_handler(lambda request, context: status),
        })
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[handler])
        address = "127.0.0.1:0"
        port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
        server.start()
        servers.append(server)
        return port

    def stop_all() -> None:
        for server in servers:
            server.stop(grace=None).wait()

    start.stop_all = stop_all
    yield start
    stop_all()


def mtls(issued: Issued, client_ca: CA) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials(
        [(issued.key.read_bytes(), issued.cert.read_bytes())],
        root_certificates=client_ca.path.read_bytes(), require_client_auth=True)


def check(port: int, **variables: str) -> subprocess.CompletedProcess:
    """The script as a probe runs it: the container's environment, the port from CRM_PORT."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CRM_") and k not in ("SERVICE", "GRPC_HEALTH_CHECK_SERVER_NAME")}
    env.update(CRM_PORT=str(port), **variables)
    return subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def service_tls(issued: Issued, ca: CA) -> dict[str, str]:
    # What overlays/prod's crm-settings gives a pod, with the image's SERVICE.
    return dict(SERVICE="trust-service", CRM_TLS_CERT_FILE=str(issued.cert), CRM_TLS_KEY_FILE=str(issued.key),
                CRM_TLS_CLIENT_CA_FILE=str(ca.path), CRM_TLS_CA_FILE=str(ca.path))


# --- cleartext (compose, the image's HEALTHCHECK) --------------------------------------------


def test_cleartext_serving_passes_and_not_serving_fails(serve):
    assert check(serve(SERVING)).returncode == 0
    failed = check(serve(NOT_SERVING))
    assert failed.returncode != 0 and "not SERVING" in failed.stderr


def test_a_stopped_server_fails(serve):
    port = serve(SERVING)
    assert check(port).returncode == 0
    serve.stop_all()
    assert check(port).returncode != 0


# --- TLS with client certificates (overlays/prod) --------------------------------------------


def test_mtls_serving_passes_with_the_services_own_credentials(serve, pki):
    port = serve(SERVING, mtls(pki["trust"], pki["ca"]))
    result = check(port, **service_tls(pki["trust"], pki["ca"]))
    assert result.returncode == 0, result.stderr


def test_mtls_not_serving_fails(serve, pki):
    port = serve(NOT_SERVING, mtls(pki["trust"], pki["ca"]))
    assert check(port, **service_tls(pki["trust"], pki["ca"])).returncode != 0


def test_without_the_tls_settings_a_tls_port_fails(serve, pki):
    port = serve(SERVING, mtls(pki["trust"], pki["ca"]))
    # No CRM_TLS_* at all: the script speaks cleartext to a TLS port, which fails.
    assert check(port, SERVICE="trust-service").returncode != 0


def test_the_server_certificate_is_verified_for_the_services_name(serve, pki):
    # A certificate for loyalty on trust's port: the names do not match.
    port = serve(SERVING, mtls(pki["other-name"], pki["ca"]))
    result = check(port, **service_tls(pki["trust"], pki["ca"]))
    assert result.returncode != 0 and "curl: (60)" in result.stderr, result.stderr  # not authenticated
    # Told which name to expect, the same server passes.
    result = check(port, **service_tls(pki["trust"], pki["ca"]), GRPC_HEALTH_CHECK_SERVER_NAME="loyalty")
    assert result.returncode == 0, result.stderr


def test_a_server_from_another_ca_is_not_trusted(serve, pki):
    port = serve(SERVING, mtls(pki["trust"], pki["ca"]))
    variables = service_tls(pki["trust"], pki["ca"])
    variables["CRM_TLS_CA_FILE"] = str(pki["untrusted-ca"].path)
    result = check(port, **variables)
    assert result.returncode != 0 and "curl: (60)" in result.stderr, result.stderr
