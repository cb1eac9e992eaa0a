"""The figures as a reader meets them: alt text from the data, plain axes, numeric columns
beside every forest plot, labels said once, a PRISMA diagram whose arrows miss the boxes,
and the report template that puts each description on its image.

Every case is generated: every figure of :data:`helpers.report.figures.ALL`, every forest
plot of every group (two models), both PRISMA templates, on the paper's review and on a
review grown by an update.
"""

from __future__ import annotations

import base64
import html
import re
import shutil

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch

from helpers import load_review
from helpers.analysis import pooling
from helpers.analysis.table2 import response_counts
from helpers.data.paths import DATA_DIR
from helpers.data.printed import NOT_REPORTED_WORDS
from helpers.data.values import is_missing
from helpers.report import figures, forest, prisma_flow, style

#: The synthetic update of the "grown" review: (modality, patients, complete responders,
#: largest diameter in cm).
GROWTH = (("eswl", 7, 3, 4.0), ("topical_sts", 12, 9, 2.5), ("co2_laser", 3, 1, None))


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The review with an update of synthetic studies (its last edition)."""
    from tests_support import add_study

    folder = tmp_path_factory.mktemp("grown") / "data"
    shutil.copytree(DATA_DIR, folder)
    for modality, n_cases, complete, diameter in GROWTH:
        add_study(
            folder, modality=modality, n_cases=n_cases, complete=complete, diameter_cm=diameter
        )
    return load_review(folder, cache=False)


@pytest.fixture(params=["paper", "grown"])
def any_review(request, review, grown):
    """The paper's review and the grown one, in turn."""
    return review if request.param == "paper" else grown


def _pct(p: float) -> str:
    return f"{round(100 * float(p))}%"


