"""The paper's text as one HTML page, every sentence, printed line and table row anchored.

``reports/paper.html`` shows the article's text (:func:`helpers.data.paper.layout`): its
title, its parts as headings, its subheadings, its paragraphs and its Tables 1 and 2.
Each numbered unit carries ``id="s-<n>"``, so the claims audit links every number to the
sentence it comes from (``paper.html#s-15``); a targeted unit is highlighted (CSS
``:target``, no script). Every piece of text is HTML-escaped. The page holds no date and no
random id: the same text gives the same bytes.
"""

from __future__ import annotations

import re

from helpers.data import escape, paper, paths

__all__ = ["PAGE_NAME", "paper_citation", "render"]

#: The page's file name in the reports folder.
PAGE_NAME = "paper.html"

_CSS = """
body { font-family: Georgia, serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.55; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
.source { background: #f4f4f4; padding: .75rem 1rem; font-family: sans-serif; font-size: .9rem; }
.s { scroll-margin-top: 4rem; }
.n { font-family: sans-serif; font-size: .65rem; color: #777; text-decoration: none;
     vertical-align: super; margin-right: .15rem; }
:target { background: #fff2a8; outline: 2px solid #e0b400; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .8rem; font-family: sans-serif; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: .2rem .4rem; text-align: left; vertical-align: top; }
nav { font-family: sans-serif; font-size: .9rem; }
"""


def paper_citation() -> str:
    """The paper's citation, as ``data/raw/README.md`` quotes it (its block quote).

    Returns
    -------
    str
        The quoted lines, folded; the README's text if it holds no block quote.
    """
    readme = (paths.DATA_DIR / "raw" / "README.md").read_text(encoding="utf-8")
    quoted = [line[1:].strip() for line in readme.splitlines() if line.startswith(">")]
    return paper.fold(" ".join(quoted)) or paper.fold(readme)


def _number(unit: paper.Unit) -> str:
    return f'<a class="n" href="#{unit.anchor}">{unit.number}</a>'


def _paragraph(block: paper.Block) -> str:
    spans = " ".join(
        f'<span class="s" id="{u.anchor}">{_number(u)}{escape.html(u.text)}</span>'
        for u in block.units
    )
    return f"<p>{spans}</p>"


def _table(block: paper.Block) -> str:
    width = max(len(u.cells) for u in block.units)
    rows = []
    for u in block.units:
        tag = "th" if u.header else "td"
        cells = list(u.cells) + [""] * (width - len(u.cells))
        first = f"<{tag}>{_number(u)}{escape.html(cells[0])}</{tag}>"
        rest = "".join(f"<{tag}>{escape.html(c)}</{tag}>" for c in cells[1:])
        rows.append(f'<tr class="s" id="{u.anchor}">{first}{rest}</tr>')
    return '<div class="wrap"><table>' + "".join(rows) + "</table></div>"


def render(blocks: tuple[paper.Block, ...] | None = None, source: str | None = None) -> str:
    """The page's HTML.

    Parameters
    ----------
    blocks : tuple of Block, optional
        The text laid out (default: the paper's, :func:`helpers.data.paper.layout`).
    source : str, optional
        The citation stated at the top (default: :func:`paper_citation`).

    Returns
    -------
    str
        A complete HTML document: the title (the first line of the front matter), the
        statement of its source and of how units are numbered, then each passage under its
        heading. Text is escaped; the output depends on nothing but the arguments.
    """
    blocks = paper.layout() if blocks is None else blocks
    source = paper_citation() if source is None else source
    first = next((u for b in blocks for u in b.units), None)
    title = first.text if first is not None else "The paper"
    abbreviations = ", ".join(f"“{a}”" for a in paper.ABBREVIATIONS)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape.html(title)}</title><style>{_CSS}</style></head><body>",
        '<nav><a href="index.html">Reports index</a></nav>',
        f"<h1>{escape.html(title)}</h1>",
        '<div class="source"><p><strong>Source:</strong> '
        f"{escape.html(source)}</p>"
        "<p>The article's text (open access, CC BY 4.0), as vendored in this project. The "
        "numbers beside each sentence, printed line and table row are the project's, not the "
        "paper's: the claims audit links each number it checks to them "
        "(<code>paper.html#s-&lt;n&gt;</code>). Sentences end at a full stop, question or "
        "exclamation mark followed by a capital, a digit, an opening parenthesis or a quote; "
        f"decimals and the abbreviations {escape.html(abbreviations)} and single initials "
        "never end one. The same text always gives the same numbers. The reference list is not "
        "reproduced here.</p></div>",
    ]
    passage = None
    for block in blocks:
        if block.passage != passage:
            passage = block.passage
            slug = re.sub(r"[^a-z0-9]+", "-", passage.lower()).strip("-")
            out.append(f'<h2 id="part-{slug}">{escape.html(passage)}</h2>')
        if block.kind == "subheading":
            out.append(f"<h3>{escape.html(block.title)}</h3>")
        elif block.kind == "table":
            out.append(_table(block))
        else:
            out.append(_paragraph(block))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
