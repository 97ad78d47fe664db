"""The dependencies the code reaches into below their public API have upper bounds, and the
bounds, the lock file and the installed versions agree: an upgrade of Strawberry, graphql-core
or SQLAlchemy is chosen and tested, never picked up silently by a fresh install."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# compiled.py / schema.py (execution context), db_direct.py (compiled statements, asyncpg),
# live/websocket.py (protocol handler), the models (sqlmodel), app and routes (starlette).
REACHED_PRIVATELY = [
    "strawberry-graphql",
    "graphql-core",
    "sqlalchemy",
    "sqlmodel",
    "starlette",
    "asyncpg",
]


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    parsed = (Requirement(text) for text in project["dependencies"])
    return {canonicalize_name(requirement.name): requirement for requirement in parsed}


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


@pytest.mark.parametrize("name", REACHED_PRIVATELY)
def test_privately_reached_dependency__declared_with_an_upper_bound(name: str) -> None:
    requirement = _requirements().get(name)
    assert requirement is not None, f"{name} must be a direct dependency in pyproject.toml"
    assert any(spec.operator in {"<", "<=", "==", "~="} for spec in requirement.specifier), (
        f"{name} needs an upper bound: {requirement}"
    )


@pytest.mark.parametrize("name", REACHED_PRIVATELY)
def test_installed_version__within_the_declared_range(name: str) -> None:
    requirement = _requirements()[name]
    assert requirement.specifier.contains(version(name), prereleases=True), (
        f"installed {name} {version(name)} is outside {requirement.specifier}"
    )


def test_lock_file__every_direct_dependency_pinned_inside_its_range() -> None:
    locked = _locked()
    for name, requirement in _requirements().items():
        assert name in locked, f"{name} is missing from {LOCK.name}: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={locked[name]}, outside {requirement.specifier}"
        )
