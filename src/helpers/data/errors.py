"""The one error that bad input raises.

Every check in the project reports a :class:`Problem` that names the file, the row,
the study (``ref``), the column and the rule broken. :class:`DataValidationError`
collects them into one message, so a researcher sees everything wrong with a data
folder at once, and never a traceback from inside pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataValidationError",
    "NotComputable",
    "Problem",
    "SetupError",
    "output_closed",
    "robust_output",
]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place.

    Parameters
    ----------
    file : str
        File name relative to the data folder (``"outcomes.csv"``).
    rule : str
        Short name of the rule broken (``"outcome counts add up"``).
    message : str
        What is wrong, in words, with the offending values.
    row : int, optional
        Row number as a spreadsheet shows it: the header is row 1, the first data
        row is row 2.
    ref : int, optional
        The study's reference number, when the row describes a study.
    column : str, optional
        The column holding the offending value.
    """

    file: str
    rule: str
    message: str
    row: int | None = None
    ref: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.ref is not None:
            where.append(f"ref {self.ref}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message} [rule: {self.rule}]"


class DataValidationError(ValueError):
    """Raised when input data break a rule; carries every :class:`Problem` found."""

    def __init__(self, problems: list[Problem], source: str = "data"):
        self.problems = list(problems)
        self.source = source
        lines = [f"Invalid {source}: {len(self.problems)} problem(s) found, nothing was computed."]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class NotComputable(ValueError):
    """A computation has no number for these data (a count the paper gives as N/R, an
    empty selection of diameters): the claims audit shows it as not computable, with the
    reason, instead of failing."""


class SetupError(RuntimeError):
    """The project cannot run here: its data dictionary is missing or unreadable, an
    environment variable has a value it cannot use (``SOURCE_DATE_EPOCH``), or the output
    folder cannot be used. The command lines exit 2 with the message, no traceback."""


def robust_output() -> None:
    """Make the command lines' output unable to fail on text: a character the terminal's
    encoding cannot show is escaped (``\\xe4``) rather than raising."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def output_closed() -> None:
    """After a write to a closed pipe (``| head``): send the rest to nowhere, so exiting does not
    fail too."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
