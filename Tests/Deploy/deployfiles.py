"""What the deploy tests read: the five services, and the files under deploy/ parsed into
plain data (rendered kustomize overlays, compose.yaml, the Dockerfile's instructions)."""

from __future__ import annotations

import re
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
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise RuntimeError("kubectl is not on PATH; the deploy tests render overlays with `kubectl kustomize`")
    result = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "kubernetes" / "overlays" / name)],
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize overlays/{name} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


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
