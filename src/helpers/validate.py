"""Validate a data folder from the command line: a thin wrapper around
:func:`helpers.load_review`.

Usage::

    python -m helpers.validate            # the project's data/
    python -m helpers.validate path/to/data   # relative to the current directory

``load_review`` is the one gate: the tables, the vocabularies and checklists, the claims
register, the Table 2 notes and the PRISMA flow are all checked there. This command prints
a one-line summary and exits 0 when the data are valid; otherwise it prints every
problem (file, row, study, column, rule) and exits 1, without a traceback. A usage
error exits 2.
"""

from __future__ import annotations

import sys

from helpers.data.errors import DataValidationError, SetupError, output_closed, robust_output
from helpers.data.loader import Review, load_review
from helpers.data.paths import command_line_path

__all__ = ["main", "validate_folder"]


def validate_folder(data_dir=None) -> tuple[Review, int]:
    """Load and validate a data folder (uncached); return the review and the number of claims.

    Parameters
    ----------
    data_dir : path-like, optional
        The data folder, relative to the project root or absolute; None is the project's
        ``data/``. (The command line's folder is relative to the current directory.)

    Returns
    -------
    review : Review
        The validated review.
    n_claims : int
        The number of claims in its claims register.

    Raises
    ------
    DataValidationError
        Naming file, row, study, column and rule of every problem.
    """
    review = load_review(data_dir, cache=False)
    return review, len(review.claims)


def main(argv: list[str] | None = None) -> int:
    """Run the command: validate the folder named in ``argv`` and print the outcome.

    Parameters
    ----------
    argv : list of str, optional
        The command's arguments: none, or the data folder; ``-h``/``--help`` prints the usage.
        None reads them from ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 valid (or help asked for), 1 invalid data (every problem printed to
        standard error), 2 a usage or set-up error or output that cannot be written, 130
        interrupted.
    """
    robust_output()
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        review, n_claims = validate_folder(command_line_path(argv[0]) if argv else None)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    try:
        print(
            f"valid: {review!r}; {n_claims} claims; "
            f"{len(review.findings)} findings about the paper",
            flush=True,
        )
    except BrokenPipeError:
        output_closed()
    except OSError as exc:
        print(f"error: cannot write the result: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
