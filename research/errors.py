"""One short hierarchy of errors. Each message says what failed, where, and what to do."""

from __future__ import annotations


class ResearchError(Exception):
    """Base of every error the package raises on purpose."""


class DataError(ResearchError):
    """A dataset could not be served."""


class UnknownDataset(DataError, KeyError):
    """A dataset name that is not in the catalog."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown dataset {name!r}.{hint} `research data list` shows every dataset.")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


class UnknownBlock(DataError, KeyError):
    """A block name that the dataset's file does not contain."""

    def __str__(self) -> str:
        return self.args[0]


class DataUnavailable(DataError):
    """Nowhere to get the raw file: not cached, not in the mirror, and no download possible."""

    def __init__(self, dataset: str, tried: list[str]):
        self.dataset = dataset
        self.tried = tried
        lines = "\n".join(f"  - {t}" for t in tried)
        super().__init__(
            f"dataset {dataset!r} is not available. Tried:\n{lines}\n"
            "Fix: set RESEARCH_DATA_MIRROR to a folder laid out like shared/data "
            "(french/, fred/, prices/), or go online and run `research data refresh "
            f"{dataset}`."
        )


class DownloadError(DataError):
    """A download failed, stalled, or returned something other than the expected file."""


class ChecksumMismatch(DataError):
    """A file's sha256 is not the one expected."""


class ParseError(DataError, ValueError):
    """A raw file does not have the layout its parser expects."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        where = ""
        if source:
            where = f" [{source}" + (f", line {line}" if line else "") + "]"
        super().__init__(message + where)


class ParameterError(ResearchError, ValueError):
    """A notebook or report parameter of the wrong type, or one the notebook does not declare."""


class RunLocked(ResearchError):
    """Another `research run` holds the lock."""


class ReportFailed(ResearchError):
    """A report notebook raised. Carries the evidence, like papermill's execution error."""

    def __init__(self, report: str, notebook: str, *, cell_index: int | None = None,
                 ename: str = "", evalue: str = "", output_path: str | None = None):
        self.report = report
        self.notebook = notebook
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.output_path = output_path
        cell = f" at cell {cell_index}" if cell_index is not None else ""
        kept = f"; executed notebook kept at {output_path}" if output_path else ""
        super().__init__(f"report {report!r} ({notebook}) failed{cell}: {ename}: {evalue}{kept}")
