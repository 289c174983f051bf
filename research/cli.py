"""The `research` command. A thin layer: each command group registers itself from its own module
and calls the library; the only logic here is argument parsing and exit codes.

Exit codes (``research.errors.EXIT_*``): 0 success; 1 a report or check failed, or reports/ not
writable; 2 bad usage or parameters; 3 data unavailable; 4 another run holds the lock; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from research.errors import (
    EXIT_DATA,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    DataError,
    ParameterError,
    ResearchError,
    RunLocked,
)

# Each module defines register_cli(subparsers); the order is the order in --help.
_COMMAND_MODULES = ("research.runner.cli", "research.runner.history_cmd", "research.data.cli",
                    "research.runner.sweep_cmd", "research.runner.newclaim_cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="research",
        description="Notebook research workbench: test market commentary on real data.",
    )
    from research import __version__

    parser.add_argument("--version", action="version", version=f"research {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod_name in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name == mod_name:  # that command group is not built yet
                continue
            raise
        mod.register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from research.config import export_absolute_paths

    export_absolute_paths()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RunLocked as exc:
        print(f"research: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except ParameterError as exc:
        print(f"research: parameter error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"research: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"research: data error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except ResearchError as exc:
        print(f"research: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
