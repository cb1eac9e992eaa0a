"""The navigation bar of every report page: the index, the previous and next report, this run's
versions and the files it wrote.

A run's pages are written when it executes, with an empty bar between :data:`START` and
:data:`END`. The bar is filled at the end of every build, for every run of the runs file
whose pages exist, executed in this build or not (:func:`write_navigation`). So the order of
the runs file, the titles of the neighbours and the files present never go stale: a change
to ``reports.yaml`` that leaves a run itself unchanged (its fingerprint) still gives its pages
the right neighbours, and every link of a bar leads to a file that is there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from helpers.build.config import Run
from helpers.build.files import inside, write_file
from helpers.data.escape import html as esc

__all__ = [
    "END",
    "PAGES",
    "PDF_SUFFIX",
    "START",
    "VERSIONS",
    "nav_bar",
    "run_files",
    "set_nav",
    "write_navigation",
]

#: Where a page's bar begins and ends: the build fills what lies between.
START = "<!-- report-nav -->"
END = "<!-- /report-nav -->"

#: The PDF of a run's reviewer page (printed by the build beside its HTML).
PDF_SUFFIX = "-reviewer.pdf"

#: The versions of a run, in the bar's order: key, the words shown.
VERSIONS = (
    ("full", "full (code shown)"),
    ("reviewer", "reviewer (code hidden)"),
    ("notebook", "notebook (.ipynb)"),
    ("pdf", "PDF"),
)

#: The page versions that carry a bar.
PAGES = ("full", "reviewer")


def run_files(run: Run) -> dict[str, str]:
    """Every version of a run, relative to the output folder.

    Parameters
    ----------
    run : Run
        The run.

    Returns
    -------
    dict
        :attr:`Run.files` (``notebook``, ``full``, ``reviewer``) and ``pdf``, the reviewer
        page's PDF.
    """
    return dict(run.files) | {"pdf": f"{run.folder}/{run.name}{PDF_SUFFIX}"}


def _href(target: str, page: str) -> str:
    """The link from the page ``page`` to ``target`` (both relative to the output folder),
    quoted for an ``href``."""
    relative = os.path.relpath(target, os.path.dirname(page) or ".")
    return esc(quote(Path(relative).as_posix()))


def _written(output_dir: Path, run: Run) -> list[str]:
    """The files a run wrote besides its versions, relative to the output folder, sorted;
    hidden files (a write under way) and a failed execution's notebook left out."""
    folder = output_dir / run.folder
    versions = {Path(f).name for f in run_files(run).values()}
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and not any(part.startswith(".") for part in relative.parts)
            and not (len(relative.parts) == 1 and path.name in versions)
            and not path.name.endswith(".failed.ipynb")
        ):
            found.append(f"{run.folder}/{relative.as_posix()}")
    return sorted(found)


def nav_bar(
    runs: Sequence[Run], index: int, version: str, output_dir: Path, index_page: str = "index.html"
) -> str:
    """The bar of one page of one run.

    Parameters
    ----------
    runs : sequence of Run
        Every run whose pages exist, in the order of the runs file.
    index : int
        The position of the page's run in ``runs``.
    version : {"full", "reviewer"}
        The page's version; the previous and next links lead to the same version.
    output_dir : Path
        The output folder: a version or a file is linked only when it is there.
    index_page : str
        The index, relative to the output folder.

    Returns
    -------
    str
        ``<nav class="report-nav">``: the index; the previous and the next run (titled), when
        there is one; this run's versions that exist (the page's own marked
        ``aria-current="page"``); the files the run wrote, in a ``<details>`` list. Every
        text escaped, every link quoted.
    """
    run = runs[index]
    page = run.files[version]
    links = [f'<a class="nav-index" href="{_href(index_page, page)}">All reports</a>']
    for rel, where, arrow in (("prev", index - 1, "←"), ("next", index + 1, "→")):
        if 0 <= where < len(runs):
            other = runs[where]
            words = esc(other.title or other.name)
            text = f"{arrow} {words}" if rel == "prev" else f"{words} {arrow}"
            links.append(
                f'<a class="nav-{rel}" rel="{rel}" data-run="{esc(other.name)}" '
                f'href="{_href(other.files[version], page)}">{text}</a>'
            )
    parts = [f'<div class="nav-runs">{"".join(links)}</div>']
    versions = []
    for key, words in VERSIONS:
        target = run_files(run)[key]
        if (output_dir / target).is_file():
            current = ' aria-current="page"' if key == version else ""
            versions.append(
                f'<a class="nav-version" data-version="{key}"{current} '
                f'href="{_href(target, page)}">{esc(words)}</a>'
            )
    parts.append(f'<div class="nav-versions">This report: {" · ".join(versions)}</div>')
    written = _written(output_dir, run)
    if written:
        items = "".join(
            f'<li><a class="nav-file" href="{_href(f, page)}">'
            f"{esc(f[len(run.folder) + 1 :])}</a></li>"
            for f in written
        )
        parts.append(
            f'<details class="nav-files"><summary>Files this run wrote ({len(written)})</summary>'
            f"<ul>{items}</ul></details>"
        )
    return f'<nav class="report-nav" aria-label="Reports">{"".join(parts)}</nav>'


def set_nav(page: str, bar: str) -> str | None:
    """The page with its bar replaced by ``bar``.

    Parameters
    ----------
    page : str
        A report page, holding :data:`START` and :data:`END` once.
    bar : str
        The bar's HTML.

    Returns
    -------
    str or None
        The page with ``bar`` between the markers; None when the page has no place for a bar
        (not written by this build).

    Examples
    --------
    >>> set_nav(f"<main>{START}old{END}</main>", "new")
    '<main><!-- report-nav -->new<!-- /report-nav --></main>'
    >>> set_nav("<main></main>", "new") is None
    True
    """
    start = page.find(START)
    end = page.find(END, start + len(START))
    if start < 0 or end < 0:
        return None
    return page[: start + len(START)] + bar + page[end:]


def write_navigation(runs: Sequence[Run], output_dir: Path) -> int:
    """Fill the bar of every page of every run whose pages exist.

    Parameters
    ----------
    runs : sequence of Run
        Every run of the runs file, in its order (not only those this build executed).
    output_dir : Path
        The output folder.

    Returns
    -------
    int
        How many pages were written; a page whose content is unchanged is left untouched, a
        page without a place for the bar is skipped.

    Raises
    ------
    SetupError
        When a run's page would lie outside the output folder.
    """
    written = 0
    for version in PAGES:
        present = [r for r in runs if (output_dir / r.files[version]).is_file()]
        for i, run in enumerate(present):
            path = inside(output_dir, output_dir / run.files[version])
            page = path.read_text(encoding="utf-8")
            new = set_nav(page, nav_bar(present, i, version, output_dir))
            if new is not None and new != page:
                write_file(output_dir, path, new)
                written += 1
    return written
