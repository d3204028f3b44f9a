"""Secure by default, as deploy/ wires it (issue 17). A service refuses to listen beyond loopback
without TLS and auth unless CRM_INSECURE=true, so:
- nothing deploy/ starts listens beyond loopback in plaintext without saying CRM_INSECURE=true
  (compose and overlays/dev do, each with the reason beside it);
- overlays/prod turns on TLS, client certificates (mTLS) and bearer tokens for every service,
  with its certificate, key and CA from the service's own kubernetes.io/tls Secret and the JWKS
  from a ConfigMap, all mounted read-only, and never says CRM_INSECURE;
- the cert-manager example issues exactly the certificates prod mounts, for the names prod's
  peers dial, with the identities the services recognise.
The listening rule itself is deployfiles.starts, mirroring ServiceSettings.resolveSecurity."""

from __future__ import annotations

import re

import pytest

from deployfiles import (
    DEPLOY, OVERLAYS, PORTS, TLS_AND_AUTH, by_kind, container_environment, insecure, is_loopback,
    peer_variable, render_kustomization, render_overlay, starts,
)

RATE_LEVELS = {"read", "write", "operate", "deliver"}


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {name: render_overlay(name) for name in OVERLAYS}


@pytest.fixture(scope="module")
def certificates() -> list[dict]:
    return render_kustomization("cert-manager")


def environments(documents: list[dict], image_env: dict[str, str]) -> dict[str, dict[str, str]]:
    return {service: container_environment(statefulset, documents, image_env)
            for service, statefulset in by_kind(documents, "StatefulSet").items()}


def server(statefulset: dict) -> dict:
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    return container


def mounted_file(statefulset: dict, path: str) -> tuple[dict, dict, str]:
    """The mount, the volume and the key within it that a file path in the container comes from."""
    container = server(statefulset)
    volumes = {v["name"]: v for v in statefulset["spec"]["template"]["spec"]["volumes"]}
    for mount in container["volumeMounts"]:
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix):
            return mount, volumes[mount["name"]], path.removeprefix(prefix)
    raise AssertionError(f"{statefulset['metadata']['name']}: nothing is mounted at {path}")


# --- nothing listens in the open by accident ---------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_plaintext_service_listens_beyond_loopback_without_crm_insecure(rendered, image_env, overlay):
    for service, env in environments(rendered[overlay], image_env).items():
        assert starts(env), (
            f"overlays/{overlay} {service}: listens on {env.get('CRM_HOST')} without TLS and auth and without "
            "CRM_INSECURE=true: the service would refuse to start")


def test_no_compose_service_listens_beyond_loopback_without_crm_insecure(compose, image_env):
    for name, service in compose["services"].items():
        env = {**image_env, **{k: str(v) for k, v in service["environment"].items()}}
        assert starts(env), f"compose {name}: would refuse to start on {env.get('CRM_HOST')}"


def test_compose_and_dev_say_crm_insecure_because_they_listen_beyond_loopback(rendered, compose, image_env):
    # Said explicitly where plaintext is meant, not left to an image default.
    assert not is_loopback(image_env["CRM_HOST"])
    for name, service in compose["services"].items():
        assert service["environment"].get("CRM_INSECURE") == "true", f"compose {name}"
    for service, env in environments(rendered["dev"], image_env).items():
        assert not is_loopback(env["CRM_HOST"]) and insecure(env), f"overlays/dev {service}"
    # The reason is written beside the setting, pointing at the secure deployment.
    for path in (DEPLOY / "compose.yaml", DEPLOY / "kubernetes/overlays/dev/kustomization.yaml"):
        text = path.read_text()
        assert "CRM_INSECURE" in text and "overlays/prod" in text, path


def test_insecure_is_opted_into_by_the_deploy_files_never_by_the_image_or_the_base(image_env):
    # The image and the base are what every deployment starts from: set there, CRM_INSECURE
    # would reach prod (a generated ConfigMap can be added to by an overlay, not taken from).
    assert "CRM_INSECURE" not in image_env
    base = render_kustomization("base")
    for configmap in by_kind(base, "ConfigMap").values():
        assert "CRM_INSECURE" not in configmap["data"]


# --- prod: TLS, mTLS and tokens -----------------------------------------------------------------


def test_prod_never_sets_crm_insecure(rendered, image_env):
    documents = rendered["prod"]
    for service, env in environments(documents, image_env).items():
        assert "CRM_INSECURE" not in env, service
        container = server(by_kind(documents, "StatefulSet")[service])
        assert not any("insecure" in str(a) for a in container.get("args", []) + container.get("command", []))
    assert "insecure" not in repr(documents).lower()


def test_prod_turns_on_tls_mtls_and_tokens_for_every_service(rendered, image_env):
    for service, env in environments(rendered["prod"], image_env).items():
        for variable in TLS_AND_AUTH:
            assert env.get(variable, "").startswith("/"), f"{service}: {variable} is a path in the pod"
        assert env["CRM_TLS_CLIENT_CA_FILE"], f"{service}: every caller presents a certificate (mTLS)"
        assert not is_loopback(env["CRM_HOST"])
        assert env.get("CRM_METRICS_ACCESS", "authenticated") == "authenticated", service
        assert env.get("CRM_REFLECTION_ACCESS", "authenticated") == "authenticated", service


