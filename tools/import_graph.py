"""Find import circles inside a package, counting the imports made inside functions.

Usage: python tools/import_graph.py [PACKAGE_DIR]   (default: research/ next to tools/)

Every module under PACKAGE_DIR is parsed with :mod:`ast` (nothing is imported or executed) and
every ``import pkg.x`` and ``from pkg.x import y`` naming the package is an edge, wherever it
stands: module level, inside a function, under ``if TYPE_CHECKING``. ``from pkg.x import y`` points
at module ``pkg.x.y`` when that is a module, else at ``pkg.x``; relative imports are resolved the
same way. Importing ``pkg.x.y`` also runs ``pkg/x/__init__.py``; that implicit step is not an
edge, so a package's ``__init__`` may re-export its submodules. Prints each circle found by a
depth-first search and exits 1 if there is one, 0 otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

Graph = dict[str, set[str]]


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``package_dir``."""
    root = package_dir.parent
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The module an imported dotted name lives in: itself, or its nearest enclosing module."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path], package: str) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up level - 1 packages
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                     for alias in node.names]
        for name in names:
            if name == package or name.startswith(package + "."):
                target = _target(name, modules)
                if target and target != module:
                    found.add(target)
    return found


def import_graph(package_dir: Path) -> Graph:
    """Module -> the package's modules it imports."""
    modules = module_names(package_dir)
    return {m: imports_of(m, path, modules, package_dir.name) for m, path in modules.items()}


def find_cycles(graph: Graph) -> list[list[str]]:
    """One circle per back edge met by a depth-first search (in sorted order, so stable).

    Each circle is a list of modules whose last element imports the first.
    """
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the DFS stack, then "done"
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    package_dir = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "research"
    if not (package_dir / "__init__.py").is_file():
        print(f"import_graph: {package_dir} is not a package (no __init__.py); "
              "pass the package folder, e.g. research/", file=sys.stderr)
        return 2
    graph = import_graph(package_dir)
    cycles = find_cycles(graph)
    for cycle in cycles:
        print("import circle: " + " -> ".join([*cycle, cycle[0]]))
    edges = sum(len(v) for v in graph.values())
    if cycles:
        print(f"{len(cycles)} import circle(s) among {len(graph)} modules ({edges} imports); break each by "
              "moving what both sides need into a module of its own", file=sys.stderr)
        return 1
    print(f"no import circle among {len(graph)} modules ({edges} imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
