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
from .loader import load_review


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        review = load_review(argv[0] if argv else None)
        claims = load_claims(review.data_dir / "claims.yaml")
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"valid: {review!r}; {len(claims)} claims; {len(review.findings)} findings about the paper")
    return 0


if __name__ == "__main__":
    sys.exit(main())
