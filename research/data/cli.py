"""`research data list | status | refresh [NAME]`."""

from __future__ import annotations

import argparse


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="list, check and refresh the datasets")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
    lst = dsub.add_parser("list", help="every dataset in the catalog")
    lst.set_defaults(func=_list)
    st = dsub.add_parser("status", help="each dataset: loadable, origin, vintage, coverage, rows, flags")
    st.set_defaults(func=_status)
    rf = dsub.add_parser("refresh", help="fetch again, verify sha256 and rebuild the parsed cache")
    rf.add_argument("names", nargs="*", metavar="NAME", help="datasets to refresh (default: all)")
    rf.add_argument("--accept-new", action="store_true",
                    help="accept a publisher file whose sha256 differs from the pinned one (new vintage)")
    rf.set_defaults(func=_refresh)


def _console():
    import shutil

    from rich.console import Console

    # pipes and cron get a wide table instead of rich's 80-column default
    return Console(width=max(shutil.get_terminal_size((160, 40)).columns, 120))


def _list(args) -> int:
    from rich.table import Table

    from research.data.catalog import CATALOG

    t = Table(title="datasets", show_lines=False)
    for col in ("name", "publisher", "frequency", "file", "title"):
        t.add_column(col, overflow="fold")
    for ds in CATALOG.values():
        t.add_row(ds.name, ds.publisher.split(",")[0], ds.frequency, ds.file_name, ds.title)
    _console().print(t)
    return 0


def _status(args) -> int:
    from rich.markup import escape
    from rich.table import Table

    from research import data

    rows = data.status()
    t = Table(title="data status")
    for col in ("name", "ok", "origin", "vintage", "coverage", "rows", "blocks", "flags", "pinned", "error"):
        t.add_column(col, overflow="fold")
    for r in rows:  # rich reads "[...]" in a cell as markup: an error naming "[/path]" would crash it
        t.add_row(escape(r["name"]), "yes" if r["ok"] else "[red]NO[/red]", escape(str(r["origin"])),
                  escape(str(r["vintage"] or "")), escape(str(r["coverage"])), str(r["rows"]),
                  escape(str(r["blocks"])), f"[yellow]{escape(str(r['flags']))}[/yellow]" if r["flags"] else "0",
                  "yes" if r["pinned"] else ("[yellow]new vintage[/yellow]" if r["ok"] else ""),
                  escape(str(r["error"] or "")))
    con = _console()
    con.print(t)
    bad = [r["name"] for r in rows if not r["ok"]]
    con.print(escape(f"{len(rows) - len(bad)} of {len(rows)} datasets loadable"
                     + (f"; failing: {', '.join(bad)}" if bad else "")))
    return 3 if bad else 0


def _refresh(args) -> int:
    from rich.markup import escape

    from research import data

    names = args.names or data.names()
    con = _console()
    failed = 0
    for name in names:
        try:
            r = data.refresh(name, accept_new=args.accept_new)
            con.print(escape(f"{r['name']}: {r['origin']} sha256 {r['sha256'][:12]}… vintage {r['vintage']}"))
        except Exception as exc:
            if len(names) == 1:
                raise
            failed += 1
            con.print(f"[red]{escape(f'{name}: {type(exc).__name__}: {exc}')}[/red]")
    return 3 if failed else 0
