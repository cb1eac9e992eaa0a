"""The reviewer report printed to PDF by Chromium (Debian's ``chromium``, driven by Playwright).

Each run's ``<name>-reviewer.html`` is printed to ``<name>-reviewer.pdf`` in its staging
folder, before the swap (:func:`helpers.build.execute.execute_run`), so a failed print fails
the run like any other step and no half-written report appears.

- **One browser per process.** Chromium is launched the first time a process prints and
  kept for the process's other runs (a build's worker prints several reports); it is closed
  when the process ends. Each print opens a fresh page. Playwright runs in a thread of its
  own, so printing works in any process, one with a running event loop (a Jupyter kernel,
  a test session that drives a browser of its own) too.
- **What is printed** is the page as a reader without JavaScript sees it: JavaScript off (an
  enhanced table prints as the plain table it falls back to, every row of it), no network
  at all, the print style sheet of the report template (``<style media="print">``: rows,
  figures and outputs not split across pages, headings kept with what follows, background
  colours printed), and each table too wide for the paper given smaller type
  (:func:`fit_for_print`).
- **The page**: A4, margins of :data:`MARGINS`, the run's title in the header (escaped) and
  "page n of m" in the footer. Not a tagged PDF, and so without bookmarks (Chromium builds
  them from the tags): a tagged PDF names each structure element by the DOM node's id in
  the browser (``/ID (node00000096)``), which depends on the pages the browser showed
  before, so the same report printed by another build's worker differs; the reviewer
  HTML is the accessible version, with its table of contents.
- **Same inputs, same bytes.** Untagged, Chromium writes the time of printing into the
  document's information (``/CreationDate`` and ``/ModDate``) and nothing else that varies;
  :func:`normalise` blanks both (same length, so the file's offsets hold), so the PDF,
  like the HTML, carries no date.

Chromium missing: :func:`check_chromium` raises :class:`~helpers.data.errors.SetupError`
with the command that installs it (``make report`` installs it when it can).
"""

from __future__ import annotations

import atexit
import html
import queue
import re
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

from helpers.data.errors import SetupError

__all__ = [
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "INSTALL_HINT",
    "MARGINS",
    "MIN_SCALE",
    "PAPER",
    "PAPER_WIDTH_MM",
    "PRINT_WIDTH_PX",
    "SIDE_MM",
    "TIMEOUT_MS",
    "TOP_MM",
    "check_chromium",
    "fit_for_print",
    "footer_template",
    "header_template",
    "normalise",
    "print_pdf",
]

#: Debian's Chromium (the ``chromium`` package).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for Debian's Chromium on a machine without network or GPU (the tests' browser too).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install Debian's Chromium: `apt-get install chromium` (make report does it)"
#: The paper, and its width in millimetres.
PAPER = "A4"
PAPER_WIDTH_MM = 210
#: Page margins in millimetres; the header and footer are printed inside the top and bottom ones.
SIDE_MM = 14
TOP_MM = 16
MARGINS = {
    "top": f"{TOP_MM}mm",
    "bottom": f"{TOP_MM}mm",
    "left": f"{SIDE_MM}mm",
    "right": f"{SIDE_MM}mm",
}
#: How long one page may take to load and print, in milliseconds.
TIMEOUT_MS = 120_000
#: The width Chromium lays a page out in when it prints it: the paper less the side margins,
#: in CSS pixels (96 to the inch).
PRINT_WIDTH_PX = int((PAPER_WIDTH_MM - 2 * SIDE_MM) * 96 / 25.4)
#: A table's type is never made smaller than this share of its size; a table still too wide
#: then has its words broken anywhere.
MIN_SCALE = 0.5

#: Run in the page, laid out for print: each outermost table wider than the room it has (to
#: the right edge of its box and of ``main``) gets a smaller font, in a few steps, until it fits
#: (never below MIN_SCALE; padding is in em, so it shrinks too); a table still too wide is
#: marked so the print style sheet breaks its words anywhere. Only the type changes, so the
#: table stays in the page's own layout and its rows break between pages as any other's.
#: Returns what is still wider than the page (tests/test_pdf.py requires nothing).
_FIT = """(minScale) => {
  const main = document.querySelector('main') || document.body;
  for (const table of document.querySelectorAll('table')) {
    if (table.parentElement.closest('table')) continue;
    const left = table.getBoundingClientRect().left;
    const room = Math.min(table.parentElement.clientWidth,
                          main.getBoundingClientRect().right - left);
    const size = parseFloat(getComputedStyle(table).fontSize);
    let wide = table.getBoundingClientRect().width;
    let scale = 1;
    for (let step = 0; step < 4 && room > 0 && wide > room + 0.5 && scale > minScale; step++) {
      scale = Math.max(minScale, Math.floor(100 * scale * room / wide) / 100);
      table.style.fontSize = (size * scale).toFixed(2) + 'px';
      wide = table.getBoundingClientRect().width;
    }
    if (room > 0 && wide > room + 0.5) table.setAttribute('data-print-fit', 'wrap');
  }
  const page = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > page + 0.5)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))
    .slice(0, 10);
}"""

_BAND = (
    f"width:100%;margin:0 {SIDE_MM}mm;font-family:sans-serif;font-size:8px;color:#555;"
    "display:flex;justify-content:space-between;gap:4mm"
)
#: The time of printing in the document's information: ``/CreationDate (D:20240624...)``.
_DATES = re.compile(rb"/(?:CreationDate|ModDate) ?\(D:[0-9]{4,14}(?:[Z+-][0-9']*)?\)")


