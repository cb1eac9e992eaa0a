"""The command line: ``python -m helpers.build`` (or ``calcinosis-report``).

Paths given as options (``--config``, ``--output-dir``) are relative to the current
directory, as for any command; the paths inside the runs file are relative to the project
root (:mod:`helpers.build.config`). README's table of options lists every option defined
here (``tests/test_build.py`` compares the two).
"""

from __future__ import annotations

import argparse

from helpers.build.config import ConfigError, load_config
from helpers.build.console import LOG, configure
from helpers.build.lock import FolderBusy
from helpers.build.pipeline import build, indent
from helpers.build.refresh import RefreshFailed, refresh_notebooks
from helpers.data.errors import SetupError, output_closed, robust_output
from helpers.data.paths import command_line_path

__all__ = ["argument_parser", "main"]


def _jobs(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {text!r}")
    return int(text)


def argument_parser() -> argparse.ArgumentParser:
    """The command line's options (README's table of options lists each of them).

    Returns
    -------
    argparse.ArgumentParser
        The parser :func:`main` reads its arguments with.
    """
    parser = argparse.ArgumentParser(
        prog="python -m helpers.build",
        description="Build the reports: execute each run of the runs file with papermill and "
        "write its HTML reports and the index.",
        epilog="Paths given as options are relative to the current directory; paths in the "
        "runs file are relative to the project root.",
    )
    parser.add_argument("--only", nargs="+", metavar="RUN", help="build only these runs")
    parser.add_argument(
        "--config",
        type=command_line_path,
        metavar="FILE",
        help="runs file (default: reports.yaml); its paths are relative to the project root",
    )
    parser.add_argument(
        "--output-dir",
        type=command_line_path,
        metavar="DIR",
        help="where reports go (default: reports/)",
    )
    parser.add_argument(
        "--refresh-notebooks",
        action="store_true",
        help="re-execute the report notebooks of notebooks/ in place instead",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every run, even those unchanged since the last build",
    )
    parser.add_argument(
        "--jobs", type=_jobs, help="parallel workers (default: the machine's cores)"
    )
    parser.add_argument(
        "--wait", action="store_true", help="wait for a build already running in the output folder"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build the reports (or refresh the notebooks) as the command line asks; say how it went.

    Problems are one line on standard error (no traceback); progress goes to standard
    output (:mod:`helpers.build.console`).

    Parameters
    ----------
    argv : list of str, optional
        The arguments, without the program's name; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 when every run was built or skipped as unchanged (or the
        notebooks were refreshed); 1 when a run or a notebook refresh failed, or standard
        output was closed; 2 for a bad runs file or ``--only``, an option
        ``--refresh-notebooks`` does not take, a bad ``SOURCE_DATE_EPOCH`` or output
        folder, or a write that failed; 3 when another build holds the output folder; 130
        when interrupted.

    Raises
    ------
    SystemExit
        From ``argparse``: 0 after ``--help``, 2 for a bad option.
    """
    args = argument_parser().parse_args(argv)
    robust_output()
    configure()
    ignored = [
        option
        for option, value in (
            ("--only", args.only),
            ("--config", args.config),
            ("--output-dir", args.output_dir),
            ("--force", args.force),
            ("--jobs", args.jobs),
        )
        if value
    ]
    if args.refresh_notebooks and ignored:
        LOG.error(
            f"error: --refresh-notebooks re-executes the report notebooks in place; "
            f"{', '.join(ignored)} would not apply (only --wait does)"
        )
        return 2
    try:
        if args.refresh_notebooks:
            refresh_notebooks(wait=args.wait)
            return 0
        results = build(
            load_config(args.config) if args.config else None,
            args.output_dir,
            args.only,
            force=args.force,
            jobs=args.jobs,
            wait=args.wait,
        )
    except (ConfigError, SetupError, FolderBusy, RefreshFailed) as exc:
        LOG.error(f"error: {exc}")
        return 3 if isinstance(exc, FolderBusy) else 1 if isinstance(exc, RefreshFailed) else 2
    except BrokenPipeError:  # the reader of the progress lines went away (| head)
        output_closed()
        return 1
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        LOG.error(f"error: cannot write{where}: {exc.strerror or exc}")
        return 2
    except KeyboardInterrupt:
        LOG.error(
            "interrupted: the last good reports are kept; the next build clears what this one left"
        )
        return 130
    failed = [r for r in results if r.status != "ok"]
    if failed:
        LOG.error(f"\n{len(failed)} of {len(results)} report run(s) failed:")
        for r in failed:
            LOG.error(f"  - {r.name} ({r.notebook}): {indent(r.error)}")
        return 1
    rebuilt = sum(r.rebuilt for r in results)
    LOG.info(f"{rebuilt} report run(s) built, {len(results) - rebuilt} unchanged and skipped.")
    return 0
