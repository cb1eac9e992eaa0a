"""The report pages' parts, without a build: the title and the table about the run, the
navigation bar (and that it follows reports.yaml), the tables boxed and marked searchable,
DataTables embedded offline. The browser test (tests/test_browser.py) checks the built pages."""

from __future__ import annotations

import base64
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from helpers.build import html, nav, searchable
from helpers.build.config import Run
from helpers.data.paths import NOTEBOOKS_DIR
from helpers.report.params import NOTEBOOK_PARAMETERS, PARAMETERS

HOSTILE = "<script>alert('x')</script> & \"q\""
NOTEBOOK = NOTEBOOKS_DIR / "01_extraction.ipynb"


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the page's text."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def scripts(page: str) -> list[str]:
    return [a.get("type", "") for t, a in Elements(page).tags if t == "script"]


# --- the title and the table about the run ---------------------------------------------


def test_a_hostile_title_notebook_title_and_parameters_are_shown_as_text():
    run = Run("r", NOTEBOOK, {"run_name": HOSTILE, "data_dir": HOSTILE}, HOSTILE)
    head = html.header(HOSTILE, run, notebook_title=HOSTILE + "!", checksum=HOSTILE)
    assert not scripts(head)  # nothing of it became a tag
    parsed = Elements(head)
    text = "".join(parsed.text)
    assert text.count(HOSTILE) == 5, text  # title, notebook title, two values, checksum
    h1 = [t for t, _ in parsed.tags if t == "h1"]
    assert h1 == ["h1"]


def test_the_header_leaves_out_the_build_own_parameters_and_names_the_defaults():
    run = Run("r", NOTEBOOK, {"output_dir": "reports/.staging/new/r"}, "T")
    head = html.header("T", run, checksum="ab" * 32)
    assert "output_dir" not in head and ".staging" not in head and "output dir" not in head
    assert "defaults" in head and "ab" * 32 in head


def choices(name: str) -> tuple | None:
    """The values a choice parameter's check accepts (its ``_choice(allowed)`` closure), or
    None for a parameter that is not a choice."""
    check = PARAMETERS[name].check
    if not check.__qualname__.startswith("_choice."):
        return None
    (allowed,) = (c.cell_contents for c in check.__closure__)
    return tuple(allowed)


def test_every_choice_parameter_has_words_for_each_value_it_accepts():
    found = {name: choices(name) for name in PARAMETERS if choices(name) is not None}
    assert found, "no choice parameter found: the test no longer sees the checks"
    assert set(found) == set(html.CHOICE_WORDS)
    for name, allowed in found.items():
        for value in allowed:
            assert html.parameter_words(name, value) == html.CHOICE_WORDS[name][value]


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_PARAMETERS))
def test_every_parameter_of_every_notebook_has_words(notebook):
    """Every parameter a notebook declares, at its default and at each value it may take."""
    for name in NOTEBOOK_PARAMETERS[notebook]:
        for value in (PARAMETERS[name].default, *(choices(name) or ())):
            words = html.parameter_words(name, value)
            assert words and words.strip() == words, (name, value)


H1_CASES = {
    "# Own title\nText.": ("Own title", "Text."),
    "# Own title #\nText.": ("Own title", "Text."),
    "  # Own title\n# Second": ("Own title", "## Second"),
    "Intro\n# Own title\n## Part": ("Own title", "Intro\n## Part"),
    "```\n# code\n```\n# Own title": ("Own title", "```\n# code\n```"),
    "~~~python\n# code\n~~~\n# Own title": ("Own title", "~~~python\n# code\n~~~"),
    "## Only a section": ("", "## Only a section"),
    "#Not a heading": ("", "#Not a heading"),
    "    # indented code": ("", "    # indented code"),
}


