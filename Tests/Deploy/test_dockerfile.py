"""deploy/Dockerfile and .dockerignore, read as Docker reads them (no container engine runs
here): a parameterised two-stage build through deploy/build-release.sh, a non-root runtime with
its store on a volume, and configuration only through the environment."""

from __future__ import annotations

import fnmatch
import re

from deployfiles import DEPLOY, PORTS, REPO_ROOT, executable, stage_environment


def test_two_stages_from_the_swift_toolchain_to_debian_slim(dockerfile):
    preamble, stages = dockerfile
    assert len(stages) == 2
    defaults = dict(a.split("=", 1) for a in (i.arguments for i in preamble if i.keyword == "ARG"))
    build, runtime = stages
    assert re.fullmatch(r"swift:6\.3(\.\d+)?-bookworm", defaults[build.base.strip("${}")])
    assert re.fullmatch(r"debian:bookworm-slim", defaults[runtime.base.strip("${}")])
    assert build.name == "build"


def test_both_stages_take_the_service_and_its_port(dockerfile):
    _, stages = dockerfile
    for stage in stages:
        assert {"SERVICE", "PORT"} <= set(stage.all("ARG")), f"{stage.base}: ARG SERVICE and ARG PORT"


def test_the_build_stage_checks_the_service_port_pairs(dockerfile):
    _, stages = dockerfile
    checks = [r for r in stages[0].all("RUN") if "case" in r]
    assert len(checks) == 1
    pairs = set(re.findall(r"([a-z]+-service):(\d+)", checks[0]))
    assert pairs == {(executable(name), str(port)) for name, port in PORTS.items()}


def test_the_build_runs_the_shared_release_script(dockerfile):
    # deploy/build-release.sh is also what Tests/Deploy/test_release_build.py runs: the image
    # cannot build differently from the test as long as no stage calls `swift build` itself.
    _, stages = dockerfile
    build = stages[0]
    runs = build.all("RUN")
    assert 'deploy/build-release.sh "${SERVICE}" /staging' in runs
    assert not any("swift build" in r for r in runs)
    assert any("libsqlite3-dev" in r for r in runs), "GRDB needs Debian's SQLite headers"
    script = (DEPLOY / "build-release.sh").read_text()
    assert "swift build" in script and "-c release" in script


def test_the_runtime_runs_as_a_non_root_user(dockerfile, dockerfile_user):
    _, stages = dockerfile
    assert dockerfile_user != 0
    runtime = stages[-1]
    assert any(f"--uid {dockerfile_user}" in r for r in runtime.all("RUN")), "the user exists in the image"
    # USER comes after every RUN, so nothing runs as root once it is set.
    keywords = [i.keyword for i in runtime.instructions]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")


def test_the_runtime_serves_from_the_environment_with_its_store_on_a_volume(dockerfile):
    _, stages = dockerfile
    runtime = stages[-1]
    assert runtime.all("VOLUME") == ['["/data"]']
    assert runtime.all("EXPOSE") == ["${PORT}"]
    env = stage_environment(runtime)
    assert env["CRM_HOST"] == "0.0.0.0" and env["CRM_DATA_DIR"] == "/data" and env["CRM_PORT"] == "${PORT}"
    (entrypoint,) = runtime.all("ENTRYPOINT")
    assert "exec" in entrypoint, "the service itself is PID 1 and receives SIGTERM"
    assert "--" not in entrypoint.replace('"--"', ""), "no flags: configuration only through CRM_*"
    assert not runtime.all("CMD")
    (copy,) = [c for c in runtime.all("COPY") if c.startswith("--from=build")]
    assert copy == "--from=build /staging/${SERVICE} /usr/local/bin/${SERVICE}"


def test_the_runtime_health_check_is_the_grpc_one(dockerfile):
    _, stages = dockerfile
    runtime = stages[-1]
    assert "deploy/grpc-health-check.sh /usr/local/bin/grpc-health-check" in runtime.all("COPY")
    (check,) = runtime.all("HEALTHCHECK")
    assert check.endswith('CMD ["grpc-health-check"]')
    assert any("curl" in r for r in runtime.all("RUN")), "the health check speaks gRPC with curl"


def test_dockerignore_keeps_local_state_out_and_sources_in():
    patterns = [
        line.strip().rstrip("/") for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.removeprefix("**/"))
                   or path.startswith(p + "/") for p in patterns)

    for path in (".build", ".git", "data", "data/trust.sqlite", "data/trust.sqlite-wal"):
        assert ignored(path), f"{path} stays out of the build context"
    for path in ("Package.swift", "Package.resolved", "deploy/build-release.sh", "deploy/grpc-health-check.sh",
                 "Services/Trust/Server/Main.swift", "Shared/ServiceKit/SuiteService.swift", "proto"):
        assert not ignored(path), f"{path} is needed by the image build"


def test_ports_match_the_readme(dockerfile):
    # The README's service table is what people read; deploy/ must agree with it.
    readme = (REPO_ROOT / "README.md").read_text()
    table = dict(re.findall(r"^\| (\w+) \|[^|]*\| (\d{5}) \|", readme, re.MULTILINE))
    assert {name: int(port) for name, port in table.items()} == PORTS
