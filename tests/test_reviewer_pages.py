"""Every built reviewer page reads as a report: no machine noise.

A reviewer page is what a journal reviewer opens. It must show no code, no object reprs
(``Review(...)``, ``Settings(...)``, ``<... at 0x...>``), no internal paths (``.staging``,
the machine's folders), no raw dicts or lists, no ``NaN``, no pandas elision, no 15-digit
floats and no snake_case headers. The patterns are checked on the visible text of every
reviewer page of the full build (``tests/conftest.py``'s ``full_build``), so a new
report or a new table is checked without a test naming it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers.data.paths import PROJECT_ROOT

#: Patterns of the visible text, each with what it means.
NOISE = {
    r"\b[A-Z][A-Za-z]+\((?:[a-z_]+(?:=| ')|'|\")": "an object's repr (Name(field=... or Name('...)",
    r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>": "an object's default repr",
    r"\.staging": "the build's staging folder",
    r"\{'|\{\"": "a raw dict",
    r"\['|\[\"": "a raw list",
    r"\bNaN\b|\bNaT\b|<NA>": "a missing value as pandas prints it",
    r"\b\d+\.\d{6,}\b": "a float with six or more decimals",
    r"\bdtype[:=]|\bLength: \d+": "a pandas Series repr",
    r"Traceback \(most recent call last\)": "a traceback",
    r"No description has been provided for this image": "an image without alt text",
    r"(?<![\d/.,])(?<!Table )(?<!Figure )(?<!row )\b1 (?:numbers|patients|studies|weeks|months|"
    r"days|years|events|records|reports|lesions|claims|groups|figures|runs|rows|sessions)\b": (
        "a plural after one"
    ),
}


#: Alt text that says nothing about the image.
NOISE_ALT = r"No description has been provided|^(image|figure|plot|output)$"


class _Page(HTMLParser):
    """The visible text of a page, its header cells and its cells, as the browser shows them."""

    SKIP = frozenset({"script", "style", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.headers, self.cells, self.code = [], [], [], 0
        self.images = []  # each image's alt text (inline SVG: its aria-label)
        self._skip, self._in_thead, self._cell, self._svg = 0, 0, None, 0

    def _in_svg(self) -> bool:
        return self._svg > 0

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in self.SKIP:
            self._skip += 1
        if tag == "thead":
            self._in_thead += 1
        if tag in ("th", "td"):
            self._cell = (tag, self._in_thead > 0, [])
        if tag == "img" or (tag == "svg" and not self._in_svg()):
            self.images.append(
                (dict(attrs).get("alt") or dict(attrs).get("aria-label") or "").strip()
            )
        if tag == "svg":
            self._svg += 1
        names = set(classes.split())
        # a code cell that shows its input, or a code block highlighted as Python
        if ("jp-CodeCell" in names and "jp-mod-noInput" not in names) or "hl-ipython3" in names:
            self.code += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
        if tag in self.SKIP:
            self._skip -= 1
        if tag == "thead":
            self._in_thead -= 1
        if tag in ("th", "td") and self._cell is not None:
            kind, in_head, parts = self._cell
            text = " ".join("".join(parts).split())
            (self.headers if kind == "th" else self.cells).append((in_head, text))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell[2].append(data)


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def reviewer_pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("runs/*/*-reviewer.html"))


@pytest.fixture(scope="module")
def pages(full_build) -> dict[str, _Page]:
    found = reviewer_pages(full_build)
    assert found, "the full build wrote no reviewer page"
    return {p.name: _read(p) for p in found}


def noise(name: str, page: _Page) -> list[str]:
    """Every match of :data:`NOISE` and every internal path in a page's visible text."""
    text = " ".join(" ".join(page.text).split())
    problems = [
        f"{name}: {meaning}: …{text[max(0, m.start() - 50) : m.end() + 50]}…"
        for pattern, meaning in NOISE.items()
        for m in re.finditer(pattern, text)
    ]
    return problems + [
        f"{name}: an internal path ({folder})"
        for folder in sorted({str(PROJECT_ROOT), "/tmp/", "/home/", "/work/"})
        if folder in text
    ]


