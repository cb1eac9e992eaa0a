"""Every reviewer report printed to PDF: there, readable, whole, and the same bytes each time.

The PDFs of the full build are read with Debian's poppler-utils (``pdfinfo``, ``pdftotext``,
``pdftoppm``; ``make test`` installs them) and compared with the same report as Chromium
lays it out for print (:func:`helpers.build.pdf.fit_for_print`): every word of the page is in
the PDF, no table row is split between two pages, no page is blank.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.build import config, pdf, pipeline
from helpers.build.execute import execute_run
from helpers.data.errors import SetupError

RUNS = config.load_config()
#: A word as the comparisons count it.
WORD = re.compile(r"\w+")
POPPLER = ("pdfinfo", "pdftotext", "pdftoppm")


@pytest.fixture(scope="module")
def poppler():
    """Debian's poppler-utils, or a failure naming how to install them."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed: `apt-get install poppler-utils` "
            "(make test does it when it can)"
        )


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M).group(1))


def page_texts(path: Path) -> list[str]:
    """The text of each page, in the order the page draws it (``-raw``: a table cell's lines
    stay together)."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split("\f")[: page_count(path)]


def squeeze(text: str) -> str:
    """Text without white space: a word wrapped across lines (or broken inside a narrow
    cell) reads whole again."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def printed(full_build, chromium, poppler):
    """For each run: its PDF, the PDF's text by page, and the reviewer page as printed (its
    visible text, its tables' rows, its first table's headers, the images it shows)."""
    context = chromium.new_context(java_script_enabled=False, offline=True)
    found = {}
    for run in RUNS:
        page = context.new_page()
        page.goto((full_build / run.files["reviewer"]).as_uri())
        overflow = pdf.fit_for_print(page)
        shown = page.evaluate(
            """() => ({
              text: document.querySelector('main').innerText,
              rows: [...document.querySelectorAll('main tr')].map((tr) => tr.innerText),
              headers: [...document.querySelectorAll('main table thead th')]
                .filter((th) => th.closest('table') === document.querySelector('main table'))
                .map((th) => th.innerText),
              images: document.querySelectorAll('main img, main svg').length,
              printCss: [...document.querySelectorAll('style[media="print"]')]
                .map((s) => s.textContent).join('\\n'),
            })"""
        )
        page.close()
        path = full_build / run.files["pdf"]
        found[run.name] = shown | {
            "path": path,
            "overflow": overflow,
            "pages": page_texts(path) if path.is_file() else [],
        }
    context.close()
    return found


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_every_reviewer_report_has_a_pdf_of_plausible_length(printed, run):
    got = printed[run.name]
    assert got["path"].read_bytes()[:5] == b"%PDF-", f"{run.files['pdf']} is not a PDF"
    index = (got["path"].parents[2] / "index.html").read_text(encoding="utf-8")
    assert f'href="{run.files["pdf"]}"' in index, "the index does not link the PDF"
    pages = len(got["pages"])
    chars = len(got["text"])
    # a page holds a few thousand characters of text, or a figure, or a table zoomed down
    assert chars // 6000 + 1 <= pages <= chars // 400 + got["images"] + 2, (pages, chars)


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_pdf_text_holds_the_title_the_first_table_and_every_word(printed, run):
    got = printed[run.name]
    text = " ".join(got["pages"])
    title = run.title or run.name
    assert " ".join(title.split()) in " ".join(got["pages"][0].split()), "no title on page 1"
    flat = squeeze(text)
    for header in got["headers"]:
        assert squeeze(header) in flat, f"first table's header {header!r} not in the PDF"
    missing = sorted({w for w in WORD.findall(got["text"]) if w not in flat})
    assert not missing, f"words of the page missing from the PDF: {missing[:20]}"


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_no_table_row_is_split_between_pages(printed, run):
    got = printed[run.name]
    for rule in ("break-inside: avoid", "break-after: avoid", "display: table-header-group"):
        assert rule in got["printCss"], f"the print style sheet lacks {rule!r}"
    pages = [squeeze(t) for t in got["pages"]]
    split = [
        row[:80]
        for row in got["rows"]
        if WORD.search(row) and not any(all(w in p for w in WORD.findall(row)) for p in pages)
    ]
    assert not split, f"rows whose words no single page holds: {split[:5]}"


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_nothing_is_wider_than_the_paper(printed, run):
    assert printed[run.name]["overflow"] == []


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_no_page_is_blank(printed, run, tmp_path):
    from PIL import Image

    path = printed[run.name]["path"]
    dpi = 20
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(tmp_path / "p")], check=True
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == page_count(path)
    margin = round(pdf.TOP_MM / 25.4 * dpi) + 1  # the header and footer bands left out
    blank = []
    for number, image in enumerate(images, start=1):
        with Image.open(image) as im:
            body = im.convert("L").crop((0, margin, im.width, im.height - margin))
            if body.getextrema()[0] > 240:
                blank.append(number)
    assert not blank, f"blank pages: {blank}"


