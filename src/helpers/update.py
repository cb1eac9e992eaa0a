"""Update the review from the command line: editions and new studies.

Usage::

    python -m helpers.update new-edition NAME --title TITLE --search-date YYYY-MM-DD
    python -m helpers.update add-study --edition NAME [--ref N] [--modality M] [--first-author A]
    python -m helpers.update close-edition NAME [--published YYYY-MM-DD] [--reseal REASON]
    python -m helpers.update editions

Every command takes ``--data DIR`` (relative to the current directory; default: the
project's ``data/``).

- ``new-edition`` adds an open edition after the last (closed) one, and its PRISMA flow with
  every count still to fill;
- ``add-study`` writes the rows every table needs for a new study of an open edition; each
  value not yet known reads ``TO FILL``, and ``python -m helpers.validate`` lists them;
- ``close-edition`` seals an edition: its rows never change after that (the loader checks
  them against ``edition_seals.csv``). To correct a closed edition, change it and run
  ``close-edition NAME --reseal "why"``;
- ``editions`` lists the editions with their studies and patients.

The functions are :mod:`helpers.data.curation`. A refused command prints why and writes
nothing; it exits 1 for a problem with the data, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import re
import sys

from helpers.data.curation import add_study, close_edition, editions_as_written, new_edition
from helpers.data.errors import DataValidationError, SetupError, output_closed, robust_output
from helpers.data.loader import load_review
from helpers.data.paths import command_line_path

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # a usage error: the usage and the message, exit 2
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _ref(text: str) -> int:
    """A reference number as the data write it: plain ASCII digits (no "066", no "٦٦")."""
    if not re.fullmatch(r"[1-9][0-9]{0,14}", text):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a reference number (1 to 15 ASCII digits, no leading zero)"
        )
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m helpers.update",
        description="Create an edition, add a study to it, close it.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("new-edition", help="add an open edition after the last one")
    p.add_argument("name")
    p.add_argument("--title", required=True)
    p.add_argument("--search-date", required=True, help="YYYY-MM-DD")
    p.add_argument("--provenance", default=None, help="where the dates come from")
    p = sub.add_parser("add-study", help="write a new study's rows, each value to fill")
    p.add_argument("--edition", required=True)
    p.add_argument("--ref", type=_ref, default=None, help="default: the next free number")
    p.add_argument("--modality", default=None)
    p.add_argument("--first-author", default=None)
    p = sub.add_parser("close-edition", help="seal an edition")
    p.add_argument("name")
    p.add_argument("--published", default=None, help="YYYY-MM-DD")
    p.add_argument("--reseal", default=None, help="why a closed edition is sealed again")
    sub.add_parser("editions", help="list the editions")
    for p in sub.choices.values():
        p.add_argument(
            "--data",
            default=None,
            type=command_line_path,
            help="the data folder, relative to the current directory (default: data/)",
        )
    return parser


def _run(args) -> str:
    if args.command == "new-edition":
        extra = {} if args.provenance is None else {"provenance": args.provenance}
        new_edition(args.name, args.title, args.search_date, args.data, **extra)
        return (
            f"edition {args.name!r} added (open). Next: python -m helpers.update add-study "
            f"--edition {args.name}, then fill its PRISMA counts in prisma.csv"
        )
    if args.command == "add-study":
        ref = add_study(args.edition, args.data, args.ref, args.modality, args.first_author)
        return (
            f"study {ref} added to edition {args.edition!r}. Fill the cells marked TO FILL; "
            "python -m helpers.validate lists them"
        )
    if args.command == "close-edition":
        n = close_edition(args.name, args.data, args.published, args.reseal)
        return f"edition {args.name!r} closed: {n} rows sealed in edition_seals.csv"
    return _editions_listing(args.data)


def _editions_listing(data) -> str:
    """The editions with their studies and patients; read from the files as they are when
    the data are not valid yet (cells still to fill), and said so."""
    try:
        review = load_review(data, cache=False)
    except DataValidationError:
        rows, note = (
            editions_as_written(data),
            ("(the data are not valid yet; python -m helpers.validate says why)"),
        )
    else:
        rows, note = review.editions.reset_index().to_dict("records"), ""
    lines = [
        f"{row['order']}. {row['edition']} ({row['status']}): {row['title']}; "
        f"{row['n_studies']} studies, {row['n_patients']} patients"
        for row in rows
    ]
    return "\n".join(lines + ([note] if note else []))


def main(argv: list[str] | None = None) -> int:
    """Run the command.

    Parameters
    ----------
    argv : list of str, optional
        The command's arguments; None reads them from ``sys.argv``.

    Returns
    -------
    int
        0 done, 1 refused (the problem printed to standard error), 2 a usage or set-up
        error, 130 interrupted.
    """
    robust_output()
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        print(_run(args))
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except BrokenPipeError:
        output_closed()
        return 2
    except (SetupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
