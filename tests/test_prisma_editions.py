"""The PRISMA 2020 flow across editions: the totals of an updated review (previous, new and
total studies and patients), checked against the data, and the diagram for updated reviews."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch

from helpers import DataValidationError, load_review
from helpers.analysis.prisma import edition_totals
from helpers.report import prisma_flow

#: The synthetic update: one study per entry, with its number of patients.
NEW_CASES = (2, 5, 1)


def _update(folder):
    from tests_support import add_study

    for n_cases in NEW_CASES:
        add_study(folder, modality="eswl", n_cases=n_cases)
    return load_review(folder)


@pytest.fixture
def updated(data_copy):
    """The review with an update of three synthetic studies (the last edition)."""
    return _update(data_copy)


def _texts(fig) -> list[str]:
    """The diagram's texts, each on one line (the boxes wrap theirs)."""
    return [" ".join(t.get_text().split()) for t in fig.axes[0].texts if t.get_text()]


def _box_saying(texts: list[str], words: str) -> str:
    (found,) = [t for t in texts if words in t]
    return found


def test_the_updated_flow_shows_previous_new_and_total(updated, review):
    paper = review  # every study before the update: the paper's, and any earlier update's
    fig = prisma_flow.diagram(updated)
    texts = _texts(fig)
    previous = _box_saying(texts, "Studies included in previous version of review")
    assert f"version of review (n = {paper.n_studies})" in previous
    assert f"Patients in those studies (n = {paper.n_patients})" in previous
    assert f"previous version of review (n = {prisma_flow.NOT_REPORTED})" in previous
    new = _box_saying(texts, "New studies included in review")
    assert f"New studies included in review (n = {len(NEW_CASES)})" in new
    assert f"Patients in the new studies (n = {sum(NEW_CASES)})" in new
    total = _box_saying(texts, "Total studies included in review")
    assert f"Total studies included in review (n = {paper.n_studies + len(NEW_CASES)})" in total
    assert f"(n = {paper.n_patients + sum(NEW_CASES)})" in total
    assert paper.n_studies + len(NEW_CASES) == updated.n_studies
    # The new search reports nothing yet: its boxes say so.
    assert (
        _box_saying(texts, "Records screened")
        == f"Records screened (n = {prisma_flow.NOT_REPORTED})"
    )
    assert updated.edition_name in " ".join(fig.axes[0].get_title(loc="left").split())
    plt.close(fig)


def test_the_totals_across_editions(updated, review):
    totals = edition_totals(updated)
    assert totals.previous_editions == tuple(review.editions.index)
    frame = totals.to_frame()
    assert frame.loc["previous"].tolist() == [review.n_studies, review.n_patients]
    assert frame.loc["new"].tolist() == [len(NEW_CASES), sum(NEW_CASES)]
    assert frame.loc["total"].tolist() == [updated.n_studies, updated.n_patients]
    paper = updated.paper_edition()
    first = edition_totals(paper)
    assert (first.previous_studies, first.previous_patients) == (0, 0)
    assert (first.new_studies, first.total_studies) == (paper.n_studies, paper.n_studies)
    assert first.total_patients == paper.n_patients


def test_the_paper_edition_has_no_previous_studies(review):
    totals = edition_totals(review.paper_edition())
    assert totals.previous_editions == ()
    assert totals.to_frame().loc["previous"].tolist() == [0, 0]
    paper = review.paper_edition()
    assert totals.to_frame().loc["total"].tolist() == [paper.n_studies, paper.n_patients]


def test_the_first_edition_diagram_is_unchanged_by_an_update(updated, review):
    before = prisma_flow.diagram(review.paper_edition())
    after = prisma_flow.diagram(updated.paper_edition())
    assert [t.get_text() for t in after.axes[0].texts] == [
        t.get_text() for t in before.axes[0].texts
    ]
    assert after.axes[0].get_title(loc="left") == before.axes[0].get_title(loc="left")
    assert not any("previous version" in t for t in _texts(after))
    plt.close("all")


def test_an_update_whose_flow_gives_its_counts(data_copy):
    from tests_support import read_rows, write_rows

    review = _update(data_copy)
    given = {
        "records_databases": 120,
        "studies_included": review.editions.loc[review.edition_name, "n_studies"],
        "patients_included": review.editions.loc[review.edition_name, "n_patients"],
    }
    rows = read_rows(data_copy / "prisma.csv")
    header = rows[0]
    for row in rows[1:]:
        if (
            row[header.index("edition")] == review.edition_name
            and row[header.index("box")] in given
        ):
            row[header.index("count")] = str(int(given[row[header.index("box")]]))
    write_rows(data_copy / "prisma.csv", rows)
    fig = prisma_flow.diagram(load_review(data_copy))
    texts = _texts(fig)
    assert f"(n = {given['records_databases']})" in _box_saying(texts, "Records identified from:")
    new = _box_saying(texts, "New studies included in review")
    assert f"(n = {given['studies_included']})" in new
    plt.close(fig)


