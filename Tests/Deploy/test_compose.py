"""deploy/compose.yaml: it parses, runs the five services from deploy/Dockerfile with one
named volume per store, a gRPC health check each, and peers wired by service name."""

from __future__ import annotations

from deployfiles import PORTS, executable, peer_variable


def test_the_five_services(compose):
    assert set(compose["services"]) == set(PORTS)


def test_each_service_builds_its_own_image_from_the_one_dockerfile(compose):
    for name, service in compose["services"].items():
        build = service["build"]
        assert build["context"] == ".." and build["dockerfile"] == "deploy/Dockerfile", name
        assert build["args"] == {"SERVICE": executable(name), "PORT": str(PORTS[name])}, name
        assert service["image"] == f"crm/{executable(name)}:dev", name
        assert "command" not in service and "entrypoint" not in service, (
            f"{name}: configuration only through the environment")


def test_one_named_volume_per_store(compose):
    declared = set(compose["volumes"])
    used = []
    for name, service in compose["services"].items():
        mounts = [m.split(":") for m in service["volumes"]]
        assert [target for _, target in mounts] == ["/data"], f"{name}: only the store is mounted"
        source = mounts[0][0]
        assert source in declared, f"{name}: {source} is a named volume, not a host path"
        used.append(source)
    assert sorted(used) == sorted(declared) and len(set(used)) == len(PORTS), "one volume each, none shared"


def test_each_service_has_a_grpc_health_check(compose):
    for name, service in compose["services"].items():
        check = service["healthcheck"]
        # deploy/grpc-health-check.sh, installed in the image; test_release_build runs it
        # against the real binary.
        assert check["test"] == ["CMD", "grpc-health-check"], name
        for field in ("interval", "timeout", "retries", "start_period"):
            assert field in check, f"{name}: healthcheck.{field}"


def test_peers_are_wired_by_service_name(compose):
    for name, service in compose["services"].items():
        environment = service["environment"]
        for peer, port in PORTS.items():
            assert environment[peer_variable(peer)] == f"{peer}:{port}", f"{name} -> {peer}"
        # The image sets these for a container; compose must not point them elsewhere.
        for variable in ("CRM_HOST", "CRM_PORT", "CRM_DATA_DIR", "CRM_DATABASE"):
            assert variable not in environment, f"{name}: {variable} comes from the image"


def test_ports_are_published_on_loopback(compose):
    for name, service in compose["services"].items():
        port = PORTS[name]
        assert service["ports"] == [f"127.0.0.1:{port}:{port}"], name


def test_containers_are_hardened_like_the_pods(compose):
    for name, service in compose["services"].items():
        assert service["read_only"] is True, name
        assert service["tmpfs"] == ["/tmp"], name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert "user" not in service, f"{name}: runs as the image's non-root user"