def test_prod_mounts_each_services_own_tls_secret_read_only(rendered, image_env):
    documents = rendered["prod"]
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        env = container_environment(statefulset, documents, image_env)
        # cert-manager's kubernetes.io/tls layout: tls.crt, tls.key, ca.crt in one Secret.
        expected = {"CRM_TLS_CERT_FILE": "tls.crt", "CRM_TLS_KEY_FILE": "tls.key",
                    "CRM_TLS_CLIENT_CA_FILE": "ca.crt", "CRM_TLS_CA_FILE": "ca.crt"}
        for variable, key in expected.items():
            mount, volume, file = mounted_file(statefulset, env[variable])
            assert file == key, f"{service}: {variable} is {key} of the Secret"
            assert mount.get("readOnly") is True and "subPath" not in mount, f"{service}: {variable}"
            assert volume["secret"]["secretName"] == f"{service}-tls", f"{service}: its own certificate"
            mode = volume["secret"].get("defaultMode", 0o644)
            assert mode & 0o007 == 0, f"{service}: the key is not readable by others ({oct(mode)})"


def test_prod_reads_the_jwks_from_a_read_only_configmap_or_secret(rendered, image_env):
    documents = rendered["prod"]
    names = set()
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        env = container_environment(statefulset, documents, image_env)
        mount, volume, _ = mounted_file(statefulset, env["CRM_AUTH_JWT_KEYS_FILE"])
        assert mount.get("readOnly") is True and "subPath" not in mount, service
        source = volume.get("configMap") or volume.get("secret")
        assert source, f"{service}: the JWKS comes from a ConfigMap or Secret"
        names.add(source.get("name") or source.get("secretName"))
    assert len(names) == 1, f"one key set for the suite: {names}"
    # Made outside the overlay (it changes in place when keys rotate): apply must not overwrite it.
    assert names.isdisjoint(by_kind(documents, "ConfigMap")) and names.isdisjoint(by_kind(documents, "Secret"))


def test_prod_sets_a_rate_limit_and_a_backup_count(rendered, image_env):
    for service, env in environments(rendered["prod"], image_env).items():
        limits = dict(part.split("=", 1) for part in env["CRM_RATE_LIMIT"].split(","))
        assert set(limits) <= RATE_LEVELS and {"read", "write", "operate"} <= set(limits), service
        rates = {level: float(value) for level, value in limits.items()}
        assert all(rate > 0 for rate in rates.values()), f"{service}: 0 would mean no limit"
        assert rates["operate"] < rates["write"] < rates["read"], f"{service}: {rates}"
        assert 1 <= int(env["CRM_MAX_BACKUPS"]) <= 10_000, service


def test_prod_services_speak_tls_on_their_port(rendered):
    for service, svc in by_kind(rendered["prod"], "Service").items():
        for port in svc["spec"]["ports"]:
            assert port.get("appProtocol") != "kubernetes.io/h2c", f"{service}: the port is TLS, not h2c"


# --- the cert-manager example against the overlay --------------------------------------------


def test_cert_manager_issues_the_certificate_each_prod_pod_mounts(rendered, certificates):
    documents = rendered["prod"]
    issued = {c["spec"]["secretName"]: c for c in certificates if c["kind"] == "Certificate"}
    issuers = by_kind(certificates, "Issuer")
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        secrets = [v["secret"]["secretName"] for v in statefulset["spec"]["template"]["spec"]["volumes"]
                   if "secret" in v]
        for secret in secrets:
            certificate = issued.get(secret)
            assert certificate, f"{service}: no Certificate makes the Secret {secret}"
            spec = certificate["spec"]
            assert certificate["metadata"]["namespace"] == "crm"
            assert spec["issuerRef"]["name"] in issuers and spec["issuerRef"]["kind"] == "Issuer"
            # The identity the other services recognise, and both directions of TLS.
            assert spec["uris"][0] == f"spiffe://crm/service/{service}", service
            assert {"server auth", "client auth"} <= set(spec["usages"]), service
            # The first label of every DNS name is the service (the identity rule's fallback).
            assert all(name.split(".")[0] == service for name in spec["dnsNames"]), service
            # The name the health check verifies: the image's SERVICE without "-service".
            assert service in spec["dnsNames"], service


def test_prod_peers_dial_names_their_certificates_carry(rendered, certificates, image_env):
    documents = rendered["prod"]
    names = {c["spec"]["secretName"].removesuffix("-tls"): set(c["spec"].get("dnsNames", []))
             for c in certificates if c["kind"] == "Certificate"}
    for service, env in environments(documents, image_env).items():
        for peer, port in PORTS.items():
            host, _, dialled = env[peer_variable(peer)].rpartition(":")
            assert int(dialled) == PORTS[peer]
            assert host in names[peer], f"{service} dials {host}, not in {peer}'s certificate {names[peer]}"
            # ...and resolves to the peer's Service in prod's namespace.
            assert re.fullmatch(rf"{peer}(\.crm(\.svc(\.cluster\.local)?)?)?", host), host


def test_the_example_ca_and_client_certificate_are_consistent(certificates):
    certs = by_kind(certificates, "Certificate")
    issuers = by_kind(certificates, "Issuer")
    ca_secret = issuers["crm-ca"]["spec"]["ca"]["secretName"]
    (root,) = [c for c in certs.values() if c["spec"]["secretName"] == ca_secret]
    assert root["spec"]["isCA"] is True
    assert issuers[root["spec"]["issuerRef"]["name"]]["spec"] == {"selfSigned": {}}
    clients = [c for c in certs.values() if any(u.startswith("spiffe://crm/client/") for u in c["spec"].get("uris", []))]
    assert clients, "an example client certificate for people and tools"
    for client in clients:
        assert "client auth" in client["spec"]["usages"] and "server auth" not in client["spec"]["usages"]
        name = client["spec"]["uris"][0].rsplit("/", 1)[-1]
        assert name not in PORTS, "a client must not take a service's identity (it would get the service role)"
