"""deploy/kubernetes: each overlay renders with `kubectl kustomize`, every document validates
offline against the Kubernetes schemas (strict: unknown fields are errors), and the suite's
invariants hold in what would actually be applied."""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from deployfiles import (OVERLAYS, PORTS, by_kind, container_environment, parse_dockerfile, peer_variable,
                         render_overlay, tls_enabled)

# The oldest Kubernetes minor the manifests promise to work on (built-in grpc probes are GA
# since 1.27; persistentVolumeClaimRetentionPolicy and unhealthyPodEvictionPolicy are in 1.30's
# schemas), and the newest whose schemas the installed kubernetes-validate ships.
SCHEMA_VERSIONS = ("1.30", kubernetes_validate.utils.latest_version())


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request) -> tuple[str, list[dict]]:
    return request.param, render_overlay(request.param)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {name: render_overlay(name) for name in OVERLAYS}


def pod_spec(statefulset: dict) -> dict:
    return statefulset["spec"]["template"]["spec"]


def server(statefulset: dict) -> dict:
    containers = pod_spec(statefulset)["containers"]
    assert len(containers) == 1, f"{statefulset['metadata']['name']}: one container expected"
    return containers[0]


def quantity(text: str | int) -> float:
    """A Kubernetes quantity (500m, 2, 128Mi, 1Gi) as a number, for comparisons."""
    text = str(text)
    suffixes = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in suffixes.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


# --- schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
def test_every_document_validates_against_the_schemas(overlay, version):
    name, documents = overlay
    failures = []
    for document in documents:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{document['kind']}/{document['metadata']['name']}: {error}")
    assert not failures, f"overlays/{name} against Kubernetes {version}:\n" + "\n".join(failures)


def test_strict_validation_rejects_an_unknown_field(rendered):
    # The check above is only worth something if a typo fails it.
    statefulset = copy.deepcopy(by_kind(rendered["dev"], "StatefulSet")["trust"])
    server(statefulset)["readinessProbe"]["grpcc"] = server(statefulset)["readinessProbe"].pop("grpc")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(statefulset, SCHEMA_VERSIONS[0], strict=True)


def test_each_overlay_has_the_five_services_and_nothing_unexpected(overlay):
    name, documents = overlay
    expected = {"StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap"} | (
        {"Namespace"} if name == "prod" else set()
    )
    assert {doc["kind"] for doc in documents} == expected
    for kind in ("StatefulSet", "Service", "PodDisruptionBudget"):
        assert set(by_kind(documents, kind)) == set(PORTS), f"overlays/{name}: {kind} names"


# --- per service ----------------------------------------------------------------------------


def test_statefulsets_run_one_replica_on_a_claimed_volume(overlay):
    name, documents = overlay
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        spec = statefulset["spec"]
        assert spec["replicas"] == 1, f"{service}: a SQLite store has one writer"
        assert spec["serviceName"] == service
        claims = {c["metadata"]["name"]: c for c in spec["volumeClaimTemplates"]}
        assert set(claims) == {"data"}, f"{service}: one claim, for the store"
        assert claims["data"]["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert quantity(claims["data"]["spec"]["resources"]["requests"]["storage"]) >= 2**30
        assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
        mounts = {m["mountPath"]: m["name"] for m in server(statefulset)["volumeMounts"]}
        assert mounts.get("/data") == "data", f"{service}: the store's claim is mounted on /data"


PROBE_TIMING = {"periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds", "successThreshold"}


def test_probes_check_grpc_health_on_the_service_port(overlay, image_env):
    # Cleartext: Kubernetes' built-in grpc probe. With TLS on, that probe cannot connect (it
    # speaks cleartext HTTP/2 only), so the image's grpc-health-check runs as an exec probe: the
    # same Health/Check over TLS with the pod's own certificate (test_health_check.py runs it
    # against TLS and mTLS servers). It takes the port and credentials from the pod's environment.
    name, documents = overlay
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        container = server(statefulset)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"grpc": PORTS[service]}, service
        env = container_environment(statefulset, documents, image_env)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            handlers = set(container[probe]) - PROBE_TIMING
            if tls_enabled(env):
                assert handlers == {"exec"}, f"{service} {probe}: the TLS-capable exec probe only"
                assert container[probe]["exec"] == {"command": ["/usr/local/bin/grpc-health-check"]}, service
                assert env["CRM_PORT"] == str(PORTS[service]), f"{service}: the script checks CRM_PORT"
                # The script gives up after 3 s; the kubelet must not cut it short.
                assert container[probe]["timeoutSeconds"] >= 4, f"{service} {probe}"
            else:
                assert handlers == {"grpc"}, f"{service} {probe}: only the grpc handler"
                assert container[probe]["grpc"] == {"port": PORTS[service], "service": ""}, f"{service} {probe}"


