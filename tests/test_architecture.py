"""The package's shape: no import circles, counting imports inside functions (tools/import_graph.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "import_graph.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("import_graph", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


import_graph = _load_tool()


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path, capsys):
    pkg = _package(tmp_path, {
        "a.py": "from pkg.b import f\n",
        "b.py": "def f():\n    from pkg import a\n    return a\n",
        "c.py": "import pkg.a\n",
    })
    assert import_graph.import_graph(pkg) == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"},
                                              "pkg.c": {"pkg.a"}}
    assert import_graph.find_cycles(import_graph.import_graph(pkg)) == [["pkg.a", "pkg.b"]]
    assert import_graph.main([str(pkg)]) == 1
    assert "import circle: pkg.a -> pkg.b -> pkg.a" in capsys.readouterr().out


def test_no_circle_when_both_sides_import_a_third_module(tmp_path, capsys):
    pkg = _package(tmp_path, {
        "job.py": "JOB = 1\n",
        "run.py": "from pkg.job import JOB\ndef go():\n    from pkg import worker\n",
        "worker.py": "from . import job\nfrom pkg.job import JOB\n",
        "sub/__init__.py": "from pkg.sub.x import X\n",
        "sub/x.py": "from ..job import JOB\nX = 1\n",
    })
    graph = import_graph.import_graph(pkg)
    assert graph["pkg.run"] == {"pkg.job", "pkg.worker"} and graph["pkg.worker"] == {"pkg.job"}
    assert graph["pkg.sub"] == {"pkg.sub.x"} and graph["pkg.sub.x"] == {"pkg.job"}  # relative imports
    assert import_graph.find_cycles(graph) == []
    assert import_graph.main([str(pkg)]) == 0
    assert capsys.readouterr().out == "no import circle among 6 modules (5 imports)\n"


def test_runner_cli_and_sweep_are_in_no_circle():
    cycles = import_graph.find_cycles(import_graph.import_graph(ROOT / "research"))
    mine = [c for c in cycles if any(m == "research.cli" or m == "research.sweep"
                                     or m.startswith("research.runner") for m in c)]
    assert mine == []


def test_the_research_package_has_no_import_circle():
    proc = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("no import circle among ")


def test_no_claim_module_imports_another_claim_module():
    graph = import_graph.import_graph(ROOT / "research")
    shared = {"research.claims", "research.claims.base", "research.claims.catalog"}
    claims = {m for m in graph if m.startswith("research.claims.") and m not in shared}
    assert len(claims) >= 8  # the check looks at real modules
    crossing = {m: sorted(set(graph[m]) & claims) for m in claims if set(graph[m]) & claims}
    assert crossing == {}


def test_imports_go_the_way_docs_architecture_says():
    graph = import_graph.import_graph(ROOT / "research")
    lower = ("research.data", "research.stats", "research.verdict", "research.sweep")
    for module, imported in graph.items():
        if module.startswith(lower):
            assert not [m for m in imported if m.startswith(("research.claims", "research.runner"))], module
        if module.startswith("research.report"):
            assert not [m for m in imported if m.startswith("research.runner")], module
    fetch, store = graph["research.data.fetch"], graph["research.data.store"]
    assert "research.data.store" not in fetch and "research.data.fetch" not in store