def _n(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ---------------------------------------------------------------- what each figure must say


def _expect_response(review):
    yield "share of patients by response category"
    for modality, label in review.modalities["label"].items():
        counts = response_counts(review, [modality])
        total = counts["complete"].total
        yield f"{label} ({_n(total, 'patient')})"
        if total:
            yield f"complete {_pct(counts['complete'].events / total)}"


def _expect_evidence(review):
    s = review.studies
    yield "Evidence map"
    yield f"{_n(len(s), 'study', 'studies')} ({_n(int(s['n_cases'].sum()), 'patient')})"
    for (design, modality), part in s.groupby(["design", "modality"]):
        label = review.modalities.loc[modality, "label"]
        yield (
            f"{design.replace('_', ' ')}, {label}: {_n(len(part), 'study', 'studies')}, "
            f"{_n(int(part['n_cases'].sum()), 'patient')}"
        )


def _expect_diseases(review):
    d = review.diseases
    yield "patients per underlying disease"
    yield f"{_n(d['disease'].nunique(), 'disease')} in {len(review.disease_categories)} categories"
    counted = d.groupby("disease")["n_patients"].sum(min_count=1).dropna()
    top = counted.sort_values(ascending=False, kind="stable")
    name = review.disease_vocabulary["name"].get(top.index[0], top.index[0])
    yield f"{name}"
    yield f"{_n(int(top.iloc[0]), 'patient')}"


def _expect_lesions(review):
    s = review.studies.dropna(subset=["largest_diameter_cm"])
    s = s[review.outcomes.loc[s.index, "response_unit"] == "patients"]
    d = s["largest_diameter_cm"].astype(float)
    yield "largest lesion"
    yield _n(len(s), "study", "studies")
    yield f"from {d.min():g} to {d.max():g} cm"


def _expect_durations(review):
    durations = review.durations[review.durations["status"] == "reported"]
    for measure, words in (
        ("treatment_duration", "treatment duration"),
        ("time_to_first_improvement", "time to first improvement"),
    ):
        refs = durations[durations["measure"] == measure].index.nunique()
        yield f"{words}: {_n(refs, 'study', 'studies')}"


def _expect_adverse(review):
    ae = review.adverse_events[review.adverse_events["event"] != "None"]
    yield "adverse event"
    for event, patients in zip(ae["event"], ae["patients"], strict=True):
        said = NOT_REPORTED_WORDS if is_missing(patients) else int(patients)
        yield f"{event.lower()} {said}"


EXPECTED = {
    "response-by-modality": _expect_response,
    "evidence-map": _expect_evidence,
    "underlying-diseases": _expect_diseases,
    "lesion-size-and-outcome": _expect_lesions,
    "durations": _expect_durations,
    "adverse-events": _expect_adverse,
}


def test_every_figure_has_its_expectations():
    """A figure added to ALL must say here what its alt text has to hold."""
    assert set(EXPECTED) == set(figures.ALL)


@pytest.mark.parametrize("name", list(figures.ALL))
def test_every_figure_says_what_it_shows(name, any_review):
    fig = figures.ALL[name](any_review)
    text = figures.description(fig)
    assert text and not text.startswith("Figure: ")  # described, not the titles' fallback
    missing = [words for words in EXPECTED[name](any_review) if words not in text]
    assert not missing, f"{name}: {missing} not in {text!r}"
    plt.close(fig)


@pytest.mark.parametrize("name", list(figures.ALL))
def test_no_axis_speaks_in_powers_of_ten(name, any_review):
    """Tick labels are plain numbers (the lesion sizes in cm, the months), never mathtext."""
    fig = figures.ALL[name](any_review)
    fig.canvas.draw()
    for ax in fig.axes:
        for tick in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            label = tick.get_text()
            assert "10^" not in label and "$" not in label and "\\times" not in label, label
    plt.close(fig)


def test_lesion_size_ticks_read_as_centimetres(any_review):
    fig = figures.lesion_size_and_outcome(any_review)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d+(\.\d+)?", label) for label in labels), labels
    assert "cm" in ax.get_xlabel()
    # each label names its tick's position
    assert [float(label) for label in labels] == pytest.approx(
        [t for t in ax.get_xticks() if t >= ax.get_xlim()[0]][: len(labels)]
    )
    plt.close(fig)


def test_each_disease_is_labelled_once(any_review):
    fig = figures.underlying_diseases(any_review)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == any_review.diseases["disease"].nunique() == len(set(labels))
    for label in labels:
        inner = re.fullmatch(r"(.*) \((.*)\)", label)
        if inner:  # "name (abbreviation)": the abbreviation is not the name again
            name, abbreviation = inner.groups()
            assert abbreviation.lower() not in name.lower(), label
            assert " " not in abbreviation, label
    plt.close(fig)


def test_disease_bars_use_the_width_and_counts_keep_clear_of_the_legend(any_review):
    fig = figures.underlying_diseases(any_review)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    figure_box = fig.bbox
    longest = max(p.get_window_extent(renderer).x1 for p in ax.patches)
    assert (longest - ax.bbox.x0) / figure_box.width > 0.45  # the longest bar spans the width
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x1 <= figure_box.x1 + 1 and legend.x0 >= figure_box.x0 - 1  # not cut off
    for text in ax.texts:
        assert not text.get_window_extent(renderer).overlaps(legend), text.get_text()
    for patch in ax.patches:
        assert not patch.get_window_extent(renderer).overlaps(legend)
    plt.close(fig)


# ---------------------------------------------------------------- forest plots


def _fits(review):
    data = pooling.events_per_study(review)
    for method in ("glmm", "reml"):
        for (kind, key), fit in pooling.fit_groups(data, review, method).items():
            if fit.result.k >= 2:
                yield f"{method}-{kind}-{key}", fit


def _texts_in_row(side, y) -> list[str]:
    return [
        t.get_text()
        for t in sorted(side.texts, key=lambda t: t.get_position()[0])
        if t.get_position()[1] == y
    ]


def test_every_forest_plot_has_its_numbers_beside_it(any_review):
    """For every group of both models: each row's events/n, proportion [95% CI] and weight
    are the fit's numbers, formatted; the caption names what is drawn; the alt text gives
    the pooled estimate."""
    checked = 0
    for name, fit in _fits(any_review):
        r = fit.result
        weighted = r.method != "glmm"
        pages = forest.forest_pages(r, fit.label, per_page=max(2, r.k - 1))
        rows = []
        for fig in pages:
            ax, side = fig.axes[0], fig.axes[1]
            ticks = list(ax.get_yticks())
            labels = [t.get_text() for t in ax.get_yticklabels()]
            rows += [
                (label, _texts_in_row(side, y)) for label, y in zip(labels, ticks, strict=True)
            ]
            caption = ax.get_xlabel()
            assert "orange" not in caption
            drew_pi = any(
                c.get_colors().size
                and tuple(c.get_colors()[0][:3])
                == matplotlib.colors.to_rgb(style.COLOURS["prediction"])
                for c in ax.collections
                if hasattr(c, "get_colors")
            )
            assert ("amber bar" in caption) == drew_pi, (name, caption)
            assert ("no study weights" in caption) == (not weighted), (name, caption)
        studies = r.studies
        assert len(rows) == r.k + 1, name
        for (label, texts), s in zip(rows, studies.itertuples(), strict=False):
            weight = f"{s.weight:.1f}%" if weighted else "–"
            assert label == s.label
            assert texts == [
                f"{s.events}/{s.n}",
                f"{_pct(s.proportion)} [{_pct(s.ci_low)[:-1]}–{_pct(s.ci_high)}]",
                weight,
            ], name
        label, texts = rows[-1]
        assert label.startswith(f"Pooled ({pooling.model_name(r)})")
        assert texts[0] == f"{int(studies['events'].sum())}/{int(studies['n'].sum())}"
        alt = figures.description(pages[-1])
        assert alt.startswith(f"Forest plot, {fit.label}")
        if r.converged and np.isfinite(r.ci_low):
            estimate = f"{_pct(r.proportion)} [{_pct(r.ci_low)[:-1]}–{_pct(r.ci_high)}]"
            assert texts[1] == estimate and f"pooled proportion {estimate}" in alt, name
            assert texts[2] == ("100%" if weighted else "–")
            if np.isfinite(r.pi_low):
                assert f"prediction interval {_pct(r.pi_low)}–{_pct(r.pi_high)}" in alt
        else:
            assert texts[1] == "not estimable" and "not estimable" in alt
        for fig in pages:
            assert f"of {r.k}" in figures.description(fig) or f"{r.k} studies" in (
                figures.description(fig)
            )
        plt.close("all")
        checked += 1
    assert checked


def test_leave_one_out_plots_say_what_they_show(review):
    data = pooling.events_per_study(review)
    fits = pooling.fit_groups(data, review, "glmm")
    frames = pooling.leave_one_out_groups(fits)
    assert frames
    for group, frame in frames.items():
        fit = fits[group]
        fig = forest.leave_one_out(fit, frame, fit.label)
        alt = figures.description(fig)
        r = fit.result
        assert alt.startswith(f"Leave-one-out plot, {fit.label}")
        assert f"without each of the {len(frame)} studies" in alt
        assert f"with all {r.k}: {_pct(r.proportion)} [" in alt
        plt.close(fig)


# ---------------------------------------------------------------- PRISMA


@pytest.fixture(params=["new review", "updated review"])
def prisma_review(request, review, grown):
    return review.paper_edition() if request.param == "new review" else grown


def _segment_meets_box(p, q, box) -> bool:
    """Whether the segment p–q meets the rectangle (x0, y0, x1, y1) (Liang–Barsky)."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, low, high, start in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if d == 0:
            if not low <= start <= high:
                return False
            continue
        a, b = (low - start) / d, (high - start) / d
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
        if t0 > t1:
            return False
    return True


def test_prisma_says_records_identified_from_once(prisma_review):
    fig = prisma_flow.diagram(prisma_review)
    texts = [" ".join(t.get_text().split()) for t in fig.axes[0].texts]
    search_boxes = [t for t in texts if "Records identified from" in t]
    assert len(search_boxes) == 1  # one search box in either template
    (box,) = search_boxes
    assert box.count("Records identified from") == 1
    assert box.lower().count("identified from") == 1
    plt.close(fig)


def test_no_prisma_arrow_meets_a_box_it_does_not_join(prisma_review):
    """From the artists' geometry, in display pixels: each arrow starts at one box and ends
    at another, and its segment keeps 2 pixels clear of every other box."""
    fig = prisma_flow.diagram(prisma_review)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [
        p.get_window_extent(renderer).padded(2) for p in ax.patches if isinstance(p, FancyBboxPatch)
    ]
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert arrows
    for arrow in arrows:
        tail = ax.transData.transform(arrow.xyann)
        head = ax.transData.transform(arrow.xy)
        ends = [b for b in boxes if b.contains(*tail) or b.contains(*head)]
        assert len(ends) == 2, f"arrow {arrow.xyann} -> {arrow.xy} joins {len(ends)} boxes"
        for b in boxes:
            if any(b is e for e in ends):
                continue
            assert not _segment_meets_box(tail, head, b.extents), (
                f"arrow {arrow.xyann} -> {arrow.xy} meets a box"
            )
    plt.close(fig)


def test_the_arrow_check_finds_a_grazing_arrow(prisma_review):
    """The check above can fail: a segment along a box's edge is found."""
    fig = prisma_flow.diagram(prisma_review)
    fig.canvas.draw()
    (x0, y0, x1, y1) = next(
        p.get_window_extent() for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)
    ).extents
    assert _segment_meets_box((x0 - 50, y0), (x1 + 50, y0), (x0, y0, x1, y1))
    assert not _segment_meets_box((x0 - 50, y0 - 3), (x1 + 50, y0 - 3), (x0, y0, x1, y1))
    plt.close(fig)


