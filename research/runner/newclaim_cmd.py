"""``research new-claim ID NAME [--title TEXT]``: scaffold a new claim (research.claims.scaffold)."""

from __future__ import annotations

import argparse

from research.errors import EXIT_OK


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new-claim", help="scaffold a new claim: module, tests, notebook, registry and catalog entries",
        description="Write research/claims/NAME.py, tests/test_NAME.py and notebooks/NAME.ipynb, add "
                    "[reports.NAME] and [reports.robustness_ID] to notebooks/reports.toml and the "
                    "claim to research/claims/catalog.toml, and regenerate docs/claims.md, each with "
                    "TODO(research) where the research goes. The verdict is 'inconclusive: not "
                    "implemented' until they are done.")
    p.add_argument("claim", help="the new claim's id: the next free one, e.g. C10")
    p.add_argument("name", help="module, notebook and report name, e.g. yield_curve")
    p.add_argument("--title", default="", help="a short title (default: from NAME)")
    p.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    from research.claims.scaffold import new_claim

    print(new_claim(args.claim, args.name, title=args.title).summary())
    return EXIT_OK
