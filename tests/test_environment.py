"""environment.yml (conda) lists everything pyproject.toml needs, with the same lower bounds."""

from __future__ import annotations

import re
import tomllib

import pytest

from research.config import PROJECT_ROOT

# pip name -> conda-forge name(s), where they differ
CONDA_NAMES = {"arch": ["arch-py"], "dask[distributed]": ["dask", "distributed"]}
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(req: str) -> tuple[str, str, str]:
    """'dask[distributed]>=2024.8' -> ('dask', '[distributed]', '>=2024.8')."""
    m = _REQ.match(req.split(";")[0])
    assert m, f"cannot read requirement {req!r}"
    return _norm(m.group(1)), (m.group(2) or "").replace(" ", "").lower(), m.group(3).replace(" ", "")


def _environment() -> dict:
    """The parts of environment.yml this test needs, read without a YAML library.

    Returns channels, conda dependencies (name -> version spec) and the pip list.
    """
    path = PROJECT_ROOT / "environment.yml"
    if not path.exists():
        pytest.fail("environment.yml is missing at the repository root")
    section, channels, conda, pip = None, [], {}, []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if indent == 0:
            section = text.rstrip(":").split(":")[0]
            continue
        if not text.startswith("- "):
            continue
        item = text[2:].strip()
        if section == "channels":
            channels.append(item)
        elif section == "dependencies":
            if item == "pip:":
                section = "pip"
                continue
            name, _, spec = _split(item.replace("=", "==", 1) if re.match(r"^[\w.-]+=[^=]", item) else item)
            conda[name] = spec
        elif section == "pip":
            if indent <= 2:  # back at the dependency level
                section = "dependencies"
                name, _, spec = _split(item)
                conda[name] = spec
            else:
                pip.append(item)
    return {"channels": channels, "conda": conda, "pip": pip}


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def _needed() -> list[str]:
    project = _pyproject()["project"]
    return list(project["dependencies"]) + list(project.get("optional-dependencies", {}).get("dev", []))


def test_channel_python_and_pip():
    env = _environment()
    assert "conda-forge" in env["channels"]
    assert env["conda"].get("python") == "==3.11"
    assert "pip" in env["conda"]
    requires = _pyproject()["project"]["requires-python"]
    assert requires == ">=3.11"


def test_every_pyproject_dependency_is_listed_with_its_bound():
    env = _environment()
    missing, wrong_bound = [], []
    for req in _needed():
        name, extras, spec = _split(req)
        for conda_name in CONDA_NAMES.get(name + extras, CONDA_NAMES.get(name, [name])):
            if conda_name not in env["conda"]:
                missing.append(f"{req} (conda: {conda_name})")
            elif env["conda"][conda_name] != spec:
                wrong_bound.append(f"{conda_name}: {env['conda'][conda_name]!r} vs pyproject {spec!r}")
    assert not missing, f"environment.yml lacks {missing}"
    assert not wrong_bound, f"environment.yml bounds differ from pyproject.toml: {wrong_bound}"


def test_the_project_itself_is_installed_by_pip():
    pip = [p.replace(" ", "") for p in _environment()["pip"]]
    assert any(p in ("-e.", "-e.[dev]", "--editable=.", "--editable=.[dev]") for p in pip), pip


def test_parser_reads_names_extras_and_bounds():
    assert _split("dask[distributed]>=2024.8") == ("dask", "[distributed]", ">=2024.8")
    assert _split("Jupyter_Lab >= 4.2") == ("jupyter-lab", "", ">=4.2")
    assert _split("pandas") == ("pandas", "", "")
