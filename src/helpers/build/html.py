"""A notebook as HTML: the full and reviewer versions, each headed by its run's title, a small
table about the run and the navigation bar, with a table of contents and searchable tables.

The page's only H1 is the run's title (``reports.yaml``): the notebook's own H1, the title
of the notebook rather than of the run (the sensitivity runs share one), moves to the
header's table beside the notebook's name (:func:`take_title`). Under the title, the table
names the run, the notebook, the parameters the run sets, in the words of
:mod:`helpers.report.params` and of the choices' own labels, and the data's checksum. The
navigation bar's place is left empty here; :mod:`helpers.build.nav` fills it at the end of
the build.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Mapping
from pathlib import Path

from helpers.analysis.meta import TEST_NAMES
from helpers.analysis.pooling import (
    MODEL_NAMES,
    OUTCOME_LABELS,
    UNIT_LABELS,
    UNKNOWN_LABELS,
    Settings,
)
from helpers.build import nav, searchable
from helpers.build.config import BUILD_PARAMETERS, Run, take_title
from helpers.data.escape import html as esc
from helpers.report.params import PARAMETERS, parameters_in_words

__all__ = [
    "CHOICE_WORDS",
    "TAG",
    "TEMPLATES",
    "add_header",
    "add_tables",
    "add_toc",
    "header",
    "parameter_words",
    "to_html",
]

TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"


#: An HTML tag, quoted attribute values included.
TAG = r"""<(?:[^>"']|"[^"]*"|'[^']*')*>"""


def add_toc(html: str) -> str:
    """Insert a table of contents built from the report's own h2/h3 headings and their ids.

    Parameters
    ----------
    html : str
        A page as nbconvert writes it: headings ``<h2 id="...">`` and ``<h3 id="...">``
        with an anchor link, and a ``<main>`` element.

    Returns
    -------
    str
        The page with ``<nav class="report-toc">`` at the start of ``<main>``: an ordered
        list of the h2 headings, each with its h3 headings in a nested list. Unchanged when
        it has no such heading.
    """
    headings = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', html, flags=re.S)
    if not headings:
        return html
    # h3 headings nest in a list inside the h2 item before them, so the numbers count h2 only
    items, open_sub = [], False
    for level, anchor, text in headings:
        # the heading's text without its tags (a quoted attribute may hold a ">")
        link = f'<a href="#{anchor}">{re.sub(TAG, "", text)}</a>'
        if level == "3" and items:
            items.append(("" if open_sub else "<ul>") + f'<li class="level-3">{link}</li>')
            open_sub = True
            continue
        items.append(
            ("</ul>" if open_sub else "")
            + ("</li>" if items else "")
            + f'<li class="level-{level}">{link}'
        )
        open_sub = False
    items.append(("</ul>" if open_sub else "") + "</li>")
    nav = (
        '<nav class="report-toc" aria-label="Contents"><strong>Contents</strong>'
        f"<ol>{''.join(items)}</ol></nav>"
    )
    return html.replace("<main>", "<main>\n" + nav, 1)


#: The words of each choice parameter's values, from the modules that define the choices.
#: The meta-analysis settings (:class:`helpers.analysis.pooling.Settings`), whose flags are said
#: in the settings' own words.
_SETTINGS = frozenset(inspect.signature(Settings).parameters)

CHOICE_WORDS = {
    "outcome": OUTCOME_LABELS,
    "unknown": UNKNOWN_LABELS,
    "unit": UNIT_LABELS,
    "method": MODEL_NAMES,
    "test": TEST_NAMES,
}


def _shown_value(value) -> str:
    """A parameter's value as ``reports.yaml`` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def parameter_words(name: str, value) -> str:
    """What a parameter's value means, in the words the project defines once.

    Parameters
    ----------
    name : str
        A parameter of :data:`helpers.report.params.PARAMETERS`.
    value : object
        Its value.

    Returns
    -------
    str
        For a choice (:data:`CHOICE_WORDS`), the words of the value; otherwise the
        parameter's help. Plain text, not escaped.

    Examples
    --------
    >>> parameter_words("unknown", "exclude")
    'patients with unknown response are left out'
    """
    words = CHOICE_WORDS.get(name, {})
    if isinstance(value, str) and value in words:
        return words[value]
    if isinstance(value, bool) and name in _SETTINGS:  # a flag: the phrase the settings say
        phrases = parameters_in_words({name: value})
        if phrases:
            return "; ".join(phrases)
    spec = PARAMETERS.get(name)
    return spec.help if spec is not None else ""


def header(
    title: str,
    run: Run | None = None,
    notebook_title: str = "",
    checksum: str = "",
) -> str:
    """A page's header: the navigation bar's place, the run's title as H1, and a table about
    the run.

    Parameters
    ----------
    title : str
        The run's title.
    run : Run, optional
        The run: its name, notebook and the parameters it sets (those the build sets itself,
        :data:`helpers.build.config.BUILD_PARAMETERS`, left out). Without it, no table.
    notebook_title : str
        The notebook's own H1 (:func:`take_title`), shown beside its name.
    checksum : str
        The SHA-256 of the run's data.

    Returns
    -------
    str
        ``<header class="report-header">``, every text escaped.
    """
    rows = []
    if run is not None:
        notebook = f"<code>{esc(run.notebook.name)}</code>"
        if notebook_title and notebook_title != title:
            notebook += f" · {esc(notebook_title)}"
        shown = {k: v for k, v in run.parameters.items() if k not in BUILD_PARAMETERS}
        if shown:
            items = "".join(
                f'<li><span class="param-name">{esc(name.replace("_", " "))}</span> '
                f"<code>{esc(_shown_value(value))}</code>: {esc(parameter_words(name, value))}</li>"
                for name, value in shown.items()
            )
            parameters = f"<ul>{items}</ul>"
        else:
            parameters = "none set: the notebook's defaults"
        rows = [
            ("Report", f"<code>{esc(run.name)}</code>"),
            ("Notebook", notebook),
            ("Parameters", parameters),
        ]
    if checksum:
        rows.append(("Data checksum (SHA-256)", f"<code>{esc(checksum)}</code>"))
    table = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return (
        '<header class="report-header">'
        f"{nav.START}{nav.END}"
        f'<h1 id="report-title">{esc(title)}</h1>'
        + (f'<table class="report-about">{table}</table>' if table else "")
        + "</header>"
    )


def add_header(html: str, head: str) -> str:
    """Put a header (:func:`header`) at the start of the page's ``<main>``.

    Parameters
    ----------
    html : str
        A page with a ``<main>`` element.
    head : str
        The header's HTML.

    Returns
    -------
    str
        The page with ``head`` first in ``<main>``, before the table of contents.
    """
    return html.replace("<main>", "<main>\n" + head, 1)


def add_tables(html: str) -> str:
    """Box every table of the page and make the large ones searchable
    (:func:`helpers.build.searchable.make_searchable`), with DataTables embedded once when
    one is.

    Parameters
    ----------
    html : str
        A page with ``<main>``, ``</head>`` and ``</body>``.

    Returns
    -------
    str
        The page; DataTables' style sheet before ``</head>`` and its script before
        ``</body>`` only when a table was marked.
    """
    html, marked = searchable.make_searchable(html)
    if not marked:
        return html
    head, body = searchable.bundle()
    html = html.replace("</head>", head + "\n</head>", 1)
    at = html.rfind("</body>")
    return html[:at] + body + "\n" + html[at:]


def _replace_text(nb, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the notebook's code, stream outputs and text outputs,
    in place."""
    if not old:
        return
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        cell.source = cell.source.replace(old, new)
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output["text"] = output["text"].replace(old, new)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = value.replace(old, new)


def to_html(
    nb,
    title: str,
    reviewer: bool,
    run: Run | None = None,
    checksum: str = "",
    replace: Mapping[str, str] | None = None,
) -> str:
    """A notebook as an HTML page: the header, the table of contents, searchable tables.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook (not changed).
    title : str
        The page's title and only H1: the run's title.
    reviewer : bool
        The reviewer's version: code cells' input and the prompts hidden, outputs kept.
    run : Run, optional
        The run, for the header's table (:func:`header`).
    checksum : str
        The SHA-256 of the run's data, for the header's table.
    replace : mapping of str to str, optional
        Texts replaced in the code cells' input and in the text of their outputs (the build's
        staging folder by the run's own, so no internal path is shown).

    Returns
    -------
    str
        The page, from the project's ``offline`` nbconvert template (:data:`TEMPLATES`), with
        :func:`add_toc`, :func:`add_tables` and :func:`add_header` applied.
    """
    from nbconvert import HTMLExporter  # imported here: the command line starts without it

    shown = copy.deepcopy(nb)
    own = take_title(shown)
    for old, new in (replace or {}).items():
        _replace_text(shown, old, new)
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    if reviewer:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(shown, resources={"metadata": {"name": title}})
    body = add_tables(add_toc(body))
    return add_header(body, header(title, run, own, checksum))
