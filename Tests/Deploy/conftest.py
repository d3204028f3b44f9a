"""Fixtures shared by the deploy tests: the parsed compose file and Dockerfile."""

from __future__ import annotations

import re

import pytest

from deployfiles import load_compose, parse_dockerfile, stage_environment


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="session")
def dockerfile():
    return parse_dockerfile()


@pytest.fixture(scope="session")
def dockerfile_user(dockerfile) -> int:
    """The numeric uid the runtime image runs as (USER uid or uid:gid)."""
    _, stages = dockerfile
    users = stages[-1].all("USER")
    assert len(users) == 1, f"the runtime stage sets USER once, not {users}"
    match = re.fullmatch(r"(\d+)(?::\d+)?", users[0])
    assert match, f"USER {users[0]}: numeric, so Kubernetes' runAsNonRoot can verify it"
    return int(match[1])


@pytest.fixture(scope="session")
def image_env(dockerfile) -> dict[str, str]:
    """The environment the runtime image sets (CRM_HOST=0.0.0.0 among it), which every pod and
    compose container starts from."""
    _, stages = dockerfile
    return stage_environment(stages[-1])
