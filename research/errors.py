"""One short hierarchy of errors. Each message says what failed, where, and what to do."""

from __future__ import annotations

import errno as _errno

# The exit codes of every `research` command (the README's table). Defined once here, next to
# the errors they stand for; research.cli maps the errors to them.
EXIT_OK = 0  # success
EXIT_FAILED = 1  # a report or check failed, or reports/ is not writable
EXIT_USAGE = 2  # bad usage, registry or parameters: nothing was run
EXIT_DATA = 3  # data unavailable
EXIT_LOCKED = 4  # another run holds the lock
EXIT_INTERRUPTED = 130  # Ctrl-C

# A report failing on these means the data could not be had (exit code 3), not a code bug.
DATA_ERROR_NAMES = frozenset({"DataUnavailable", "DownloadError", "ChecksumMismatch"})


def error_text(error: dict | None) -> str:
    """A report's recorded error (``ename``, ``evalue``, ``first_line``) for the console,
    ``research list`` and the scorecard: a data error whole (where it looked and the fix follow
    its first line), any other error by its first line (the traceback is in the notebook)."""
    error = error or {}
    if error.get("ename") in DATA_ERROR_NAMES and error.get("evalue"):
        return f"{error['ename']}: {str(error['evalue']).strip()}"
    return str(error.get("first_line") or "")


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
    """A raw file does not have the layout its parser expects.

    The parsers say what is wrong and where (``source``, ``line``); the data layer adds which
    ``dataset`` it was and a ``hint`` on what to do (:meth:`with_context`), e.g.::

        dataset 'dgs2': dates duplicated: 1976-06-02 then 1976-06-02 [<mirror>/fred/DGS2.csv, line 4]
        Fix: nothing was stored; the last good copy is kept. Replace <mirror>/fred/DGS2.csv with ...
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 dataset: str | None = None, hint: str | None = None):
        self.message = message
        self.source = source
        self.line = line
        self.dataset = dataset
        self.hint = hint
        where = ""
        if source:
            where = f" [{source}" + (f", line {line}" if line else "") + "]"
        head = f"dataset {dataset!r}: " if dataset else ""
        fix = f"\nFix: {hint}" if hint else ""
        super().__init__(head + message + where + fix)

    def with_context(self, *, dataset: str | None = None, hint: str | None = None) -> ParseError:
        """The same error, naming the dataset and saying what to do (values already set win)."""
        return ParseError(self.message, source=self.source, line=self.line,
                          dataset=self.dataset or dataset, hint=self.hint or hint)


class ParameterError(ResearchError, ValueError):
    """A notebook or report parameter of the wrong type, or one the notebook does not declare."""


class ConfigError(ResearchError, ValueError):
    """A RESEARCH_* setting with a value that cannot work (exit code 2, before anything runs)."""


class RunLocked(ResearchError):
    """Another `research run` holds the lock."""


class RunLockBroken(ResearchError):
    """The run lock's file cannot be used (exit code 1): the message names it and the fix."""


class ReportsNotWritable(ResearchError):
    """The reports folder cannot be written: disk full, read-only, or no permission.

    Raised by the runner after undoing whatever it had moved into place for the report, so the
    last good report, its executed notebook and its state file stay as they were.
    """

    def __init__(self, message: str, *, folder: str | None = None, errno: int | None = None,
                 filename: str | None = None):
        self.folder = folder
        self.errno = errno
        self.filename = filename
        super().__init__(message)

    @classmethod
    def from_oserror(cls, folder: str, error: OSError, *, doing: str, kept: str) -> ReportsNotWritable:
        """``cannot <doing>: [Errno 28] No space left on device (<file>). <kept> Fix: ...``"""
        space = error.errno in (_errno.ENOSPC, getattr(_errno, "EDQUOT", -1))
        fix = (f"free space on the disk that holds {folder}" if space
               else f"make {folder} writable by this user")
        reason = f"[Errno {error.errno}] {error.strerror}" if error.strerror else str(error)
        return cls(f"cannot {doing}: {reason}" + (f" ({error.filename})" if error.filename else "")
                   + f". {kept} Fix: {fix} (or point --reports-dir / RESEARCH_REPORTS_DIR at another "
                   "folder), then run again.", folder=folder, errno=error.errno, filename=error.filename)


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
