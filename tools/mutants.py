"""`make mutants`: mutmut over one module at a time, and its score (benchmarks/README.md, "Mutation testing").

mutmut 3 reads its settings only from ``[tool.mutmut]`` in pyproject.toml and has no command-line
option for which files to mutate or which tests to run. This script loads that configuration,
narrows ``only_mutate`` to the modules named and the test selection to their unit tests
(``tests/test_<stem>.py``, plus ``tests/test_sweep_grids.py`` for a claim module, whose grid
validity rules it reaches; for the package's shared modules, which have no such file, the tests
listed in :data:`SHARED_TESTS`), runs ``mutmut run`` in this process, and prints each module's
score with the mutants no test reaches counted as not killed.

    python tools/mutants.py research/claims/drawdowns.py [--max-children 1] [--tests tests/x.py ...]
                            [--pattern 'research.claims.drawdowns.x_beta*'] [--retest] [--score-only]

Generated mutants and results are cached in ``mutants/`` (git-ignored): a second run re-tests only
the functions whose source changed, the mutants named by ``--pattern``, and with ``--retest`` every
mutant not killed before (mutmut keeps "survived" and "no tests" results when only tests changed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIM_EXTRA_TESTS = ["tests/test_sweep_grids.py"]
#: The fast unit tests of the modules of research/claims/ that are not claims (no mirror,
#: notebook, browser or network: those cannot run in mutmut's mutants/ copy).
SHARED_TESTS = {
    "research/claims/__init__.py": ["tests/test_claims_package.py", "tests/test_new_claim.py",
                                    "tests/test_sweep_grids.py", "tests/test_claims_catalog.py"],
    "research/claims/base.py": ["tests/test_claims_base.py", "tests/test_sweep_grids.py"],
    "research/claims/catalog.py": ["tests/test_claims_catalog.py", "tests/test_new_claim.py"],
    "research/claims/scaffold.py": ["tests/test_new_claim.py"],
}
#: What those tests read besides the package, tests/ and pyproject.toml (all mutmut copies into
#: mutants/, which is then the project root): the generated docs/claims.md and the report registry.
SHARED_COPY = ["docs", "notebooks"]


def refresh_data_files() -> None:
    """Copy the package's files that are not Python (the claim catalog, templates) into mutants/
    afresh: mutmut copies them once, so an edited catalog.toml would meet last run's copy."""
    for path in (ROOT / "research").rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
            target = ROOT / "mutants" / path.relative_to(ROOT)
            if target.parent.is_dir():
                shutil.copy2(path, target)


def unit_tests(module: str) -> list[str]:
    """A module's unit tests: :data:`SHARED_TESTS`, else ``tests/test_<stem>.py`` (and the grid
    tests for a claim module)."""
    if module in SHARED_TESTS:
        return SHARED_TESTS[module]
    own = f"tests/test_{Path(module).stem}.py"
    if not (ROOT / own).is_file():
        raise SystemExit(f"mutants: no {own} for {module}; name the tests with --tests")
    return [own, *(CLAIM_EXTRA_TESTS if module.startswith("research/claims/") else [])]


def unmutated_copy(module: str) -> bool:
    """Whether mutants/<module> is a plain copy. mutmut copies a file it does not mutate over any
    earlier mutated version, newer than the source; it would then take that copy for already
    mutated and test its stale mutants against clean code. Such a copy is removed first."""
    copy = ROOT / "mutants" / module
    return copy.is_file() and "mutmut" not in copy.read_text(encoding="utf-8")


def score(module: str) -> dict[str, int]:
    """Counts by mutmut status for one module, from mutants/<module>.meta."""
    from mutmut.stats import status_by_exit_code

    meta = ROOT / "mutants" / f"{module}.meta"
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return dict(Counter(status_by_exit_code[c] for c in codes.values()))


