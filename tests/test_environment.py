"""The set-up contract: one lock, the same packages everywhere, and CI running `make test`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_norm(re.split(r"[<>=!~ \[;]", d)[0]) for d in project["dependencies"]}


def lock_pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {_norm(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", text, re.M)}


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep.split("=")[0] not in ("python", "pip"):
            name, _, version = dep.partition("=")
            pins[_norm(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert set(environment_pins()) == pyproject_dependencies()


def test_environment_yml_pins_the_locked_versions():
    lock = lock_pins()
    mismatched = {n: (v, lock.get(n)) for n, v in environment_pins().items() if lock.get(n) != v}
    assert not mismatched, f"environment.yml vs requirements.lock: {mismatched}"


def test_lock_pins_every_dependency_with_hashes():
    lock = lock_pins()
    assert pyproject_dependencies() <= set(lock)
    text = (ROOT / "requirements.lock").read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[1]):
        if "==" in block:
            assert "--hash=sha256:" in block, f"unhashed pin: {block.splitlines()[0]}"


def test_installed_versions_are_the_locked_ones():
    from importlib.metadata import version

    lock = lock_pins()
    for name in pyproject_dependencies():
        assert version(name) == lock[name], name


def test_core_packages_are_dependencies():
    core = {
        "jupyterlab",
        "pandas",
        "matplotlib",
        "seaborn",
        "papermill",
        "nbval",
        "nbconvert",
        "ipykernel",
        "pytest",
    }
    assert core <= pyproject_dependencies()


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "make test" in commands


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    first = [line.strip() for line in blocks[0].splitlines() if line.strip()]
    assert first[:2] == ["make report", "make test"]


def test_project_kernel_runs_this_environment():
    """`make` registers the kernel inside .venv, pointing at the venv's own Python."""
    import json
    import sys

    from helpers.build.kernel import KERNEL_NAME, QUIET

    spec = json.loads(
        (
            Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
        ).read_text()
    )
    assert Path(spec["argv"][0]).resolve() == Path(sys.executable).resolve()
    assert QUIET in spec["argv"]