@pytest.mark.parametrize("source", H1_CASES, ids=range(len(H1_CASES)))
def test_the_notebook_h1_is_taken_out_and_later_ones_demoted(source):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("# a comment, not a heading"),
            nbformat.v4.new_markdown_cell(source),
            nbformat.v4.new_markdown_cell("# Another H1"),
        ]
    )
    expected_title, expected_source = H1_CASES[source]
    title = html.take_title(nb)
    # the notebook's first H1 is its title, in whichever cell it is
    assert title == (expected_title or "Another H1")
    assert nb.cells[1].source == expected_source
    assert nb.cells[0].source == "# a comment, not a heading"
    assert nb.cells[2].source == ("## Another H1" if expected_title else "")


def test_every_project_notebook_has_its_own_h1_taken():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        title = html.take_title(nb)
        assert title, path.name
        rendered = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not re.search(r"^# ", rendered, re.M), path.name


def small_notebook(rows: int = searchable.MIN_ROWS) -> nbformat.NotebookNode:
    table = (
        "<table><thead><tr><th>author</th><th>n</th></tr></thead><tbody>"
        + "".join(f"<tr><td>A{i}</td><td>{i}</td></tr>" for i in range(rows))
        + "</tbody></table>"
    )
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Generic title\nText.\n## Part"),
            nbformat.v4.new_code_cell(
                "x = 'reports/.staging/new/r'",
                outputs=[
                    nbformat.v4.new_output(
                        "execute_result", {"text/html": table, "text/plain": "t"}, execution_count=1
                    ),
                    nbformat.v4.new_output("stream", text="wrote reports/.staging/new/r/a.csv\n"),
                ],
                execution_count=1,
            ),
        ]
    )


@pytest.mark.parametrize("reviewer", [False, True])
def test_a_page_has_the_run_title_as_its_only_h1_and_no_staging_path(reviewer):
    nb = small_notebook()
    run = Run("r", NOTEBOOK, {}, HOSTILE)
    page = html.to_html(
        nb,
        HOSTILE,
        reviewer,
        run=run,
        checksum="c" * 64,
        replace={"reports/.staging/new/r": "reports/runs/r"},
    )
    parsed = Elements(page)
    assert [t for t, _ in parsed.tags if t == "h1"] == ["h1"]
    assert "".join(parsed.text).count(HOSTILE) >= 2  # <title> and h1, as text
    assert "<script>alert" not in page
    assert ".staging" not in page
    assert "Generic title" in page  # the notebook's own title, beside its name
    assert nb.cells[0].source.startswith("# Generic title")  # the notebook is not changed
    assert page.index('class="report-header"') < page.index('class="report-toc"')
    assert nav.START in page and nav.END in page
    assert html.to_html(nb, HOSTILE, reviewer, run=run) == html.to_html(
        nb, HOSTILE, reviewer, run=run
    )  # same notebook, same bytes


# --- tables boxed and marked -----------------------------------------------------------

HEADERS = {
    "one row": ("<tr><th>a</th><th>b</th></tr>", True),
    "index names": ("<tr><th></th><th>a</th></tr><tr><th>ref</th><th></th></tr>", True),
    "multi-index columns": (
        '<tr><th></th><th colspan="2">g</th></tr><tr><th></th><th>a</th><th>b</th></tr>',
        False,
    ),
    "two names for a column": ("<tr><th>x</th><th>a</th></tr><tr><th>y</th><th></th></tr>", False),
    "ragged": ("<tr><th>x</th><th>a</th></tr><tr><th>y</th></tr>", False),
    "none": ("", False),
}
BODIES = {
    "plain": (lambda i: f"<tr><th>{i}</th><td>v{i}</td></tr>", True),
    "row span": (
        lambda i: (
            f'<tr><th rowspan="2">g{i}</th><td>v{i}</td></tr>'
            if i % 2 == 0
            else f"<tr><td>v{i}</td></tr>"
        ),
        True,
    ),
    "column span": (lambda i: f'<tr><td colspan="2">v{i}</td></tr>', False),
    "nested table": (
        lambda i: f"<tr><td>{i}</td><td><table><tr><td>x</td></tr></table></td></tr>",
        False,
    ),
}


