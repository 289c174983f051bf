"""Write a report notebook from a compact Python description (cells separated by markers).

Usage: python tools/make_notebook.py SOURCE.py OUT.ipynb

In SOURCE, a line ``# %% [markdown]`` starts a markdown cell (lines prefixed by ``# `` are
unprefixed), ``# %% [parameters]`` the parameters cell, and ``# %%`` a code cell. This keeps
notebooks reviewable as plain text; the .ipynb is what papermill and JupyterLab open.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def build(source: str) -> nbformat.NotebookNode:
    cells = []
    kind, lines = None, []

    def flush():
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in text.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cell = nbformat.v4.new_code_cell(text)
            if kind == "parameters":
                cell.metadata["tags"] = ["parameters"]
            cells.append(cell)

    for line in source.splitlines():
        if line.startswith("# %%"):
            flush()
            tag = line[4:].strip()
            kind = {"[markdown]": "markdown", "[parameters]": "parameters"}.get(tag, "code")
            lines = []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    # the project's kernel (README, "The kernel"), installed by `make setup` and `research lab`
    nb.metadata["kernelspec"] = {"name": "research", "display_name": "research (workbench)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):  # the ids nbstripout writes: no diff once committed
        c["id"] = str(i)
    return nb


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    nbformat.write(build(src.read_text()), out)


if __name__ == "__main__":
    main()
