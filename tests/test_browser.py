"""The reports in a real browser: headless Chromium (Debian's package) driven by Playwright.

`make test` installs Debian's `chromium` when it is missing (Makefile, `browser`). The
test builds every report run of reports.yaml into a temporary folder, opens the index and
every report from disk, and checks that each loads without console errors or failed
requests, that every image has rendered, and that every link of the index resolves.
Screenshots go to reports/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from helpers.build import config
from helpers.data.paths import REPORTS_DIR


@pytest.fixture(scope="module")
def built(full_build) -> Path:
    return full_build


@pytest.fixture(scope="module")
def page(chromium):
    pg = chromium.new_page(viewport={"width": 1280, "height": 900})
    pg.problems = []
    pg.on(
        "console",
        lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: pg.problems.append(f"request failed: {r.url[:80]}"))
    yield pg
    pg.close()


def html_files(folder: Path) -> list[Path]:
    return [folder / "index.html"] + sorted(folder.glob("runs/*/*.html"))


def test_every_report_loads_cleanly_with_its_images(built, page):
    shots = REPORTS_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    checked = 0
    for html in html_files(built):
        page.problems.clear()
        page.goto(html.as_uri(), wait_until="load")
        assert not page.problems, f"{html.name}: {page.problems}"
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.alt || i.src.slice(0, 60))"
        )
        assert not broken, f"{html.name}: images not rendered: {broken}"
        page.screenshot(path=str(shots / f"{html.stem}.png"))
        checked += 1
    assert checked == len(html_files(built)) > 2


def test_every_figure_shows_whole_with_its_alt_text_and_is_saved_as_a_screenshot(built, page):
    """Each image of each reviewer page, as the browser draws it: inside the page at 1280 px,
    with alt text that is not nbconvert's default. Each is saved to
    reports/screenshots/figures/ (named after its page), with its alt text in alt.txt, so
    the figures can be looked at as a reviewer sees them."""
    shots = REPORTS_DIR / "screenshots" / "figures"
    shots.mkdir(parents=True, exist_ok=True)
    listed, problems = [], []
    for html in sorted(built.glob("runs/*/*-reviewer.html")):
        page.goto(html.as_uri(), wait_until="load")
        width = page.evaluate("document.documentElement.clientWidth")
        for i, image in enumerate(page.query_selector_all("img")):
            image.scroll_into_view_if_needed()
            box = image.bounding_box()
            alt = image.get_attribute("alt") or ""
            name = f"{html.stem}-{i + 1:02d}.png"
            image.screenshot(path=str(shots / name))
            listed.append(f"{name}\t{alt}")
            if box is None or box["width"] < 100 or box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"{name}: drawn at {box}, page {width} px wide")
            if not alt.strip() or "No description has been provided" in alt:
                problems.append(f"{name}: alt text {alt!r}")
    (shots / "alt.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    assert listed, "no figure in any reviewer page"
    assert not problems, "\n".join(problems)


def test_reports_have_a_table_of_contents_and_no_code(built, page):
    page.goto(
        (built / "runs" / "04_meta_analysis" / "04_meta_analysis-reviewer.html").as_uri(),
        wait_until="load",
    )
    toc = page.evaluate(
        "Array.from(document.querySelectorAll('nav.report-toc a')).map(a => a.getAttribute('href'))"
    )
    assert len(toc) >= 5
    for href in toc:  # every entry leads to a heading of the page
        assert page.evaluate(
            f"document.getElementById(decodeURIComponent({href[1:]!r})) !== null "
            f"|| document.getElementById({href[1:]!r}) !== null"
        ), href
    assert page.evaluate("document.querySelectorAll('.jp-InputArea-editor').length") == 0
    assert page.evaluate("document.images.length") > 0  # figures embedded in the one file


def test_every_link_of_the_index_resolves(built, page):
    page.goto((built / "index.html").as_uri(), wait_until="load")
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    local = [h for h in hrefs if h.startswith("file:")]
    assert len(local) >= 3 * len(config.load_config())
    missing = [h for h in local if not Path(unquote(urlparse(h).path)).is_file()]
    assert not missing, missing


# --- the report pages: title, navigation bar, width, searchable tables (issue 15) ------------


def report_pages(built: Path):
    """Every report page of the build: (run, version, path), in the runs file's order."""
    from helpers.build import nav

    for run in config.load_config():
        for version in nav.PAGES:
            yield run, version, built / run.files[version]