@pytest.mark.parametrize(
    ("head", "body", "rows"),
    list(itertools.product(HEADERS, BODIES, [0, 1, searchable.MIN_ROWS - 1, searchable.MIN_ROWS])),
)
def test_a_table_is_searchable_when_large_and_simple(head, body, rows):
    head_html, head_ok = HEADERS[head]
    row, body_ok = BODIES[body]
    table = (
        "<table>"
        + (f"<thead>{head_html}</thead>" if head_html else "")
        + "<tbody>"
        + "".join(row(i) for i in range(rows))
        + "</tbody></table>"
    )
    page = f"<html><head></head><body><main><p>t</p>{table}<p>u</p></main></body></html>"
    out, marked = searchable.make_searchable(page)
    expected = head_ok and body_ok and rows >= searchable.MIN_ROWS
    assert marked == int(expected)
    # every table is boxed, and nothing else changes
    assert out.count('<div class="table-box">') == 1
    restored = out.replace('<div class="table-box">', "", 1).replace(
        f"<table {searchable.MARK}=''", "<table"
    )
    assert restored.replace("</table></div>", "</table>", 1) == page


def test_tables_outside_main_are_left_alone_and_stray_tags_ignored():
    page = "<table><tr><td>0</td></tr></table><main></table><table></table><table></table></main>"
    out, _ = searchable.make_searchable(page)
    assert out.count('class="table-box"') == 2
    assert out.startswith("<table><tr>")


def test_the_bundle_is_itables_own_and_fetches_nothing():
    head, body = searchable.bundle()
    script, css = searchable._bundle_files()
    encoded = re.search(r'type="application/octet-stream">([^<]*)</script>', body).group(1)
    assert base64.b64decode(encoded).decode("utf-8") == script
    assert css in head
    for part in (head, body):
        for tag, attrs in Elements(part).tags:
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    assert not re.search(r"@import|url\((?!data:)", css)  # no resource outside the page
    assert "import(url)" in searchable.INIT_SCRIPT and "http" not in searchable.INIT_SCRIPT


@pytest.mark.parametrize("rows", [searchable.MIN_ROWS - 1, searchable.MIN_ROWS])
def test_datatables_is_embedded_only_in_a_page_with_a_searchable_table(rows):
    page = html.to_html(small_notebook(rows), "T", True)
    embedded = 'id="report-tables-bundle"' in page
    assert embedded == (rows >= searchable.MIN_ROWS)
    assert page.count('id="report-tables-bundle"') == int(embedded)


# --- the navigation bar -----------------------------------------------------------------


def fake_build(out: Path, runs: list[Run], extra: dict[str, list[str]] | None = None) -> None:
    """Each run's pages as the build writes them (an empty bar), its notebook, some files."""
    for run in runs:
        folder = out / run.folder
        folder.mkdir(parents=True, exist_ok=True)
        for version in nav.PAGES:
            (out / run.files[version]).write_text(
                f"<main>{html.header(run.title, run)}</main>", encoding="utf-8"
            )
        (out / run.files["notebook"]).write_text("{}", encoding="utf-8")
        for name in (extra or {}).get(run.name, []):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text("x", encoding="utf-8")
    (out / "index.html").write_text("", encoding="utf-8")


def bar_links(page: Path) -> list[dict]:
    text = page.read_text(encoding="utf-8")
    bar = text[text.index(nav.START) : text.index(nav.END)]
    return [a for t, a in Elements(bar).tags if t == "a"]


