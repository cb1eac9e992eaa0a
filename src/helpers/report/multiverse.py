"""The multiverse in the report: the choices in words, the summary table, the specification
curves, and the files notebook 09 writes (``multiverse.csv``, ``multiverse_summary.csv``),
read back by the front page through :func:`read_summary` and :func:`front_page_rows`.

A specification curve (Simonsohn, Simmons and Nelson 2020) has two panels sharing one axis
of specifications sorted by their estimate: above, each estimable specification's pooled
proportion with its confidence interval; below, the matrix of choices, one row per option
with a mark where a specification uses it. Specifications with no estimate cannot be placed
on the curve: they are counted in the title and shown apart, on the right, as a count per
option, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from helpers.analysis.multiverse import (
    CHOICE_NAMES,
    CHOICES,
    COLUMNS,
    MAJORITY,
    NO_STUDY,
    NONE_OMITTED,
    SUMMARY_COLUMNS,
    Multiverse,
    model_key,
    option_labels,
)
from helpers.analysis.pooling import LEAVE_ONE_OUT_MIN, SINGLE_STUDY_NOTE, percent_text
from helpers.data.escape import read_csv, write_csv
from helpers.data.paths import project_path
from helpers.data.values import count_noun, is_missing
from helpers.report import style
from helpers.report.figures import FigureImage, describe, show

__all__ = [
    "FRONT_PAGE_COLUMNS",
    "MULTIVERSE_CSV",
    "MULTIVERSE_SUMMARY_CSV",
    "SUMMARY_TEXT_COLUMNS",
    "choices_table",
    "counts_text",
    "curves_text",
    "files_text",
    "front_page_rows",
    "read_summary",
    "show_curves",
    "specification_curve",
    "summary_rule_text",
    "summary_table",
    "write_multiverse",
]

#: The file of every specification notebook 09 writes to its output folder.
MULTIVERSE_CSV = "multiverse.csv"
#: The file of the summary per group notebook 09 writes; the front page reads it.
MULTIVERSE_SUMMARY_CSV = "multiverse_summary.csv"
#: The columns of :data:`~helpers.analysis.multiverse.SUMMARY_COLUMNS` that hold text.
SUMMARY_TEXT_COLUMNS = ("kind", "group", "label", "choice", "choice_low", "choice_high")
#: The columns of :func:`front_page_rows` (and of :func:`summary_table`).
FRONT_PAGE_COLUMNS = [
    "Group",
    "Specifications",
    "Not estimable",
    "Median [lowest–highest]",
    f"CI above {percent_text(MAJORITY, 0)}",
    f"CI below {percent_text(MAJORITY, 0)}",
    "The choice that moves the estimate most",
]
#: Colours of the curve's points: interval above the threshold, below it, or across it.
_ABOVE, _BELOW, _ACROSS = (
    style.OKABE_ITO["green"],
    style.OKABE_ITO["vermillion"],
    style.OKABE_ITO["blue"],
)


def _option_words(choice: str, option) -> str:
    """An option of a choice in words (a study left out by its label)."""
    if choice == "omitted":
        return "no study left out" if option == NONE_OMITTED else f"{option} left out"
    return option_labels()[choice].get(option, str(option))


def choices_table(mv: Multiverse) -> pd.DataFrame:
    """The choices of the multiverse and their options, in words, with counts.

    Parameters
    ----------
    mv : Multiverse
        :func:`helpers.analysis.multiverse.multiverse`.

    Returns
    -------
    DataFrame
        One row per choice of :data:`~helpers.analysis.multiverse.CHOICES`: ``choice``,
        ``options`` (in words, "; "-separated) and ``number of options`` (for the study
        left out: none, and each study of a group of at least
        :data:`~helpers.analysis.pooling.LEAVE_ONE_OUT_MIN` studies).
    """
    labels = option_labels()
    rows = [
        {
            "choice": CHOICE_NAMES[c].capitalize(),
            "options": "; ".join(labels[c].values()),
            "number of options": len(labels[c]),
        }
        for c in CHOICES[:-1]
    ]
    studies = mv.table["omitted_ref"].dropna().nunique()
    rows.append(
        {
            "choice": CHOICE_NAMES["omitted"].capitalize(),
            "options": "none; each study in turn, where the choices above leave its group "
            f"at least {LEAVE_ONE_OUT_MIN} studies ({count_noun(studies, 'study', 'studies')} "
            "in all)",
            "number of options": 1 + studies,
        }
    )
    return pd.DataFrame(rows)


def counts_text(mv: Multiverse) -> str:
    """The multiverse's counts in one paragraph (Markdown-safe: numbers and fixed words).

    Parameters
    ----------
    mv : Multiverse
        :func:`helpers.analysis.multiverse.multiverse`.

    Returns
    -------
    str
        The specifications and groups, how many are estimable and not (and how many of
        those have no study left, and how many a single study), and the distinct fits run.
    """
    t = mv.table
    n_groups = len(t[["kind", "group"]].drop_duplicates())
    estimable = int(t["estimable"].sum())
    empty = int((t["warnings"] == NO_STUDY).sum())
    single = int((t["warnings"] == SINGLE_STUDY_NOTE).sum())
    return (
        f"**{count_noun(len(t), 'specification')}** over {count_noun(n_groups, 'group')} "
        "(each modality, and each family of several modalities): "
        f"{estimable} estimable, {len(t) - estimable} not estimable ({empty} of them because "
        f"their choices leave the group no study, {single} because they leave it a single "
        "study, which is not pooled). They share their data: "
        f"{count_noun(mv.fits, 'distinct fit')} (each distinct set of studies once per model) "
        "give every number."
    )


def summary_rule_text() -> str:
    """The summary rule of :func:`helpers.analysis.multiverse.summary` in words, for the report.

    Returns
    -------
    str
        One paragraph naming the threshold (:data:`~helpers.analysis.multiverse.MAJORITY`)
        and why it is the one used.
    """
    threshold = percent_text(MAJORITY, 0)
    return (
        "This is the project's summary rule for a multiverse "
        "(`helpers.analysis.multiverse.summary`). Over a group's estimable specifications: the "
        "median pooled proportion, with the lowest and highest; the share whose confidence "
        f"interval lies entirely above {threshold} and the share entirely below it. "
        f"{threshold} is the threshold because it needs no judgment of what response rate is "
        "worthwhile, which the paper does not give: above it, more patients respond than not. "
        "The choice that moves the estimate most is found by taking, for each choice, the "
        "median of the specifications with each of its options; the choice whose medians lie "
        "furthest apart is named, with that distance and its two options (for the study left "
        "out, the study)."
    )


def curves_text() -> str:
    """What the specification curves show, in words, for the report.

    Returns
    -------
    str
        One paragraph: the curve, its colours against
        :data:`~helpers.analysis.multiverse.MAJORITY`, the matrix of choices and the
        specifications with no estimate.
    """
    return (
        "One figure per group. Above, each estimable specification's pooled proportion with "
        "its confidence interval, sorted from lowest to highest, coloured by where the "
        f"interval lies against {percent_text(MAJORITY, 0)} (dashed line). Below, the matrix "
        "of choices: one row per option, a mark under each specification that uses it, so a "
        "run of marks shows which options the high or low estimates share. Specifications with "
        "no estimate (a GLMM on studies all at 100%, a group a choice leaves with no study or a "
        "single one) cannot be placed on the curve: the title counts them and the panel on "
        "the right counts them by option."
    )


def files_text(written: list, mv: Multiverse) -> str:
    """What :func:`write_multiverse` wrote, in words (file names only, never a path).

    Parameters
    ----------
    written : list of Path
        :func:`write_multiverse`'s files.
    mv : Multiverse
        The multiverse written.

    Returns
    -------
    str
        One sentence.
    """
    if not written:
        return "No output folder was given: nothing was written."
    groups = len(mv.table[["kind", "group"]].drop_duplicates())
    return (
        f"Written: `{MULTIVERSE_CSV}` ({count_noun(len(mv.table), 'row')}, one per "
        f"specification) and `{MULTIVERSE_SUMMARY_CSV}` ({count_noun(groups, 'row')}, one per "
        "group)."
    )


def _choice_text(row) -> str:
    """The summary's choice that moves the estimate most, in words."""
    if int(row["estimable"]) == 0:
        return "none (no specification has an estimate)"
    if not row["choice"] or is_missing(row["choice"]):
        return "none (fewer than two options with an estimate)"
    points = f"{100 * float(row['choice_range']):.1f} percentage points"
    low = _option_words(row["choice"], row["choice_low"])
    high = _option_words(row["choice"], row["choice_high"])
    return f"{CHOICE_NAMES[row['choice']]}: {points} between the medians of {low} and {high}"