def wait_for_tables(pg) -> int:
    """Wait until the page's searchable tables are DataTables; return how many there are."""
    marked = pg.evaluate("document.querySelectorAll('table[data-searchable]').length")
    if marked:
        pg.wait_for_function(
            "document.documentElement.getAttribute('data-tables-ready') !== null", timeout=20_000
        )
    return marked


@pytest.fixture
def offline(chromium):
    """A page that may load files only: every other request is refused (and recorded)."""
    pg = chromium.new_page(viewport={"width": 1280, "height": 900})
    pg.problems = []
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on(
        "console",
        lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            pg.problems.append(f"network request: {r.request.url[:80]}")
            r.abort()

    pg.route("**/*", route)
    yield pg
    pg.close()


def test_every_report_page_has_its_run_title_and_a_bar_whose_links_resolve(built, offline):
    """One H1, the run's title; the bar's links all lead to files; previous and next follow the
    runs file; the page's versions and every file of the run's folder are linked."""
    runs = config.load_config()
    names = [r.name for r in runs]
    checked = 0
    for run, version, path in report_pages(built):
        offline.goto(path.as_uri(), wait_until="load")
        assert offline.evaluate(
            "Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim())"
        ) == [run.title], path.name
        links = offline.evaluate(
            "Array.from(document.querySelectorAll('nav.report-nav a')).map(a => ({href: a.href,"
            " rel: a.rel, run: a.dataset.run || null, version: a.dataset.version || null,"
            " current: a.getAttribute('aria-current')}))"
        )
        targets = {Path(unquote(urlparse(a["href"]).path)) for a in links}
        missing = [t for t in targets if not t.is_file()]
        assert not missing, (path.name, missing)
        i = names.index(run.name)
        rel = {a["rel"]: a["run"] for a in links if a["rel"]}
        assert rel.get("prev") == (names[i - 1] if i else None), path.name
        assert rel.get("next") == (names[i + 1] if i + 1 < len(names) else None), path.name
        assert [a["version"] for a in links if a["current"] == "page"] == [version]
        assert built / "index.html" in targets
        folder = (built / run.folder).resolve()
        written = {p.resolve() for p in folder.rglob("*") if p.is_file()}
        assert written - {path.resolve()} <= {t.resolve() for t in targets}, path.name
        assert offline.evaluate("document.querySelectorAll('nav.report-nav').length") == 1
        checked += 1
    assert checked == 2 * len(runs)


def test_no_page_is_wider_than_a_1280_pixel_window(built, offline):
    """Wide tables scroll in their own box; the page itself never scrolls sideways."""
    for path in html_files(built):
        offline.goto(path.as_uri(), wait_until="load")
        wait_for_tables(offline)
        width = offline.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path.name} is {width} px wide"
        # every table of a report is in a box that fits the window and scrolls sideways
        cut = offline.evaluate(
            """() => Array.from(document.querySelectorAll('main table:not(.report-about)'))
              .filter(t => { const box = t.closest('.table-box');
                return !box || getComputedStyle(box).overflowX !== 'auto'
                  || box.getBoundingClientRect().right > 1280; })
              .map(t => t.id || t.className || 'a table')"""
        )
        assert not cut, f"{path.name}: tables that may be cut off: {cut}"


# DataTables' smart search: every word, in any cell, ignoring case and accents ("ma" finds
# "Márquez").
SEARCH = """([i, word]) => {
  const plain = t => t.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase();
  const table = document.querySelectorAll('table[data-searchable]')[i];
  const words = plain(word).split(/\\s+/).filter(Boolean);
  const rows = Array.from(table.tBodies[0].rows).filter(r => !r.querySelector('.dt-empty'));
  const text = r => Array.from(r.cells).map(c => plain(c.textContent)).join('  ');
  const matching = rows.filter(r => words.every(w => text(r).includes(w)));
  return {total: rows.length, matching: matching.length};
}"""
SHOWN = """i => Array.from(document.querySelectorAll('table[data-searchable]')[i].tBodies[0].rows)
  .filter(r => !r.querySelector('.dt-empty')).length"""


def search(pg, i: int, words: str) -> tuple[int, int]:
    """Type ``words`` into the search box of the page's ``i``-th searchable table; return the
    rows that match them (counted before) and the rows shown."""
    counts = pg.evaluate(SEARCH, [i, ""])
    expected = pg.evaluate(SEARCH, [i, words])["matching"]
    box = pg.locator(".table-box .dt-container").nth(i).locator(".dt-search input")
    box.fill(words)
    shown = settled(pg, i, expected)
    box.fill("")
    assert settled(pg, i, counts["total"]) == counts["total"], "the search box did not clear"
    return expected, shown