def check_bars(out: Path, runs: list[Run]) -> None:
    """Every link of every bar resolves; previous and next follow ``runs``; titles shown."""
    for version in nav.PAGES:
        for i, run in enumerate(runs):
            page = out / run.files[version]
            links = bar_links(page)
            for a in links:
                assert (page.parent / unquote(a["href"])).resolve().is_file(), a
            rel = {a.get("rel"): a.get("data-run") for a in links if a.get("rel")}
            assert rel.get("prev") == (runs[i - 1].name if i else None)
            assert rel.get("next") == (runs[i + 1].name if i + 1 < len(runs) else None)
            current = [a for a in links if a.get("aria-current") == "page"]
            assert [a["data-version"] for a in current] == [version]
            text = page.read_text(encoding="utf-8")
            bar = text[text.index(nav.START) : text.index(nav.END)]
            for j in (i - 1, i + 1):
                if 0 <= j < len(runs):
                    assert html.esc(runs[j].title) in bar


def runs_named(*names: str, title: str = "Title of {}") -> list[Run]:
    return [Run(n, NOTEBOOK, {}, title.format(n)) for n in names]


def test_the_bar_follows_reports_yaml_whenever_it_changes(tmp_path):
    """Reordered, retitled, a run removed, a run added: the bars are right after each build,
    though no run was built again."""
    runs = runs_named("a", "b", "c", "d")
    fake_build(tmp_path, runs, {"b": ["figures/f 1.png", "data.csv"]})
    for order in (
        runs,
        runs[::-1],
        [runs[2], runs[0], runs[3]],  # b removed from the runs file (its pages stay on disk)
        runs_named("c", "a", "d", title=HOSTILE + " {}"),  # retitled
    ):
        nav.write_navigation(order, tmp_path)
        check_bars(tmp_path, order)
    # a run whose pages are not there (never built) is no neighbour
    with_missing = [*runs_named("a"), *runs_named("never"), *runs_named("c")]
    nav.write_navigation(with_missing, tmp_path)
    check_bars(tmp_path, [with_missing[0], with_missing[2]])


def test_the_bar_lists_the_run_versions_and_files_that_exist(tmp_path):
    run = runs_named("a")[0]
    files = ["figures/f 1.png", 'odd <name> "q".csv', "sensitivity/a.csv"]
    fake_build(tmp_path, [run], {"a": files})
    nav.write_navigation([run], tmp_path)
    links = bar_links(tmp_path / run.files["reviewer"])
    versions = [a["data-version"] for a in links if "data-version" in a]
    assert versions == ["full", "reviewer", "notebook"]  # no PDF yet
    shown = sorted(unquote(a["href"]) for a in links if a.get("class") == "nav-file")
    assert shown == sorted(files)
    (tmp_path / run.folder / f"a{nav.PDF_SUFFIX}").write_bytes(b"%PDF")
    (tmp_path / run.folder / "a.failed.ipynb").write_text("{}")
    (tmp_path / run.folder / ".a.html.123.tmp").write_text("")
    nav.write_navigation([run], tmp_path)
    links = bar_links(tmp_path / run.files["full"])
    assert [a["data-version"] for a in links if "data-version" in a][-1] == "pdf"
    assert sorted(unquote(a["href"]) for a in links if a.get("class") == "nav-file") == sorted(
        files
    )
    check_bars(tmp_path, [run])
    page = (tmp_path / run.files["full"]).read_text(encoding="utf-8")
    assert "<name>" not in page and "&lt;name&gt;" in page


def test_writing_the_bars_again_changes_nothing(tmp_path):
    runs = runs_named("a", "b")
    fake_build(tmp_path, runs)
    assert nav.write_navigation(runs, tmp_path) == 2 * len(runs)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.html")}
    assert nav.write_navigation(runs, tmp_path) == 0
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*.html")}


def test_a_page_without_a_place_for_the_bar_is_left_alone(tmp_path):
    runs = runs_named("a", "b")
    fake_build(tmp_path, runs)
    (tmp_path / runs[0].files["full"]).write_text("<main>old page</main>", encoding="utf-8")
    nav.write_navigation(runs, tmp_path)
    assert (tmp_path / runs[0].files["full"]).read_text() == "<main>old page</main>"
    assert [a.get("data-run") for a in bar_links(tmp_path / runs[1].files["full"])][1] == "a"