def front_page_rows(summary: pd.DataFrame) -> list[list[str]]:
    """The multiverse per group in words, for the front page: one row per group.

    Parameters
    ----------
    summary : DataFrame
        :func:`helpers.analysis.multiverse.summary`, or :func:`read_summary` of the file
        notebook 09 writes.

    Returns
    -------
    list of list of str
        One row per group, in the summary's order, the cells of :data:`FRONT_PAGE_COLUMNS`:
        the group's label; its specifications; how many are not estimable; the median
        pooled proportion of the estimable ones with their lowest and highest; the share
        whose interval lies entirely above and entirely below 50%; the choice that moves the
        estimate most. Texts are not escaped (the template, or the table formatter, does).
    """
    rows = []
    for _, row in summary.iterrows():
        none = int(row["estimable"]) == 0
        rows.append(
            [
                str(row["label"]),
                str(int(row["specifications"])),
                str(int(row["not_estimable"])),
                "no estimate"
                if none
                else f"{percent_text(row['median'])} "
                f"[{percent_text(row['lowest'])}–{percent_text(row['highest'])}]",
                "–" if none else percent_text(row["share_above"]),
                "–" if none else percent_text(row["share_below"]),
                _choice_text(row),
            ]
        )
    return rows


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary per group in words, to show with :func:`helpers.report.tables.text_table`.

    Parameters
    ----------
    summary : DataFrame
        :func:`helpers.analysis.multiverse.summary`.

    Returns
    -------
    DataFrame
        :data:`FRONT_PAGE_COLUMNS`, one row per group (:func:`front_page_rows`).
    """
    return pd.DataFrame(front_page_rows(summary), columns=FRONT_PAGE_COLUMNS)


def write_multiverse(mv: Multiverse, output_dir) -> list[Path]:
    """Write :data:`MULTIVERSE_CSV` and :data:`MULTIVERSE_SUMMARY_CSV` under ``output_dir``.

    Parameters
    ----------
    mv : Multiverse
        :func:`helpers.analysis.multiverse.multiverse`.
    output_dir : str or Path or None
        The run's output folder (relative paths from the project root); None writes nothing.

    Returns
    -------
    list of Path
        The files written (numbers rounded to 6 decimals, text that a spreadsheet would read
        as a formula neutralised: :func:`helpers.data.escape.write_csv`); empty for None.
    """
    if output_dir is None:
        return []
    folder = project_path(output_dir)
    return [
        write_csv(mv.table[COLUMNS], folder / MULTIVERSE_CSV, decimals=6),
        write_csv(mv.summary(), folder / MULTIVERSE_SUMMARY_CSV, decimals=6),
    ]


def read_summary(path) -> pd.DataFrame:
    """Read ``multiverse_summary.csv`` as :func:`write_multiverse` wrote it.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    DataFrame
        The columns of :data:`~helpers.analysis.multiverse.SUMMARY_COLUMNS`: each text as it
        was written ("NA" is a label; the ``'`` that kept a formula from running is removed),
        each missing number NaN.

    Raises
    ------
    ValueError
        When the file does not hold those columns.
    """
    return read_csv(path, SUMMARY_COLUMNS, SUMMARY_TEXT_COLUMNS)


def _matrix_rows(part: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """The matrix's rows, top to bottom: each option in words, and which specifications use
    it (a boolean per row of ``part``)."""
    rows = []
    labels = option_labels()
    models = np.array(
        [model_key(m, t) for m, t in zip(part["method"], part["test"], strict=True)], dtype=object
    )
    for choice in CHOICES[:-1]:
        values = models if choice == "model" else part[choice].to_numpy()
        for option, words in labels[choice].items():
            rows.append((f"{CHOICE_NAMES[choice].capitalize()}: {words}", values == option))
    omitted = part["omitted"].to_numpy() == NONE_OMITTED
    rows.append(("Every study of the data set", omitted))
    rows.append(("One study left out", ~omitted))
    return rows


def _block_edges() -> list[float]:
    """Where the matrix's rows of one choice end and the next choice's begin."""
    sizes = [len(options) for options in option_labels().values()] + [2]
    return [float(edge) - 0.5 for edge in np.cumsum(sizes)[:-1]]


def specification_curve(table: pd.DataFrame, kind: str, key: str):
    """The specification curve of one group: the estimates sorted above, the choices below.

    Parameters
    ----------
    table : DataFrame
        the ``table`` of :class:`helpers.analysis.multiverse.Multiverse`.
    kind, key : str
        The group (``"modality"``, ``"topical_sts"``).

    Returns
    -------
    matplotlib Figure
        Described (:func:`helpers.report.figures.describe`) from the same rows: the counts of
        specifications, estimable and not, the spread of the estimates, the shares of
        intervals above and below 50%, and what each part of the figure shows. The dense
        layers (points, intervals, marks) are rasterized, so the files stay small.

    Raises
    ------
    ValueError
        When the table holds no specification of the group.

    Long: one figure of four panels drawn from one sort of the rows; its description
    counts what the panels draw.
    """
    part = table[(table["kind"] == kind) & (table["group"] == key)].reset_index(drop=True)
    if part.empty:
        raise ValueError(f"no specification of the group {kind} {key!r}")
    style.use()
    label = str(part["label"].iloc[0])
    ok = part["estimable"].to_numpy(dtype=bool)
    est = part[ok].sort_values(["proportion", "ci_low", "ci_high"], kind="stable")
    rows = _matrix_rows(part)
    fig, axes = plt.subplots(
        2,
        2,
        figsize=(9, 2.6 + 0.17 * len(rows)),
        gridspec_kw={"height_ratios": [2.4, 0.17 * len(rows)], "width_ratios": [6, 1]},
        sharex="col",
    )
    (top, note), (matrix, apart) = axes
    x = np.arange(len(est))
    p, lo, hi = (est[c].to_numpy(dtype=float) for c in ("proportion", "ci_low", "ci_high"))
    colour = np.where(lo > MAJORITY, _ABOVE, np.where(hi < MAJORITY, _BELOW, _ACROSS))
    segments = np.stack([np.column_stack([x, lo * 100]), np.column_stack([x, hi * 100])], axis=1)
    top.add_collection(
        LineCollection(
            segments,
            colors=colour,
            linewidths=0.4,
            alpha=float(np.clip(40 / max(len(est), 1), 0.15, 0.6)),
            rasterized=True,
        )
    )
    top.scatter(x, p * 100, s=4, c=colour, linewidths=0, rasterized=True, zorder=3)
    top.axhline(MAJORITY * 100, color=style.COLOURS["reference"], lw=0.8, ls="--")
    top.set_ylim(-2, 102)
    top.set_xlim(-0.5, max(len(est), 1) - 0.5)
    top.set_ylabel("Pooled proportion (%)")
    if not len(est):
        top.text(0.5, 0.5, "no estimable specification", transform=top.transAxes, ha="center")
    n_not = int((~ok).sum())
    top.set_title(
        f"{label}\n{count_noun(len(part), 'specification')}: {len(est)} estimable, "
        f"{n_not} not estimable (counted on the right)",
        loc="left",
    )
    order = est.index.to_numpy()
    for y, (_, used) in enumerate(rows):
        xs = np.flatnonzero(used[order])
        matrix.scatter(xs, np.full(len(xs), y), marker="|", s=18, lw=0.5, c="#333333",
                       rasterized=True)  # fmt: skip
    for y in _block_edges():
        matrix.axhline(y, color="#dddddd", lw=0.6)
        apart.axhline(y, color="#dddddd", lw=0.6)
    matrix.set_yticks(range(len(rows)), [r[0] for r in rows])
    matrix.tick_params(axis="y", length=0)
    matrix.set_ylim(len(rows) - 0.5, -0.5)
    if len(est):
        matrix.set_xlabel("Estimable specifications, sorted by pooled proportion")
    else:  # nothing to sort: no axis of positions that do not exist
        matrix.set_xticks([])
        matrix.set_xlabel("No estimable specification: nothing on the curve")
    counts = [int(used[~ok].sum()) for _, used in rows]
    apart.barh(range(len(rows)), counts, color=style.COLOURS["unknown"], height=0.7)
    for y, c in enumerate(counts):
        if c:
            apart.text(c, y, f" {c}", va="center", fontsize=style.FONT_SIZE - 2)
    apart.set_yticks([])
    apart.set_ylim(len(rows) - 0.5, -0.5)
    apart.set_xlim(0, max(max(counts), 1) * 1.35)
    apart.set_xticks([])
    apart.set_xlabel("Not estimable,\nby option")
    note.axis("off")
    threshold = percent_text(MAJORITY, 0)
    note.text(
        0.0,
        0.5,
        f"CI above {threshold}: {style.COLOUR_NAMES[_ABOVE]}\n"
        f"across {threshold}: {style.COLOUR_NAMES[_ACROSS]}\n"
        f"below {threshold}: {style.COLOUR_NAMES[_BELOW]}\n\n"
        f"{n_not} not estimable:\nno estimate, so\nnot on the curve",
        va="center",
        fontsize=style.FONT_SIZE - 1,
    )
    fig.tight_layout()
    return describe(fig, _curve_text(label, part, est, n_not, rows))


def _curve_text(label: str, part, est, n_not: int, rows) -> str:
    """The specification curve's description, from the rows it draws."""
    ne = len(est)
    if ne:
        above = int((est["ci_low"] > MAJORITY).sum())
        below = int((est["ci_high"] < MAJORITY).sum())
        spread = (
            f"The estimable pooled proportions run from {percent_text(est['proportion'].min())} "
            f"to {percent_text(est['proportion'].max())}, median "
            f"{percent_text(est['proportion'].median())}; the confidence interval lies "
            f"entirely above {percent_text(MAJORITY, 0)} in {above} of them "
            f"({style.COLOUR_NAMES[_ABOVE]}), entirely below in {below} "
            f"({style.COLOUR_NAMES[_BELOW]}) and across it in {ne - above - below} "
            f"({style.COLOUR_NAMES[_ACROSS]}). "
        )
    else:
        spread = "No specification is estimable. "
    return (
        f"Specification curve of {label}: {count_noun(len(part), 'specification')}, "
        f"{ne} estimable and {n_not} not estimable. {spread}"
        f"Below the curve, a matrix of {len(rows)} options of "
        f"{len(CHOICES)} choices marks those each specification uses; on the right, the "
        f"{n_not} not estimable specifications are counted by option."
    )


def show_curves(table: pd.DataFrame, output_dir=None) -> list[FigureImage]:
    """The specification curve of every group, saved as ``multiverse-<kind>-<group>``.

    Parameters
    ----------
    table : DataFrame
        the ``table`` of :class:`helpers.analysis.multiverse.Multiverse`.
    output_dir : str or Path, optional
        The run's output folder (:func:`helpers.report.figures.show`); None writes nothing.

    Returns
    -------
    list of FigureImage
        One per group, in the table's order.
    """
    groups = table[["kind", "group"]].drop_duplicates().itertuples(index=False)
    return [
        show(specification_curve(table, kind, key), f"multiverse-{kind}-{key}", output_dir)
        for kind, key in groups
    ]