def check_chromium() -> str:
    """The Chromium the build prints with, checked to be there.

    Returns
    -------
    str
        Its path (:data:`CHROMIUM`).

    Raises
    ------
    SetupError
        When it is not installed, naming how to install it.
    """
    if not Path(CHROMIUM).is_file():
        raise SetupError(
            f"Chromium is needed to print the reviewer reports to PDF and {CHROMIUM} is not "
            f"there: {INSTALL_HINT}"
        )
    return CHROMIUM


def header_template(title: str) -> str:
    """The band printed at the top of every page: the run's title.

    Parameters
    ----------
    title : str
        The run's title (``reports.yaml``), any text.

    Returns
    -------
    str
        HTML for Chromium's header template, the title escaped.

    Examples
    --------
    >>> "&lt;b&gt;" in header_template("<b>")
    True
    """
    return f'<div style="{_BAND}"><span>{html.escape(title)}</span></div>'


def footer_template(name: str) -> str:
    """The band printed at the bottom of every page: the run's name and the page number.

    Parameters
    ----------
    name : str
        The run's name.

    Returns
    -------
    str
        HTML for Chromium's footer template, the name escaped; Chromium fills in the
        ``pageNumber`` and ``totalPages`` elements.
    """
    return (
        f'<div style="{_BAND}"><span>{html.escape(name)}</span>'
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        "</div>"
    )


def normalise(pdf: bytes) -> bytes:
    """A PDF's time of printing blanked: the same report printed twice gives the same bytes.

    Parameters
    ----------
    pdf : bytes
        A PDF as Chromium prints it.

    Returns
    -------
    bytes
        The same PDF with each ``/CreationDate`` and ``/ModDate`` entry of its information
        dictionary replaced by as many spaces (white space between a dictionary's entries
        is allowed, and the length, so every offset in the cross-reference table, is kept).

    Examples
    --------
    >>> info = b"<</Title (t) /CreationDate (D:20240624101500+00'00')>>"
    >>> normalise(info).split()
    [b'<</Title', b'(t)', b'>>']
    >>> len(normalise(info)) == len(info)
    True
    """
    return _DATES.sub(lambda m: b" " * len(m.group()), pdf)


def fit_for_print(page) -> list[str]:
    """Lay a page out as Chromium prints it, and shrink each table too wide for the paper to fit.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The report, loaded.

    Returns
    -------
    list of str
        The elements still wider than the paper (tag and id; at most 10): empty when nothing
        is cut off at the page's edge.
    """
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1000})
    return page.evaluate(_FIT, MIN_SCALE)


class _Printer:
    """A headless Chromium and a context without JavaScript or network, started once, in a
    thread of its own (Playwright's synchronous API refuses a thread with a running event
    loop, or one already driving another Playwright)."""

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="pdf-printer", daemon=True)
        self._thread.start()
        try:
            self._call(self._start)
        except BaseException:
            self._jobs.put(None)
            raise

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, args, done = job
            try:
                done.set_result(function(*args))
            except BaseException as exc:  # handed to the caller, raised there
                done.set_exception(exc)

    def _call(self, function, *args):
        done: Future = Future()
        self._jobs.put((function, args, done))
        return done.result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright  # the command line starts without it

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=check_chromium(), args=CHROMIUM_FLAGS
            )
            self._context = self._browser.new_context(java_script_enabled=False, offline=True)
        except BaseException:
            self._playwright.stop()
            raise

    def _print(self, source: Path, title: str, name: str) -> bytes:
        page = self._context.new_page()
        try:
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(source.resolve().as_uri(), wait_until="load")
            fit_for_print(page)
            return page.pdf(
                format=PAPER,
                margin=MARGINS,
                print_background=True,
                display_header_footer=True,
                header_template=header_template(title),
                footer_template=footer_template(name),
                tagged=False,  # see the module's docstring: tags are not reproducible
            )
        finally:
            page.close()

    def _stop(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def print(self, source: Path, title: str, name: str) -> bytes:
        return self._call(self._print, source, title, name)

    def close(self) -> None:
        try:
            self._call(self._stop)
        finally:
            self._jobs.put(None)
            self._thread.join(timeout=30)


_PRINTER: list[_Printer] = []  # this process's printer, once started


def _printer() -> _Printer:
    if not _PRINTER:
        check_chromium()
        _PRINTER.append(_Printer())
    return _PRINTER[0]


@atexit.register
def _close() -> None:
    while _PRINTER:
        _PRINTER.pop().close()


def print_pdf(source: Path, target: Path, title: str, name: str) -> Path:
    """Print a report page to PDF with this process's Chromium (started on first use).

    Parameters
    ----------
    source : Path
        The HTML page (the run's reviewer report).
    target : Path
        The PDF to write; the caller checks it lies where the build may write.
    title : str
        The run's title, printed at the top of each page.
    name : str
        The run's name, printed at the bottom of each page with the page number.

    Returns
    -------
    Path
        ``target``, written (:func:`normalise`\\ d).

    Raises
    ------
    SetupError
        When Chromium is not installed (:func:`check_chromium`).
    playwright.sync_api.Error
        When Chromium fails to load or print the page (or takes longer than
        :data:`TIMEOUT_MS`); the printer is closed, and the next print starts another.
    """
    printer = _printer()
    try:
        data = printer.print(Path(source), title, name)
    except Exception:
        try:  # a browser that failed once is not trusted with the next report
            _close()
        except Exception:  # the print's own error is the one to report
            pass
        raise
    Path(target).write_bytes(normalise(data))
    return Path(target)