def test_prisma_alt_text_gives_the_counts(prisma_review):
    fig = prisma_flow.diagram(prisma_review)
    alt = figures.description(fig)
    assert alt.startswith("PRISMA 2020 flow diagram")
    for box, row in prisma_review.prisma.iterrows():
        n = row["count"]
        said = prisma_flow.NOT_REPORTED if is_missing(n) else str(int(n))
        assert f"{' '.join(str(row['label']).split())}: {said}" in alt, box
    plt.close(fig)


# ---------------------------------------------------------------- display and template


def _shown(text: str):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    figures.describe(fig, text)
    return figures.show(fig, "tiny")


HOSTILE = 'Response "73%" <script>alert(1)</script> & 1 < 2'


def test_a_shown_figure_displays_its_image_with_its_alt_text():
    from IPython.core.formatters import DisplayFormatter

    shown = _shown(HOSTILE)
    data, metadata = DisplayFormatter().format(shown)
    assert metadata == {"image/png": {"alt": HOSTILE}}
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"] == f"Figure: {HOSTILE}" == repr(shown)
    assert " at 0x" not in data["text/plain"]


def test_a_shown_figure_is_the_same_bytes_every_time():
    assert _shown("same").png() == _shown("same").png()


def test_saved_files_carry_the_description(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1])
    figures.describe(fig, HOSTILE)
    figures.save(fig, "tiny", tmp_path)
    svg = (tmp_path / "figures" / "tiny.svg").read_text(encoding="utf-8")
    assert html.escape(HOSTILE, quote=False) in svg and "<script>" not in svg
    png = (tmp_path / "figures" / "tiny.png").read_bytes()
    assert b"Description" in png
    plt.close(fig)


