"""environment.yml (conda) lists everything pyproject.toml needs, with the same lower bounds;
requirements.lock pins all of it with hashes; committed notebooks need no stripping."""

from __future__ import annotations

import re
import subprocess
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


# -- requirements.lock: what `make setup` and CI install ------------------------------------------
LOCK = PROJECT_ROOT / "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", re.M)


def _lock() -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes)."""
    if not LOCK.exists():
        pytest.fail("requirements.lock is missing: run `make lock` and commit it")
    return {_norm(m.group(1)): (m.group(2), m.group(3).count("--hash=")) for m in _PIN.finditer(LOCK.read_text())}


def test_every_pin_in_the_lock_is_exact_and_hashed():
    text = LOCK.read_text()
    requirement_lines = [ln for ln in text.splitlines() if ln and not ln[0].isspace() and not ln.startswith("#")]
    pins = _lock()
    assert len(requirement_lines) == len(pins), "a requirement in requirements.lock is not `name==version`"
    assert all(n >= 1 for _, n in pins.values()), [k for k, (_, n) in pins.items() if n == 0]
    options = [ln for ln in text.splitlines() if ln.lstrip().startswith("-") and "--hash=" not in ln]
    assert not options, f"requirements.lock must resolve from PyPI alone, without {options}"
    assert "file://" not in text and " @ " not in text, "a requirement in requirements.lock points at a file or URL"
    assert "pip" in pins and "setuptools" in pins, "compile with --allow-unsafe: --require-hashes needs them pinned"


def test_every_pyproject_dependency_is_pinned_within_its_bound():
    from packaging.requirements import Requirement

    pins = _lock()
    problems = []
    for text in _needed():
        req = Requirement(text)
        names = [_norm(req.name)] + sorted(_norm(e) for e in req.extras if e == "distributed")
        for name in names:
            if name not in pins:
                problems.append(f"{name} is not in requirements.lock")
            elif name == _norm(req.name) and not req.specifier.contains(pins[name][0], prereleases=True):
                problems.append(f"{name}=={pins[name][0]} does not satisfy {text}")
    assert not problems, "requirements.lock is out of date with pyproject.toml (run `make lock`): " + "; ".join(problems)


def test_lock_hash_is_the_sha256_of_the_lock(monkeypatch, tmp_path):
    import hashlib

    from research import provenance

    assert provenance.lock_hash() == hashlib.sha256(LOCK.read_bytes()).hexdigest()
    other = tmp_path / "requirements.lock"
    other.write_text("six==1.16.0\n")
    monkeypatch.setattr(provenance, "LOCK_FILE", other)
    assert provenance.lock_hash() == hashlib.sha256(b"six==1.16.0\n").hexdigest()
    monkeypatch.setattr(provenance, "LOCK_FILE", tmp_path / "missing.lock")
    assert provenance.lock_hash() is None


# -- `make setup` leaves `git status` clean --------------------------------------------------------
def test_committed_notebooks_are_already_what_nbstripout_writes():
    """`make setup` installs nbstripout as a git filter: a notebook it would rewrite (outputs, cell
    ids) shows as modified in a fresh clone. Regenerate fixtures with tests/fixtures/make_notebooks.py."""
    import sys
    from pathlib import Path

    nbstripout = Path(sys.executable).with_name("nbstripout")
    paths = sorted(PROJECT_ROOT.glob("notebooks/*.ipynb")) + sorted(PROJECT_ROOT.glob("tests/fixtures/notebooks/*.ipynb"))
    assert len(paths) >= 10
    proc = subprocess.run([str(nbstripout), "--verify", *map(str, paths)], capture_output=True, text=True)
    assert proc.returncode == 0, f"nbstripout would rewrite:\n{proc.stdout}{proc.stderr}"
