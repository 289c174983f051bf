"""`research data list | status | refresh [NAME] | update [NAME] | lock [NAME]`."""

from __future__ import annotations

import argparse


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="list, check, refresh, update and lock the datasets")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
    lst = dsub.add_parser("list", help="every dataset in the catalog")
    lst.set_defaults(func=_list)
    st = dsub.add_parser("status", help="each dataset: loadable, origin, vintage, coverage, rows, flags")
    st.set_defaults(func=_status)
    rf = dsub.add_parser("refresh", help="fetch again (mirror, then publisher), verify and rebuild the cache")
    rf.add_argument("names", nargs="*", metavar="NAME", help="datasets to refresh (default: all)")
    rf.set_defaults(func=_refresh)
    up = dsub.add_parser("update", help="ask the publishers for newer vintages (one 304 when unchanged) "
                                        "and take them in")
    up.add_argument("names", nargs="*", metavar="NAME", help="datasets to update (default: all)")
    up.set_defaults(func=_update)
    lk = dsub.add_parser("lock", help="write the vintages in use to data/vintages.lock")
    lk.add_argument("names", nargs="*", metavar="NAME", help="datasets to lock (default: all)")
    lk.set_defaults(func=_lock)


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
    for col in ("name", "ok", "origin", "vintage", "coverage", "rows", "blocks", "flags", "lock", "error"):
        t.add_column(col, overflow="fold")
    for r in rows:  # rich reads "[...]" in a cell as markup: an error naming "[/path]" would crash it
        lock = ("locked" if r["pinned"] else "[yellow]newer[/yellow]" if r["newer"]
                else "[yellow]differs[/yellow]" if r["ok"] else "")
        t.add_row(escape(r["name"]), "yes" if r["ok"] else "[red]NO[/red]", escape(str(r["origin"])),
                  escape(str(r["vintage"] or "")), escape(str(r["coverage"])), str(r["rows"]),
                  escape(str(r["blocks"])), f"[yellow]{escape(str(r['flags']))}[/yellow]" if r["flags"] else "0",
                  lock, escape(str(r["error"] or "")))
    con = _console()
    con.print(t)
    bad = [r["name"] for r in rows if not r["ok"]]
    con.print(escape(f"{len(rows) - len(bad)} of {len(rows)} datasets loadable"
                     + (f"; failing: {', '.join(bad)}" if bad else "")))
    return 3 if bad else 0


def _each(names: list[str], action, show) -> int:
    """Run ``action(name)`` for each dataset; one failure does not stop the others (exit 3)."""
    from rich.markup import escape

    con = _console()
    failed = 0
    for name in names:
        try:
            con.print(escape(show(action(name))))
        except Exception as exc:
            if len(names) == 1:
                raise
            failed += 1
            con.print(f"[red]{escape(f'{name}: {type(exc).__name__}: {exc}')}[/red]")
    return 3 if failed else 0


def _refresh(args) -> int:
    from research import data

    return _each(args.names or data.names(), data.refresh,
                 lambda r: f"{r['name']}: {r['origin']} sha256 {r['sha256'][:12]}… vintage {r['vintage']}")


def _update(args) -> int:
    from research import data

    def show(r) -> str:
        what = "new file taken in" if r["changed"] else "unchanged"
        lock = ("the locked vintage" if r["matches_lock"] else
                f"newer than the lock ({r['locked_vintage']}); `research data lock {r['name']}` records it"
                if r["newer_than_lock"] else f"not the locked vintage ({r['locked_vintage']})")
        return f"{r['name']}: {what}, vintage {r['vintage']}, sha256 {r['sha256'][:12]}…, {lock}"

    return _each(args.names or data.names(), data.update, show)


def _lock(args) -> int:
    from rich.markup import escape

    from research import data
    from research.config import settings

    got = data.lock(args.names or None)
    con = _console()
    for name, e in got["written"].items():
        con.print(escape(f"{name}: vintage {e.vintage} sha256 {e.sha256[:12]}…"))
    for name, err in got["kept"].items():
        con.print(f"[yellow]{escape(f'{name}: not loadable, its lock entry is kept ({err})')}[/yellow]")
    con.print(escape(f"wrote {settings().vintages_lock}"))
    return 3 if got["kept"] else 0
