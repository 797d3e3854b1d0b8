"""The lock files pin every dependency pyproject.toml declares, inside its declared range."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(name):
    versions = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and "==" in line:
            package, version = line.split(";")[0].split("==")
            versions[canonicalize_name(package)] = version.strip()
    return versions


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        ("requirements-dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_each_dependency_has_an_upper_bound_and_a_pin_inside_its_range(lock, requirements):
    pinned = pins(lock)
    for text in requirements:
        requirement = Requirement(text)
        assert any(spec.operator in ("<", "<=", "~=", "==") for spec in requirement.specifier), (
            f"{requirement.name} has no upper bound: a new major version would arrive unannounced"
        )
        version = pinned.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(version), f"{lock} pins {requirement.name}=={version}, outside {text}"


def test_the_development_lock_keeps_the_production_versions():
    production, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in production} == production
