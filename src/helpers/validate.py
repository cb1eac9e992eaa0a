"""Validate a data folder from the command line.

Usage::

    python -m helpers.validate            # the project's data/
    python -m helpers.validate path/to/data

Prints a one-line summary and exits 0 when the data are valid; otherwise prints every
problem (file, row, study, column, rule) and exits 1, without a traceback.
"""

from __future__ import annotations

import sys

from .claims import load_claims
from .errors import DataValidationError
from .loader import Review, load_review


def validate_folder(data_dir=None) -> tuple[Review, int]:
    """Everything a report reads from a data folder, checked: the tables, the claims
    register, the Table 2 notes and the PRISMA flow. Returns the review and the number of
    claims; raises :class:`DataValidationError` on the first file with problems."""
    from .outcomes import compare_table2
    from .prisma import check

    review = load_review(data_dir)
    claims = load_claims(review.data_dir / "claims.yaml")
    compare_table2(review)
    check(review.prisma)
    return review, len(claims)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        review, n_claims = validate_folder(argv[0] if argv else None)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"valid: {review!r}; {n_claims} claims; {len(review.findings)} findings about the paper")
    return 0


if __name__ == "__main__":
    sys.exit(main())
