"""The reports in a real browser: headless Chromium (Debian's package) driven by Playwright.

`make test` installs Debian's `chromium` when it is missing (Makefile, `browser`). The
test builds every report run of reports.yaml into a temporary folder, opens the index and
every report from disk, and checks that each loads without console errors or failed
requests, that every image has rendered, and that every link of the index resolves.
Screenshots go to reports/screenshots/.
"""

from __future__ import annotations

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