def _notebook(outputs):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("show()", outputs=outputs))
    return nb


@pytest.mark.parametrize("reviewer", [True, False])
def test_the_report_template_puts_the_alt_text_on_the_image(reviewer):
    from IPython.core.formatters import DisplayFormatter

    from helpers.build.html import to_html

    data, metadata = DisplayFormatter().format(_shown(HOSTILE))
    plain = {"image/png": data["image/png"], "text/plain": "no metadata"}
    svg = {"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"></svg>'}
    page = to_html(
        _notebook(
            [
                nbformat.v4.new_output("display_data", data=data, metadata=metadata),
                nbformat.v4.new_output("display_data", data=plain),
                nbformat.v4.new_output(
                    "display_data", data=svg, metadata={"image/svg+xml": {"alt": HOSTILE}}
                ),
            ]
        ),
        "tiny",
        reviewer,
    )
    from bs4 import BeautifulSoup

    images = BeautifulSoup(page, "html.parser").find_all("img")
    assert [img.get("alt") for img in images] == [
        HOSTILE,
        "No description has been provided for this image",  # nbconvert's, where none is given
        HOSTILE,
    ]
    assert "<script>alert(1)" not in page


def test_a_forest_plot_on_a_given_axes_keeps_its_columns(review):
    for _name, fit in _fits(review):
        fig, ax = plt.subplots(figsize=(6, 4))
        assert forest.forest(fit.result, fit.label, ax=ax) is fig
        (side,) = ax.child_axes
        texts = {t.get_text() for t in side.texts}
        assert set(forest.COLUMNS.values()) <= texts
        assert {f"{s.events}/{s.n}" for s in fit.result.studies.itertuples()} <= texts
        plt.close(fig)
