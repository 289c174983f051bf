"""``research history [CLAIM] [--limit N]``: the recorded verdicts on the console, newest first.

Each row is one verdict of one report run, with the cause of any difference from the report's
run before (:mod:`research.runner.history`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from research.errors import EXIT_OK, ParameterError

HEAD = ("ran at", "report", "claim", "label", "estimate", "interval", "n", "cause")


def register_cli(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "history", help="every recorded verdict, newest first, with what changed and why",
        description="The verdict history (reports/_state/history.sqlite): one row per verdict per report run, "
                    "newest first, with the cause of each difference from the report's previous run "
                    "(an input's vintage or sha256, the code, the parameters).")
    cmd.add_argument("claim", nargs="?", default=None, help="only this claim (e.g. C1; case-insensitive)")
    cmd.add_argument("--limit", "-n", type=int, default=50, metavar="N", help="at most N rows (default 50; 0: all)")
    cmd.add_argument("--reports-dir", type=Path, default=None,
                     help="where reports go (default: reports/, or RESEARCH_REPORTS_DIR)")
    cmd.set_defaults(func=cmd_history)


def table(claim: str | None, reports_dir: Path, limit: int | None) -> list[tuple[str, ...]]:
    """The console rows, newest first. Causes are worked out over each report's whole history."""
    from research.runner import history

    rows = history.read(reports_dir)
    lines = []
    for report in dict.fromkeys(r["report"] for r in rows):
        for row in history.timeline([r for r in rows if r["report"] == report]):
            if claim and row["claim"].lower() != claim.lower():
                continue
            lines.append((row["ran_at"], report, row["claim"] + (f" ({row['aspect']})" if row["aspect"] else ""),
                          row["label"], row["estimate"], row["interval"], row["n"], row["cause"]))
    lines.sort(key=lambda line: line[0], reverse=True)
    return lines[:limit] if limit else lines


def cmd_history(args: argparse.Namespace) -> int:
    from research.config import settings
    from research.runner.history import history_path

    if args.limit < 0:
        raise ParameterError(f"--limit must be 0 or more, got {args.limit}")
    reports_dir = (args.reports_dir or settings().reports_dir).resolve()
    lines = table(args.claim, reports_dir, args.limit)  # a damaged database: HistoryError, exit 1
    if not lines:
        what = f" for claim {args.claim}" if args.claim else ""
        print(f"no verdict recorded{what} in {history_path(reports_dir)} (`research run` records each one)")
        return EXIT_OK
    widths = [max(len(str(r[i])) for r in [HEAD, *lines]) for i in range(len(HEAD) - 1)]
    for line in [HEAD, *lines]:
        print("  ".join(f"{str(v):<{w}}" for v, w in zip(line, widths, strict=False)) + "  " + str(line[-1]))
    return EXIT_OK
