"""Every `research ...` command shown in the README, docs/*.md and the commands' --help examples
is executed here, so none can go stale.

Commands that would execute notebooks, start JupyterLab or a sweep run with ``--dry-run`` (same
parsing, planning and parameter validation, nothing executed); reports go to a temporary folder.
A synopsis with placeholders (``research run [--force] [--jobs N]``, ``research data refresh
NAME``) and commands that download or write data cannot run as written: for those every option
must exist on the command it is shown with.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from research import cli, runner

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"(?<![\w/-])(?:\.venv/bin/)?research ((?:run|list|lab|data|sweep|history|new-claim)\b[^`#\n|&]*)")
FENCE = re.compile(r"^```.*?$(.*?)^```", re.S | re.M)
INLINE = re.compile(r"(`+)(.+?)\1")
PLACEHOLDER = re.compile(r"\[|\.\.\.|\b[A-Z][A-Z_=]{2,}\b|\bC?N\b")  # [--x], ..., NAME, N, CN
DRY = ("run", "sweep", "lab")  # commands that execute things: run them with --dry-run
NOT_RUN = ("data refresh", "data update", "data lock", "new-claim")  # download or write files: options checked only


def _code_texts(text: str) -> list[str]:
    fenced = FENCE.findall(text)
    rest = FENCE.sub("", text)
    return fenced + [m.group(2) for m in INLINE.finditer(rest)]


def doc_commands() -> list[tuple[str, str]]:
    """(where, command) for every `research` command in the README and docs/."""
    found: dict[str, str] = {}
    for path in DOCS:
        for code in _code_texts(path.read_text(encoding="utf-8")):
            for match in COMMAND.finditer(code.replace("\\|", "/")):  # REPORT\|CLAIM in a table
                cmd = match.group(1).strip()
                cmd = cmd if cmd.endswith("...") else cmd.rstrip(".,;:")
                found.setdefault(cmd, path.relative_to(ROOT).as_posix())
    return [(where, cmd) for cmd, where in found.items()]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def help_examples() -> list[tuple[str, str]]:
    """(command, example) from each command's --help epilog."""
    out = []
    for name, sub in _subparsers(cli.build_parser()).items():
        for line in (sub.epilog or "").splitlines():
            match = COMMAND.search(line)
            if match:
                out.append((f"research {name} --help", re.split(r"\s{2,}", match.group(1).strip())[0]))
    return out


def _parser_for(words: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    parser = cli.build_parser()
    while words and words[0] in _subparsers(parser):
        parser = _subparsers(parser)[words.pop(0)]
    return parser, words


def check_options(cmd: str) -> None:
    """Every --option of a synopsis exists on its command (and the command exists)."""
    parser, rest = _parser_for(shlex.split(cmd.replace("[", " ").replace("]", " ").replace("|", " ")))
    known = {s for a in parser._actions for s in a.option_strings}
    assert parser.prog != "research", f"{cmd!r}: no such command"
    for word in rest:
        if word.startswith("-"):
            assert word.split("=")[0] in known, f"{cmd!r}: {word} is not an option of {parser.prog} ({sorted(known)})"


def run_example(cmd: str, capsys) -> tuple[int, str]:
    argv = shlex.split(cmd)
    if argv[0] in DRY and "--dry-run" not in argv:
        argv.append("--dry-run")
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(autouse=True)
def _reports_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEARCH_REPORTS_DIR", str(tmp_path / "reports"))


def test_the_docs_show_commands():
    cmds = [c for _, c in doc_commands()]
    assert "run" in cmds and "list" in cmds and any(c.startswith("sweep C1") for c in cmds)
    assert len(help_examples()) >= 8


@pytest.mark.parametrize(("where", "cmd"), doc_commands() + help_examples())
def test_documented_command_works(where, cmd, capsys, tmp_path):
    parser, rest = _parser_for(shlex.split(cmd))
    if _subparsers(parser) and not rest:  # a command group named in prose: `research data`
        return
    if PLACEHOLDER.search(cmd) or cmd.startswith(NOT_RUN):
        check_options(cmd)
        return
    code, output = run_example(cmd, capsys)
    assert code == 0, f"`research {cmd}` from {where} exited {code}:\n{output}"
    assert not (tmp_path / "reports" / "index.html").exists(), f"`research {cmd}` (dry run) wrote the scorecard"


def test_dry_run_of_an_example_says_what_would_run(capsys):
    code, output = run_example("run C5", capsys)
    assert code == 0
    assert output.splitlines()[:4] == ["technicals: run: never run", "technicals_russell: run: never run",
                                       "robustness_c5: run: never run", "robustness_c5_russell: run: never run"]
    assert "4 would run" in output and "nothing was executed" in output


def test_a_stale_example_is_caught(capsys):
    """The check this module relies on: a wrong report name or parameter fails."""
    assert run_example("run -p easing horizon_months=6", capsys)[0] == 2
    assert run_example("run easing_cycles -p easing_cycles horizon_months=6", capsys)[0] == 2
    with pytest.raises(AssertionError, match="--frobnicate"):
        check_options("run [--frobnicate]")


def test_python_example_in_runner_doc_is_valid():
    """The `runner.run(...)` call of docs/runner.md, planned with the same arguments."""
    text = (ROOT / "docs" / "runner.md").read_text(encoding="utf-8")
    call = re.search(r"runner\.run\((only=.*?)\)\n", text).group(1)
    kwargs = eval(f"dict({call})")  # noqa: S307 - our own documentation
    decisions = runner.preview(**kwargs)
    assert {d.name for d in decisions} >= set(kwargs["overrides"])
