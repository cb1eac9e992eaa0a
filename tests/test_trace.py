"""Numbers you can trace: the paper's page, the audit's links to it, and the studies each
number used.

Every claim of the audit points to a sentence (or table row) of ``reports/paper.html``
that exists and holds the number it quotes; every study it lists is a row of Table 1
with that id; the page escapes its text and is the same bytes for the same text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from helpers.analysis import claims, selection, table1, table2
from helpers.build import config
from helpers.data import paper
from helpers.data.registers import SECTIONS
from helpers.report import paper_page, tables


class _Ids(HTMLParser):
    """Every element id of a page, and the text inside each (child text included; the
    unit's own number link left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.text: dict[str, str] = {}
        self.hrefs: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
            self.text.setdefault(attrs["id"], "")
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            if attrs.get("class") == "n":
                self._skip += 1
        self._open.append((tag, attrs.get("id"), attrs.get("class")))

    def handle_endtag(self, tag):
        while self._open:
            t, _, cls = self._open.pop()
            if t == "a" and cls == "n":
                self._skip -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if self._skip:
            return
        for _, i, _ in self._open:
            if i is not None:
                self.text[i] += data


def parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def page() -> _Ids:
    return parse(paper_page.render())


@pytest.fixture(scope="module")
def audit(review):
    return claims.audit(review)


@pytest.fixture(scope="module")
def table1_ids(review) -> set[str]:
    html = tables.text_table(
        table1.render(review), name="table1", row_ids=table1.row_ids(review)
    ).to_html()
    ids = parse(html).ids
    assert len(ids) == len(set(ids))
    assert "#T_table1 tr:target td" in html
    return {i for i in ids if i.startswith("study-")}


# --------------------------------------------------------------------------- the page


def test_every_anchor_of_the_page_is_unique_and_every_unit_has_one(page):
    assert len(page.ids) == len(set(page.ids))
    anchors = {i for i in page.ids if i.startswith("s-")}
    assert anchors == {u.anchor for u in paper.units()}


def test_units_are_numbered_one_to_n_in_page_order():
    assert [u.number for u in paper.units()] == list(range(1, len(paper.units()) + 1))


@pytest.mark.parametrize("passage", paper.PASSAGES)
def test_the_units_of_a_passage_give_its_text_back(passage):
    """Nothing of a passage is lost or changed by the cut into sentences and subheadings;
    each unit's offset points to its text."""
    body = paper.passage_text(passage)
    parts = []
    for block in paper.layout():
        if block.passage != passage:
            continue
        parts += [block.title] if block.kind == "subheading" else []
        for unit in block.units:
            if unit.kind != "row":
                parts.append(unit.text)
                assert body[unit.start : unit.start + len(unit.text)] == unit.text
    assert " ".join(parts) == body


def test_no_sentence_ends_at_an_abbreviation_or_an_initial():
    for unit in paper.units():
        if unit.kind == "sentence":
            assert not unit.text.endswith(paper.ABBREVIATIONS), unit
            assert not re.search(r"(?:^|\s)[A-Z]\.$", unit.text), unit


@pytest.mark.parametrize("abbreviation", paper.ABBREVIATIONS)
def test_an_abbreviation_never_ends_a_sentence(abbreviation):
    text = f"Seen in {abbreviation} Two cases at 2.5 cm. Then J. Smith wrote it."
    assert paper.split_sentences(text) == [
        f"Seen in {abbreviation} Two cases at 2.5 cm.",
        "Then J. Smith wrote it.",
    ]


def test_every_subsection_of_the_claims_is_a_subheading_of_its_part():
    shown = {(b.passage, b.title) for b in paper.layout() if b.kind == "subheading"}
    wanted = {tuple(s.split(" / ")) for s in SECTIONS if " / " in s}
    wanted = {w for w in wanted if w[0] in paper.PASSAGES}
    assert wanted and wanted <= shown


def test_every_table_row_of_the_paper_is_a_unit():
    rows = {
        (table, paper.fold(row))
        for table, row, _ in paper.table_cells()
        if table in ("Table 1", "Table 2")
    }
    units = {
        (u.passage, re.sub(r"(?: \^[a-z])+$", "", u.cells[0]))
        for u in paper.units()
        if u.kind == "row" and not u.header
    }
    assert rows <= units


def test_the_page_states_its_source_title_and_numbering(page):
    html = paper_page.render()
    title = paper.units()[0].text
    assert f"<h1>{title}</h1>" in html
    assert paper_page.paper_citation() and paper_page.paper_citation() in html
    assert "are the project's, not the paper's" in html and ":target" in html
    assert "<script" not in html  # offline and static: nothing to run


def test_same_text_gives_the_same_bytes():
    first = paper_page.render()
    paper.layout.cache_clear()
    paper.passages.cache_clear()
    paper.text.cache_clear()
    assert paper_page.render() == first


def test_text_from_the_paper_is_escaped():
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    units = (
        paper.Unit(1, "Abstract", "sentence", hostile, 0),
        paper.Unit(2, "Table 1", "row", hostile, -1, (hostile, hostile)),
    )
    blocks = (
        paper.Block("Abstract", "subheading", title=hostile),
        paper.Block("Abstract", "paragraph", units=units[:1]),
        paper.Block("Table 1", "table", units=units[1:]),
    )
    html = paper_page.render(blocks, source=hostile)
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") == 7  # <title>, h1, source, subheading, sentence, 2 cells
    parsed = parse(html)
    assert hostile in parsed.text["s-1"]


# --------------------------------------------------------------------------- the audit's links


def test_every_audit_row_points_to_a_sentence_of_the_page(audit, page):
    missing = audit.loc[audit["sentence"] == "", "claim_id"].tolist()
    assert missing == []
    assert set(audit["sentence"]) <= set(page.ids)


def _quoted_part(section: str, quote: str) -> str | None:
    """What a table-row quote quotes of the row: the cell."""
    quote = paper.fold(quote)
    if paper.is_cell_quote(section, quote):
        return quote.split(paper.CELL_SEPARATOR)[2]
    m = re.match(r"^(?:Table 2, )?.+?, [^:,]+: (.*)$", quote)
    return m.group(1) if m and (section == "Table 2" or quote.startswith("Table 2, ")) else None


def test_the_sentence_an_audit_row_points_to_holds_its_number(review, audit, page):
    printed = {c.id: c.reported for c in review.claims}
    kinds = {u.anchor: u.kind for u in paper.units()}
    for row in audit.itertuples():
        shown = paper.fold(page.text[row.sentence])
        if kinds[row.sentence] == "row":
            cell = _quoted_part(row.section, row.quote)
            assert cell is not None and paper.fold(cell) in shown, row.claim_id
            continue
        reported = str(printed.get(row.claim_id, row.reported))
        assert paper.token_run(shown, reported) is not None or paper.fold(reported) in shown, (
            row.claim_id,
            reported,
            shown,
        )


def test_an_audit_table_anchors_every_claim_and_links_its_sentence(audit, page):
    html = tables.audit(audit, name="t").to_html()
    parsed = parse(html)
    claim_ids = [i for i in parsed.ids if i.startswith("claim-")]
    assert claim_ids == [f"claim-{c}" for c in audit["claim_id"]]
    assert len(set(claim_ids)) == len(claim_ids)
    sentence_links = [h for h in parsed.hrefs if h.startswith(tables.PAPER_PAGE)]
    assert sentence_links == [f"{tables.PAPER_PAGE}#{s}" for s in audit["sentence"]]
    assert "#T_t tr:target td" in html  # the row a link reaches is highlighted
    unanchored = parse(tables.audit(audit, name="u", anchors=False).to_html())
    assert not [i for i in unanchored.ids if i.startswith("claim-")]


def test_every_study_an_audit_row_lists_is_a_row_of_table_1(audit, table1_ids):
    html = tables.audit(audit, name="t").to_html()
    listed = {h.split("#")[1] for h in parse(html).hrefs if h.startswith(tables.TABLE1_PAGE + "#")}
    refs = {
        f"study-{r}"
        for value in audit["studies"]
        for r in value.split(claims.STUDIES_SEPARATOR)
        if r
    }
    assert listed == refs and refs <= table1_ids


def test_links_lead_to_the_pages_the_build_writes():
    run = next(r for r in config.load_config() if r.notebook.stem == "01_extraction")
    assert f"../{run.files['reviewer'].removeprefix('runs/')}" == tables.TABLE1_PAGE
    # reviewer pages are two folders below the output folder, beside which paper.html lies
    assert run.folder.count("/") == 1
    assert f"../../{paper_page.PAGE_NAME}" == tables.PAPER_PAGE


def test_text_in_the_audit_table_is_escaped(audit):
    hostile = '<script>alert("x")</script>'
    rows = audit.head(2).assign(quote=hostile, claim_id=['a"><script>', "b"])
    html = tables.audit(rows, name="t").to_html()
    assert "<script>" not in html
    assert 'id="claim-a&quot;&gt;&lt;script&gt;"' in html


# --------------------------------------------------------------------------- the studies used


def test_a_number_lists_studies_unless_it_comes_from_the_paper_itself(review, audit):
    """Which rows list no study follows from the mechanism: no computation, a computation
    of the paper's own numbers (FROM_THE_PRINT), a citation count citing no included study,
    or the paper's own arithmetic and citations (generated rows)."""
    register = {c.id: c for c in review.claims}
    included = set(review.paper_edition().studies.index)
    for row in audit.itertuples():
        claim = register.get(row.claim_id)
        if claim is None:
            expected_none = row.section in ("Internal arithmetic", "Citations")
        elif claim.computation is None or claim.computation in claims.FROM_THE_PRINT:
            expected_none = True
        elif claim.computation == "n_cited":
            expected_none = not set(claim.args["refs"]) & included
        else:
            expected_none = False
        assert (row.studies == "") == expected_none, (row.claim_id, row.studies)


def test_a_selection_by_modality_lists_exactly_its_studies(review, audit):
    """The recorder agrees with the selection a claim names, computed apart."""
    r = review.paper_edition()
    register = {c.id: c for c in r.claims}
    checked = 0
    for row in audit.itertuples():
        claim = register.get(row.claim_id)
        if claim is None or claim.computation not in ("response", "pooled_duration"):
            continue
        modalities = selection.select_modalities(
            r, claim.args.get("modality"), claim.args.get("family")
        )
        expected = r.studies.index[r.studies["modality"].isin(modalities)]
        assert row.studies == claims.STUDIES_SEPARATOR.join(map(str, sorted(expected)))
        checked += 1
    assert checked


def test_a_table2_row_lists_the_studies_of_its_modalities(review, audit):
    """A Table 2 number lists the studies of its row's modality, or of every modality merged
    into the row for the columns the paper pools there."""
    r = review.paper_edition()
    groups = table2.table2_groups(r)
    parts = table2.compare_table2(r)
    assert len(parts)
    by_id = audit.set_index("claim_id")["studies"]
    for part in parts.itertuples():
        cid = claims.table2_claim_id(part.modality, part.column, part.part)
        own = part.column in claims.TABLE2_OWN_ROW_COLUMNS
        members = [part.modality] if own else groups[part.modality]
        expected = r.studies.index[r.studies["modality"].isin(members)]
        assert by_id[cid] == claims.STUDIES_SEPARATOR.join(map(str, sorted(expected))), cid


def test_the_own_row_columns_are_those_a_merged_row_prints(review):
    """A row Table 2 merges into another prints only the columns computed from its own
    modality: exactly the columns the audit credits to the row's own studies."""
    r = review.paper_edition()
    merged = r.paper_table2.index[r.paper_table2["merged_into"].notna()]
    parts = table2.compare_table2(r)
    assert len(merged)
    assert set(parts.loc[parts["modality"].isin(merged), "column"]) == set(
        claims.TABLE2_OWN_ROW_COLUMNS
    )


def test_the_recorder_nests_and_is_silent_outside(review):
    selection.studies_of(review, list(review.modalities.index))  # no recording open: no error
    with selection.recording() as outer:
        with selection.recording() as inner:
            selection.record_studies([4])
        selection.record_studies([17])
    assert inner == {4} and outer == {4, 17}


def test_the_audit_csv_carries_the_studies_and_the_sentence(audit, tmp_path):
    import pandas as pd

    path = claims.write_audit(audit, tmp_path)
    written = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert list(written.columns) == claims.AUDIT_COLUMNS
    assert written["studies"].tolist() == audit["studies"].tolist()
    assert written["sentence"].tolist() == audit["sentence"].tolist()


def test_the_build_writes_the_paper_page(tmp_path):
    """A build (here of one trivial notebook) writes reports/paper.html: the page, whole."""
    import nbformat

    from helpers.build import pipeline
    from helpers.build.config import Run
    from helpers.build.kernel import KERNEL_NAME

    notebook = tmp_path / "00_tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_NAME}
    nbformat.write(nb, notebook)
    out = tmp_path / "reports"
    out.mkdir()
    pipeline.build(
        runs=[Run(name="00_tiny", notebook=notebook)], output_dir=out, log=lambda *a, **k: None
    )
    assert (out / paper_page.PAGE_NAME).read_text(encoding="utf-8") == paper_page.render()
