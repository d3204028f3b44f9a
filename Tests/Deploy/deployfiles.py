"""What the deploy tests read: the five services, and the files under deploy/ parsed into
plain data (rendered kustomize overlays, compose.yaml, the Dockerfile's instructions)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
OVERLAYS = ("dev", "prod")

# The suite as deploy/ must wire it: compose service / Kubernetes Service name -> gRPC port.
# test_dockerfile.py checks this against the README's service table.
PORTS = {
    "segmentation": 50051,
    "interaction": 50052,
    "feedback": 50053,
    "trust": 50054,
    "loyalty": 50055,
}


def executable(name: str) -> str:
    return f"{name}-service"


def peer_variable(name: str) -> str:
    return f"CRM_{name.upper()}_ADDR"


# --- Kubernetes -----------------------------------------------------------------------------


def render_overlay(name: str) -> list[dict]:
    """`kubectl kustomize deploy/kubernetes/overlays/<name>`, as a list of documents."""
    return render_kustomization(f"overlays/{name}")


def render_kustomization(folder: str) -> list[dict]:
    """`kubectl kustomize deploy/kubernetes/<folder>`, as a list of documents."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise RuntimeError("kubectl is not on PATH; the deploy tests render overlays with `kubectl kustomize`")
    result = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "kubernetes" / folder)],
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {folder} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def container_environment(statefulset: dict, documents: list[dict], image_env: dict[str, str]) -> dict[str, str]:
    """The environment the server container starts with: the image's ENV, then its envFrom
    ConfigMaps (rendered in `documents`), then its env, each overriding the one before."""
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    configmaps = by_kind(documents, "ConfigMap")
    env = dict(image_env)
    for source in container.get("envFrom", []):
        env.update(configmaps[source["configMapRef"]["name"]]["data"])
    env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return env


# --- the services' listening rule -------------------------------------------------------------
# Mirrors ServiceSettings.resolveSecurity (Shared/ServiceKit/Settings/ServiceSettings+Security.swift):
# a service whose host is not loopback starts only with TLS (certificate and key) and auth (JWT
# keys or a client CA), or with CRM_INSECURE=true.

TLS_AND_AUTH = ("CRM_TLS_CERT_FILE", "CRM_TLS_KEY_FILE", "CRM_TLS_CLIENT_CA_FILE", "CRM_TLS_CA_FILE",
                "CRM_AUTH_JWT_KEYS_FILE")


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def tls_enabled(env: dict[str, str]) -> bool:
    return bool(env.get("CRM_TLS_CERT_FILE")) and bool(env.get("CRM_TLS_KEY_FILE"))


def auth_enabled(env: dict[str, str]) -> bool:
    return bool(env.get("CRM_AUTH_JWT_KEYS_FILE")) or bool(env.get("CRM_TLS_CLIENT_CA_FILE"))


def insecure(env: dict[str, str]) -> bool:
    return env.get("CRM_INSECURE", "").lower() == "true"


def starts(env: dict[str, str]) -> bool:
    """Whether a service with this environment (and no flags) passes the listening rule."""
    host = env.get("CRM_HOST", "127.0.0.1")
    return is_loopback(host) or (tls_enabled(env) and auth_enabled(env)) or insecure(env)


# --- compose --------------------------------------------------------------------------------


def load_compose() -> dict:
    # PyYAML resolves the file's anchors and `<<` merge keys as compose does.
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


# --- Dockerfile -----------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, RUN, ARG...
    arguments: str  # the rest, continuation lines joined with spaces


@dataclass
class Stage:
    base: str  # FROM's image, unexpanded
    name: str | None
    instructions: list[Instruction]

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(path: Path = DEPLOY / "Dockerfile") -> tuple[list[Instruction], list[Stage]]:
    """The global instructions (before the first FROM) and the stages, as Docker reads them:
    comments dropped (also inside continued instructions), backslash continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, arguments = text.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"

    preamble: list[Instruction] = []
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", instruction.arguments, re.IGNORECASE)
            assert match, f"cannot read FROM {instruction.arguments}"
            stages.append(Stage(match[1], match[2], []))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            preamble.append(instruction)
    return preamble, stages


def stage_environment(stage: Stage) -> dict[str, str]:
    """What a stage's ENV instructions set (values unexpanded: CRM_PORT is "${PORT}")."""
    values = {}
    for arguments in stage.all("ENV"):
        for pair in shlex.split(arguments):
            key, _, value = pair.partition("=")
            values[key] = value
    return values