def settled(pg, i: int, rows: int) -> int:
    """The rows the ``i``-th searchable table shows once it shows ``rows``, or after 5 s."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_function(f"({SHOWN})({i}) === {rows}", timeout=5_000)
    except PlaywrightTimeout:
        pass
    return pg.evaluate(SHOWN, i)


def test_every_large_table_is_searchable_with_the_network_blocked(built, offline):
    """Each marked table becomes a DataTable with a search box; a word of its last row, typed
    there, leaves exactly the rows holding it."""
    tables = 0
    for _, _, path in report_pages(built):
        offline.problems.clear()
        offline.goto(path.as_uri(), wait_until="load")
        marked = wait_for_tables(offline)
        assert offline.evaluate("document.querySelectorAll('.table-box .dt-container').length") == (
            marked
        ), path.name
        for i in range(marked):
            word = offline.evaluate(
                """i => { const rows = document.querySelectorAll('table[data-searchable]')[i]
                  .tBodies[0].rows; for (const c of rows[rows.length - 1].cells) {
                    const m = c.textContent.match(/[A-Za-z]{3,}/); if (m) return m[0]; }
                  return null; }""",
                i,
            )
            if word is None:
                continue
            expected, shown = search(offline, i, word)
            assert expected >= 1 and shown == expected, (path.name, i, word)
        tables += marked
        assert not offline.problems, (path.name, offline.problems)
    assert tables >= 10


def test_table_1_is_searched_by_author_and_sorted_by_a_column_offline(built, offline, review):
    """Table 1 (report 01): each study's first author typed in its search box leaves the rows
    that name it; a numeric column sorts up, then down."""
    offline.goto((built / "runs" / "01_extraction" / "01_extraction-reviewer.html").as_uri())
    wait_for_tables(offline)
    i = offline.evaluate(
        """() => Array.from(document.querySelectorAll('table[data-searchable]')).findIndex(t =>
          t.querySelector('tr[id^="study-"]') || t.id === 'T_table1')"""
    )
    assert i >= 0, "Table 1 is not searchable"
    total = offline.evaluate(SHOWN, i)
    assert total == len(review.studies)
    for author in sorted(set(review.studies["first_author"])):
        expected, shown = search(offline, i, author)
        assert 1 <= expected < total and shown == expected, author
    # a column of whole numbers, sorted by a click on its header (then the other way)
    column = offline.evaluate(
        """i => { const t = document.querySelectorAll('table[data-searchable]')[i];
          const n = t.tHead.rows[0].cells.length;
          for (let c = 0; c < n; c++) {
            const whole = r => /^\\d+$/.test(r.cells[c].textContent.trim());
            if (Array.from(t.tBodies[0].rows).every(whole)) return c;
          }
          return -1; }""",
        i,
    )
    assert column >= 0
    values = f"""() => Array.from(document.querySelectorAll('table[data-searchable]')[{i}]
      .tBodies[0].rows).map(r => Number(r.cells[{column}].textContent.trim()))"""
    before = offline.evaluate(values)
    header = offline.locator(".table-box .dt-container").nth(i).locator("thead th").nth(column)
    ordered = f"""way => document.querySelectorAll('.table-box .dt-container')[{i}]
      .querySelectorAll('thead th')[{column}].classList.contains('dt-ordering-' + way)"""
    for way in ("asc", "desc"):
        header.click()
        # the header says how the column is sorted once DataTables has redrawn the table
        offline.wait_for_function(ordered, arg=way, timeout=5_000)
        assert offline.evaluate(values) == sorted(before, reverse=way == "desc"), way


def test_with_javascript_off_the_tables_stay_plain_and_whole(built, chromium):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    pg = context.new_page()
    try:
        for _, _, path in report_pages(built):
            pg.goto(path.as_uri(), wait_until="load")
            assert pg.evaluate("document.querySelectorAll('.dt-container').length") == 0
            source = path.read_text(encoding="utf-8")
            rows = pg.evaluate(
                "Array.from(document.querySelectorAll('table[data-searchable] tbody tr')).length"
            )
            assert rows == sum(
                len(re.findall(r"<tr\b", t))
                for t in re.findall(r"<table data-searchable.*?<tbody>(.*?)</tbody>", source, re.S)
            ), path.name
            assert pg.evaluate("document.documentElement.scrollWidth") <= 1280, path.name
    finally:
        context.close()