def test_the_same_page_printed_twice_gives_the_same_bytes(tmp_path, poppler):
    """Chromium stamps the second of printing; the build blanks it."""
    source = tmp_path / "page.html"
    source.write_text("<title>t</title><main><h1>Same</h1><p>bytes</p></main>", encoding="utf-8")
    first = pdf.print_pdf(source, tmp_path / "1.pdf", "t", "n").read_bytes()
    time.sleep(1.1)
    second = pdf.print_pdf(source, tmp_path / "2.pdf", "t", "n").read_bytes()
    assert first == second
    assert b"/CreationDate" not in first and b"/ModDate" not in first
    assert page_count(tmp_path / "1.pdf") == 1  # the blanked dates leave a readable PDF


def test_a_report_prints_the_same_whatever_the_browser_printed_before(full_build, tmp_path):
    """A build's worker prints several reports with one browser, in any order: the second
    run's report printed alone and after the first run's are the same bytes."""
    first, second = (full_build / run.files["reviewer"] for run in RUNS[:2])
    script = (
        "import sys; from pathlib import Path; from helpers.build.pdf import print_pdf\n"
        "for source, target in zip(sys.argv[1::2], sys.argv[2::2]):\n"
        "    print_pdf(Path(source), Path(target), 't', 'n')\n"
    )
    alone = [second, tmp_path / "alone.pdf"]
    after = [first, tmp_path / "first.pdf", second, tmp_path / "after.pdf"]
    for args in (alone, after):  # each in a fresh process, as the build's workers are
        subprocess.run([sys.executable, "-c", script, *map(str, args)], check=True, env=os.environ)
    assert (tmp_path / "alone.pdf").read_bytes() == (tmp_path / "after.pdf").read_bytes()


def test_the_title_is_printed_as_text_never_as_markup(tmp_path, poppler):
    title = '<b>bold</b> & <img src=x onerror="document.title=1"> "quoted"'
    source = tmp_path / "page.html"
    source.write_text("<main><p>body</p></main>", encoding="utf-8")
    target = pdf.print_pdf(source, tmp_path / "t.pdf", title, "<i>name</i>")
    text = " ".join(" ".join(page_texts(target)).split())
    assert title in text and "<i>name</i>" in text


def test_a_failed_print_fails_the_run_and_leaves_no_report(tmp_path, monkeypatch):
    import nbformat

    notebook = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), notebook)
    out = tmp_path / "reports"
    out.mkdir()

    def broken(*args, **kwargs):
        raise RuntimeError("the printer jammed")

    monkeypatch.setattr("helpers.build.execute.print_pdf", broken)
    run = config.Run("tiny", notebook, {}, "Tiny")
    result = execute_run(run, out, "0" * 64)
    assert result.status == "failed" and "the printer jammed" in result.error
    assert not (out / run.folder).exists(), "a half-written report appeared"
    assert not any((out / ".staging").rglob("*.html")), "staging left behind"


def test_without_chromium_the_build_stops_before_any_run_naming_the_install(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "CHROMIUM", str(tmp_path / "no-chromium"))
    run = next(r for r in RUNS if r.name.startswith("01"))
    with pytest.raises(SetupError, match=r"apt-get install chromium") as caught:
        pipeline.build([run], output_dir=tmp_path / "out", force=True, log=lambda *a: None)
    assert str(tmp_path / "no-chromium") in str(caught.value)
    assert not (tmp_path / "out" / run.folder).exists()
