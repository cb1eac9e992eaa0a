"""A notebook as HTML: the full and reviewer versions, with a table of contents."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["TAG", "TEMPLATES", "add_toc", "to_html"]

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


def to_html(nb, title: str, reviewer: bool) -> str:
    """A notebook as an HTML page, with a table of contents (:func:`add_toc`).

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook.
    title : str
        The page's title.
    reviewer : bool
        The reviewer's version: code cells' input and the prompts hidden, outputs kept.

    Returns
    -------
    str
        The page, from the project's ``offline`` nbconvert template (:data:`TEMPLATES`).
    """
    from nbconvert import HTMLExporter  # imported here: the command line starts without it

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    if reviewer:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return add_toc(body)