@pytest.mark.parametrize(
    ("box", "column"), [("studies_included", "n_studies"), ("patients_included", "n_patients")]
)
def test_a_stored_count_that_disagrees_is_refused(updated, box, column):
    """The loader refuses such a count in prisma.csv; the report checks again (a review
    made otherwise)."""
    edition = updated.edition_name
    flow = updated.prisma_by_edition.copy()
    wrong = int(updated.editions.loc[edition, column]) + 1
    flow.loc[(edition, box), "count"] = wrong
    broken = dataclasses.replace(updated, prisma_by_edition=flow)
    for check in (edition_totals, prisma_flow.diagram):
        with pytest.raises(DataValidationError) as info:
            check(broken)
        (problem,) = info.value.problems
        assert problem.file == "prisma.csv"
        assert f"edition {edition!r}, box {box!r}: the flow says {wrong}" in problem.message
    plt.close("all")


def test_the_paper_edition_stored_count_is_checked_too(updated):
    paper = updated.paper_edition_name
    flow = updated.prisma_by_edition.copy()
    flow.loc[(paper, "studies_included"), "count"] += 1
    with pytest.raises(DataValidationError, match=f"edition {paper!r}, box 'studies_included'"):
        edition_totals(dataclasses.replace(updated, prisma_by_edition=flow))


def test_editions_that_do_not_add_up_to_the_review_are_refused(updated):
    fewer = dataclasses.replace(updated, studies=updated.studies.iloc[1:])
    with pytest.raises(DataValidationError) as info:
        edition_totals(fewer)
    assert {p.rule for p in info.value.problems} == {"editions add up"}
    assert f"but the review holds {fewer.n_studies}" in str(info.value)


def test_the_edition_title_is_shown_as_typed(data_copy):
    """The title is text from the data: shown as typed, never read as mathtext (which would
    stop the drawing at the unknown command)."""
    from tests_support import read_rows, write_rows

    review = _update(data_copy)
    title = "Update $\\nosuchcommand{x}^2$ of 100% {braces} \\n and_underscores"
    rows = read_rows(data_copy / "editions.csv")
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("edition")] == review.edition_name:
            row[header.index("title")] = title
    write_rows(data_copy / "editions.csv", rows)
    fig = prisma_flow.diagram(load_review(data_copy))
    fig.canvas.draw()
    assert title in " ".join(fig.axes[0].get_title(loc="left").split())
    plt.close(fig)


def _layout_faults(fig) -> list[str]:
    """Boxes that overlap, texts out of their box or over a box, and arrows that cross or
    graze a box other than the two they join (in pixels, 3 of margin)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    faults = []
    for i, a in enumerate(boxes):
        faults += [
            f"boxes {i} and {j} overlap" for j, b in enumerate(boxes) if j > i and a.overlaps(b)
        ]
    margin = 3
    for text in ax.texts:
        if not text.get_text():
            continue
        extent = text.get_window_extent(renderer)
        centre = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
        home = [b for b in boxes if b.contains(*centre)]
        if home:
            (box,) = home
            inside = box.x0 <= extent.x0 and extent.x1 <= box.x1
            inside = inside and box.y0 <= extent.y0 and extent.y1 <= box.y1
            if not inside:
                faults.append(f"text {text.get_text()[:30]!r} leaves its box")
        elif any(extent.overlaps(b) for b in boxes):
            faults.append(f"text {text.get_text()[:30]!r} lies over a box")
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert arrows
    for arrow in arrows:
        tail = ax.transData.transform(arrow.xyann)
        head = ax.transData.transform(arrow.xy)
        ends = [
            b for b in boxes if b.padded(margin).contains(*tail) or b.padded(margin).contains(*head)
        ]
        if len(ends) != 2:
            faults.append(f"arrow {arrow.xyann} -> {arrow.xy} does not join two boxes")
        for t in np.linspace(0, 1, 400):
            point = tail + t * (head - tail)
            for b in boxes:
                if b not in ends and b.padded(margin).contains(*point):
                    faults.append(f"arrow {arrow.xyann} -> {arrow.xy} grazes a box")
                    break
    return sorted(set(faults))


def test_the_updated_diagram_keeps_boxes_and_arrows_apart(updated):
    fig = prisma_flow.diagram(updated)
    assert _layout_faults(fig) == []
    plt.close(fig)


def test_the_layout_check_finds_an_arrow_through_a_box(updated):
    fig = prisma_flow.diagram(updated)
    ax = fig.axes[0]
    ax.annotate("", xy=(4.6, 1.0), xytext=(4.6, 9.4), arrowprops={"arrowstyle": "->"})
    assert any("grazes a box" in f for f in _layout_faults(fig))
    plt.close(fig)