def identifiers(name: str, page: _Page) -> list[str]:
    """Header cells that hold an identifier (a column header) or are one (a row label)."""
    identifier = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
    return [
        f"{name}: header {text!r}"
        for in_head, text in page.headers
        if (in_head and identifier.search(text)) or identifier.fullmatch(text)
    ]


def test_no_reviewer_page_shows_machine_noise(pages):
    problems = [p for name, page in pages.items() for p in noise(name, page)]
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def test_every_image_says_what_it_shows(pages):
    problems = [
        f"{name}: image {i + 1} has alt text {alt!r}"
        for name, page in pages.items()
        for i, alt in enumerate(page.images)
        if len(alt) < 20 or re.search(NOISE_ALT, alt)
    ]
    assert not problems, "\n".join(problems[:40])


def test_no_reviewer_page_shows_code(pages):
    assert {name: page.code for name, page in pages.items() if page.code} == {}


def test_headers_are_words_not_identifiers(pages):
    problems = [p for name, page in pages.items() for p in identifiers(name, page)]
    assert not problems, "\n".join(problems[:40])


def test_no_cell_is_a_pandas_placeholder(pages):
    # ("None" is not one: Table 2 prints it for no adverse events; the tables write a
    # missing value as "–")
    placeholders = {"nan", "NaN", "<NA>", "NaT", "...", "…", "True", "False"}
    problems = [
        f"{name}: a cell reads {text!r}"
        for name, page in pages.items()
        for _, text in page.cells + page.headers
        if text in placeholders
    ]
    assert not problems, "\n".join(problems[:40])


# ----------------------------------------------------------------- the checks themselves


def _parsed(html: str) -> _Page:
    page = _Page()
    page.feed(f"<html><body>{html}</body></html>")
    return page


@pytest.mark.parametrize(
    "html",
    [
        "<p>Review(edition 'paper': 40 studies)</p>",
        "<p>Settings(outcome='response')</p>",
        "<pre>&lt;helpers.x.Y object at 0x7f00deadbeef&gt;</pre>",
        "<p>output_dir = 'reports/.staging/new/x'</p>",
        "<p>{'a': 1}</p>",
        "<p>['reports_excluded = 3']</p>",
        "<td>NaN</td>",
        "<td>0.812000</td>",
        "<p>No description has been provided for this image</p>",
        "<p>data from /tmp/pytest-1/data</p>",
        "<p>1 numbers: 0 reproduced</p>",
        "<p>1 of 1 patients had a response</p>",
    ],
)
def test_the_noise_check_catches_each_kind(html):
    assert noise("page", _parsed(html))


def test_the_alt_text_is_read_from_images_and_inline_svg():
    page = _parsed(
        '<img alt="A forest plot of 3 studies"><svg aria-label="Evidence map"><svg/></svg>'
    )
    assert page.images == ["A forest plot of 3 studies", "Evidence map"]


def test_the_noise_check_passes_a_report_in_words():
    html = (
        "<h1>Report</h1><p>73.1% [60.2–83.0%] of 48 patients; see Table 2 (“...”); "
        "Table 1 records 1/5 complete; 1 patient, 11 patients.</p>"
    )
    assert noise("page", _parsed(html)) == []


@pytest.mark.parametrize(
    ("html", "caught"),
    [
        ("<table><thead><tr><th>time_to_first_improvement</th></tr></thead></table>", True),
        ("<table><tbody><tr><th>er_yag_laser</th><td>1</td></tr></tbody></table>", True),
        ("<table><thead><tr><th>Time to first improvement</th></tr></thead></table>", False),
        ("<table><tbody><tr><th>table2-er_yag-n</th><td>1</td></tr></tbody></table>", False),
    ],
)
def test_the_header_check_catches_identifiers(html, caught):
    assert bool(identifiers("page", _parsed(html))) is caught


@pytest.mark.parametrize(
    ("html", "code"),
    [
        ('<div class="jp-Cell jp-CodeCell"><pre>x = 1</pre></div>', 1),
        ('<div class="highlight hl-ipython3"><pre>x = 1</pre></div>', 1),
        ('<div class="jp-Cell jp-CodeCell jp-mod-noInput"><p>output</p></div>', 0),
        ('<div class="jp-InputArea"><p>a Markdown cell</p></div>', 0),
    ],
)
def test_the_code_check_sees_code_and_only_code(html, code):
    assert _parsed(html).code == code