def survivors(module: str) -> dict[str, list[str]]:
    """Surviving and untested mutant numbers by function, for the README's table (not those not yet run)."""
    from mutmut.stats import status_by_exit_code

    meta = ROOT / "mutants" / f"{module}.meta"
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    out: dict[str, list[str]] = defaultdict(list)
    for key, code in codes.items():
        status = status_by_exit_code[code]
        if status not in ("killed", "timeout", "not checked"):
            function, _, number = key.rpartition("__mutmut_")
            out[f"{status}: {function.rpartition('.')[2]}"].append(number)
    return dict(sorted(out.items()))


def forget_unkilled(module: str) -> int:
    """Clear the cached result of every mutant of ``module`` that was not killed, so it is re-tested."""
    from mutmut.stats import status_by_exit_code

    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.is_file():
        return 0
    data = json.loads(meta.read_text(encoding="utf-8"))
    codes = data["exit_code_by_key"]
    stale = [k for k, c in codes.items() if c is not None and status_by_exit_code[c] not in ("killed", "timeout")]
    codes.update(dict.fromkeys(stale))
    meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return len(stale)


def report(module: str) -> None:
    counts = score(module)
    total = sum(counts.values())
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    rest = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("killed", "timeout"))
    print(f"\n{module}: {killed} of {total} mutants killed ({killed / total:.1%}; timeouts "
          f"{counts.get('timeout', 0)} count as killed, the rest as not: {rest or 'none'})")
    for group, numbers in survivors(module).items():
        print(f"  {group}: {ranges(sorted(int(x) for x in numbers))}")


def ranges(numbers: list[int]) -> str:
    """'1-4, 7, 9-10' for [1, 2, 3, 4, 7, 9, 10]."""
    spans: list[list[int]] = []
    for x in numbers:
        if spans and x == spans[-1][1] + 1:
            spans[-1][1] = x
        else:
            spans.append([x, x])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="+", help="files to mutate, e.g. research/claims/drawdowns.py")
    parser.add_argument("--tests", nargs="+", help="test files (default: each module's unit tests)")
    parser.add_argument("--pattern", action="append", default=[],
                        help="re-test only these mutants (mutmut names, globs allowed)")
    parser.add_argument("--retest", action="store_true", help="re-test the mutants not killed last time")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--score-only", action="store_true", help="print the scores of the last run")
    args = parser.parse_args(argv)
    missing = [m for m in args.modules if not (ROOT / m).is_file()]
    if missing:
        parser.error(f"no such module(s) {missing}; give paths like research/claims/drawdowns.py")
    if args.score_only:
        for module in args.modules:
            report(module)
        return 0

    import os

    from mutmut import configuration
    from mutmut.__main__ import cli

    os.chdir(ROOT)  # mutmut works in ./mutants and reads ./pyproject.toml
    cfg = configuration.config()
    cfg.only_mutate = list(args.modules)
    cfg.pytest_add_cli_args_test_selection = args.tests or list(
        dict.fromkeys(t for m in args.modules for t in unit_tests(m)))
    if any(m in SHARED_TESTS for m in args.modules):
        cfg.also_copy += [Path(p) for p in SHARED_COPY]
        for p in SHARED_COPY:  # mutmut copies them only when missing: drop last run's, maybe stale
            shutil.rmtree(ROOT / "mutants" / p, ignore_errors=True)
    refresh_data_files()
    for module in args.modules:
        if unmutated_copy(module):
            (ROOT / "mutants" / module).unlink()
        if args.retest:
            print(f"{module}: re-testing {forget_unkilled(module)} mutants not killed last time")
    print(f"mutating {cfg.only_mutate}; tests {cfg.pytest_add_cli_args_test_selection}", flush=True)
    try:
        cli.main(["run", "--max-children", str(args.max_children), *args.pattern], standalone_mode=False)
    except SystemExit as exc:  # mutmut exits on a failing clean run: say so, with its code
        if exc.code:
            raise
    for module in args.modules:
        report(module)
    return 0


if __name__ == "__main__":
    sys.exit(main())