def test_pods_are_non_root_with_a_read_only_root_filesystem(overlay, dockerfile_user):
    name, documents = overlay
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        pod = pod_spec(statefulset)
        assert pod["securityContext"]["runAsNonRoot"] is True, service
        # The image's user, so the claimed volume (fsGroup) is writable by the process.
        assert pod["securityContext"]["runAsUser"] == dockerfile_user, service
        assert pod["securityContext"]["fsGroup"] == dockerfile_user, service
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, service
        assert pod["automountServiceAccountToken"] is False, service
        context = server(statefulset)["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, service
        assert context["allowPrivilegeEscalation"] is False, service
        assert context["capabilities"] == {"drop": ["ALL"]}, service
        # With the root filesystem read-only, /tmp (SQLite's temporary files) is an emptyDir.
        mounts = {m["mountPath"]: m for m in server(statefulset)["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]["name"]], service
        writable = {path for path, mount in mounts.items() if not mount.get("readOnly")}
        assert writable == {"/data", "/tmp"}, f"{service}: no other writable path"
        for path in set(mounts) - writable:
            # Anything else is credentials or keys, read-only, never through subPath (a subPath
            # mount never sees the update when the Secret or ConfigMap changes).
            volume = volumes[mounts[path]["name"]]
            assert {"secret", "configMap", "projected"} & set(volume), f"{service} {path}: {volume}"
            assert "subPath" not in mounts[path], f"{service} {path}"


def test_containers_have_requests_and_limits(overlay):
    name, documents = overlay
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        resources = server(statefulset)["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, f"{service} {resource}: request {request} limit {limit}"


def test_settings_come_from_the_configmap(overlay):
    name, documents = overlay
    configmaps = by_kind(documents, "ConfigMap")
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        container = server(statefulset)
        sources = [s["configMapRef"]["name"] for s in container["envFrom"]]
        assert len(sources) == 1 and sources[0] in configmaps, f"{service}: envFrom names a rendered ConfigMap"
        settings = configmaps[sources[0]]["data"]
        assert settings["CRM_HOST"] == "0.0.0.0"
        assert settings["CRM_DATA_DIR"] == "/data"
        for peer, port in PORTS.items():
            # Peers by Service name: the Service of that name serves that port as "grpc". prod
            # adds the namespace (<peer>.crm.svc), a name in the peer's certificate
            # (test_security.py checks the certificates).
            host = f"{peer}.crm.svc" if name == "prod" else peer
            assert settings[peer_variable(peer)] == f"{host}:{port}"
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        assert env == {"CRM_PORT": str(PORTS[service])}, f"{service}: only its port is set per pod"
        assert not container.get("args") and not container.get("command"), (
            f"{service}: configuration only through the environment")


def test_services_expose_a_port_named_grpc_to_their_pods(overlay):
    name, documents = overlay
    statefulsets = by_kind(documents, "StatefulSet")
    for service, svc in by_kind(documents, "Service").items():
        ports = {p["name"]: p for p in svc["spec"]["ports"]}
        assert set(ports) == {"grpc"}, service
        assert ports["grpc"]["port"] == PORTS[service]
        assert ports["grpc"]["targetPort"] in ("grpc", PORTS[service])
        labels = statefulsets[service]["spec"]["template"]["metadata"]["labels"]
        assert svc["spec"]["selector"].items() <= labels.items(), f"{service}: selects its own pod"


def test_each_service_has_a_disruption_budget_for_its_pod(overlay):
    name, documents = overlay
    statefulsets = by_kind(documents, "StatefulSet")
    for service, budget in by_kind(documents, "PodDisruptionBudget").items():
        labels = statefulsets[service]["spec"]["template"]["metadata"]["labels"]
        selector = budget["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), f"{service}: the budget covers its pod"
        assert ("minAvailable" in budget["spec"]) != ("maxUnavailable" in budget["spec"]), service


def test_pods_carry_the_prometheus_scrape_annotations(overlay):
    name, documents = overlay
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        annotations = statefulset["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", service
        assert annotations["prometheus.io/port"].isdigit(), service


# --- what the overlays change ---------------------------------------------------------------


def test_dev_logs_at_debug_and_prod_at_info(rendered):
    levels = {
        name: {cm["data"]["CRM_LOG_LEVEL"] for cm in by_kind(docs, "ConfigMap").values()}
        for name, docs in rendered.items()
    }
    assert levels == {"dev": {"debug"}, "prod": {"info"}}


def test_prod_gets_more_resources_than_dev(rendered):
    def totals(documents, section):
        return {
            resource: max(quantity(server(s)["resources"][section][resource])
                          for s in by_kind(documents, "StatefulSet").values())
            for resource in ("cpu", "memory")
        }

    for section in ("requests", "limits"):
        dev, prod = totals(rendered["dev"], section), totals(rendered["prod"], section)
        for resource in dev:
            assert prod[resource] > dev[resource], f"{section}.{resource}: prod {prod} dev {dev}"


def test_prod_runs_in_its_own_namespace_with_released_images(rendered):
    documents = rendered["prod"]
    namespaces = by_kind(documents, "Namespace")
    assert list(namespaces) == ["crm"]
    labels = namespaces["crm"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    for document in documents:
        if document["kind"] != "Namespace":
            assert document["metadata"].get("namespace") == "crm", document["metadata"]["name"]
    for service, statefulset in by_kind(documents, "StatefulSet").items():
        image = server(statefulset)["image"]
        repository, _, tag = image.rpartition(":")
        assert repository.endswith(f"/crm/{service}-service") and tag not in ("", "latest", "dev"), image


def test_dev_uses_the_images_compose_builds(rendered, compose):
    for service, statefulset in by_kind(rendered["dev"], "StatefulSet").items():
        assert server(statefulset)["image"] == compose["services"][service]["image"]
    for document in rendered["dev"]:
        assert "namespace" not in document["metadata"], "dev applies to the context's namespace"
