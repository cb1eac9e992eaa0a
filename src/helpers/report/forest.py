"""Figures of the meta-analysis: forest plots, one row per study, paginated for long lists."""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from helpers.analysis.meta import PooledProportion
from helpers.analysis.pooling import LEAVE_ONE_OUT_MIN, GroupFit, model_name
from helpers.data import escape
from helpers.data.values import is_missing
from helpers.report import style
from helpers.report.figures import (
    FigureImage,
    describe,
    percent,
    percent_interval,
    save,
)
from helpers.report.pooled_results import leave_one_out_table
from helpers.report.tables import text_table

__all__ = [
    "COLUMNS",
    "ROWS_PER_PAGE",
    "forest",
    "forest_pages",
    "leave_one_out",
    "show_forests",
    "show_leave_one_out",
    "study_columns",
    "weight_meaning",
]

ROWS_PER_PAGE = 40


#: The numeric columns beside a forest plot: their headers and the right edge of each in the
#: columns' own axes (0 to 1, beside the plot).
COLUMNS = {"events": "Events/n", "estimate": "Proportion [95% CI]", "weight": "Weight"}
_COLUMN_X = {"events": 0.2, "estimate": 0.72, "weight": 0.98}


def weight_meaning(result: PooledProportion) -> str | None:
    """What a study's weight is in the model of ``result``, or None when the model has none.

    Parameters
    ----------
    result : PooledProportion
        A pooled result.

    Returns
    -------
    str or None
        For the inverse-variance models, the study's share of the random-effects weights
        ``1 / (v_i + tau²)`` on the model's scale; for crude pooling, its share of the
        patients; None for the GLMM, which gives no study weights, and for one study.
    """
    if result.k < 2 or not result.studies["weight"].notna().any():
        return None
    if result.method == "crude":
        return "weight: the study's share of all patients"
    scale = "double-arcsine" if result.method == "ft" else "logit"
    return (
        "weight: the study's share of the random-effects inverse-variance weights "
        f"1/(vᵢ + τ²), {scale} scale"
    )


def study_columns(result: PooledProportion) -> pd.DataFrame:
    """The texts of the numeric columns of a forest plot, one row per study and a pooled row.

    Parameters
    ----------
    result : PooledProportion
        A pooled result.

    Returns
    -------
    DataFrame
        Columns ``label`` and those of :data:`COLUMNS`: events/n, the proportion with its
        exact 95% CI ("73% [60–83%]", :func:`helpers.report.figures.percent_interval`) and
        the weight in percent with one decimal ("–" where the model gives none,
        :func:`weight_meaning`). The last row is the pooled estimate: all events over all
        patients, the model's estimate and CI ("not estimable" when it has none), and
        "100%" where the studies have weights.
    """
    weighted = weight_meaning(result) is not None
    rows = [
        {
            "label": r.label,
            "events": f"{r.events}/{r.n}",
            "estimate": percent_interval(r.proportion, r.ci_low, r.ci_high),
            "weight": f"{r.weight:.1f}%" if weighted and not is_missing(r.weight) else "–",
        }
        for r in result.studies.itertuples()
    ]
    ok = result.converged and math.isfinite(result.ci_low)
    rows.append(
        {
            "label": f"Pooled ({model_name(result)})",
            "events": f"{result.events}/{result.n}",
            "estimate": (
                percent_interval(result.proportion, result.ci_low, result.ci_high)
                if ok
                else "not estimable"
            ),
            "weight": "100%" if weighted and ok else "–",
        }
    )
    return pd.DataFrame(rows)


def forest(
    result: PooledProportion,
    title: str = "",
    ax=None,
    rows: slice | None = None,
    show_pooled: bool = True,
):
    """A forest plot of one pooled result, with its numbers in columns beside it.

    Each study's proportion and exact CI, then the pooled diamond and, where the model
    gives one, the prediction interval; to the right, each row's events/n, proportion
    with 95% CI and weight (:func:`study_columns`). The x axis label says what is drawn,
    from what was drawn; the figure's description (its alt text,
    :func:`helpers.report.figures.describe`) gives the studies and the pooled estimate.

    Parameters
    ----------
    result : PooledProportion
        From :func:`helpers.analysis.meta.pool_proportions`.
    title : str
        Title above the plot.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted. With an Axes given, the columns
        are drawn in an inset to its right (60% of its width), and the figure's layout is
        left to the caller.
    rows : slice, optional
        Which studies to draw (for pagination; see :func:`forest_pages`).
    show_pooled : bool
        Draw the pooled diamond and prediction interval (the last page of a paginated plot).

    Returns
    -------
    matplotlib Figure
        The figure drawn on.

    Long: the study rows, the pooled row and the columns share one y axis; split, the
    axis would be laid out in several places.
    """
    style.use()
    columns = study_columns(result)
    pooled_texts = columns.iloc[-1]
    columns = columns.iloc[:-1]
    if rows is not None:
        columns = columns.iloc[rows]
    studies = result.studies.iloc[rows] if rows is not None else result.studies
    k = len(studies)
    extra = 2 if show_pooled else 0
    own = ax is None
    if own:
        _, (ax, side) = plt.subplots(
            1,
            2,
            figsize=(10, 0.28 * (k + extra) + 1.6),
            sharey=True,
            gridspec_kw={"width_ratios": [5, 3]},
        )
    else:
        side = ax.inset_axes([1.02, 0, 0.6, 1], sharey=ax)
    side.set_axis_off()
    side.set_xlim(0, 1)
    y = np.arange(k, 0, -1) + extra
    weights = studies["weight"].fillna(0).to_numpy()
    by_weight = weights.max() > 0
    sizes = 20 + 180 * (weights / weights.max() if by_weight else np.ones(k) * 0.2)
    ax.hlines(y, studies["ci_low"], studies["ci_high"], color=style.COLOURS["study"], lw=1)
    ax.scatter(
        studies["proportion"], y, s=sizes, marker="s", color=style.COLOURS["study"], zorder=3
    )
    ticks, ticklabels = list(y), list(columns["label"])
    drawn = [
        "Proportion with its exact 95% CI (Clopper–Pearson)",
        "square area by weight" if by_weight else "squares of equal size",
    ]
    table = [(yy, r) for yy, (_, r) in zip(y, columns.iterrows(), strict=True)]
    pi = None
    if show_pooled:
        ok = result.converged and math.isfinite(result.ci_low)
        if ok:
            if math.isfinite(result.pi_low):
                pi = (result.pi_low, result.pi_high)
                ax.hlines(
                    1,
                    result.pi_low,
                    result.pi_high,
                    color=style.COLOURS["prediction"],
                    lw=2.5,
                    alpha=0.6,
                )
            diamond = [
                (result.ci_low, 1),
                (result.proportion, 1.3),
                (result.ci_high, 1),
                (result.proportion, 0.7),
            ]
            ax.fill(
                [p[0] for p in diamond],
                [p[1] for p in diamond],
                color=style.COLOURS["pooled"],
                zorder=4,
            )
            drawn.append(f"{style.colour_name('pooled')} diamond: pooled estimate and 95% CI")
            if pi is not None:
                drawn.append(
                    f"{style.colour_name('prediction')} bar behind it: 95% prediction interval"
                )
            ticks.append(1)
            ticklabels.append(pooled_texts["label"])
        else:
            ticks.append(1)
            ticklabels.append(f"{pooled_texts['label']}: not estimable")
        table.append((1, pooled_texts))
    meaning = weight_meaning(result)
    drawn.append(meaning or f"no study weights ({model_name(result)})")
    ax.set_yticks(ticks, ticklabels)
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v)))
    top = k + extra + 0.7
    ax.set_ylim(0.3, top + 0.6)
    for key, header in COLUMNS.items():
        side.text(
            _COLUMN_X[key],
            top,
            header,
            ha="right",
            va="bottom",
            weight="bold",
            fontsize=style.FONT_SIZE - 1,
        )
        for yy, texts in table:
            side.text(
                _COLUMN_X[key],
                yy,
                texts[key],
                ha="right",
                va="center",
                fontsize=style.FONT_SIZE - 1,
            )
    ax.set_xlabel(
        textwrap.fill("; ".join(drawn), width=110),
        fontsize=style.FONT_SIZE - 1,
    )
    if title:
        ax.set_title(title, loc="left")
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    if own:  # a caller's Axes: the caller lays out its figure
        ax.figure.tight_layout()
    first = (rows.start or 0) if rows is not None else 0
    part = (
        f"studies {first + 1} to {first + k} of {result.k}"
        if k < result.k
        else _count(result.k, "study", "studies")
    )
    text = (
        f"Forest plot{', ' + title if title else ''}: {part} "
        f"({result.events} events in {_count(result.n, 'patient')} in all), each with its "
        "proportion and exact 95% CI"
    )
    if show_pooled:
        if result.converged and math.isfinite(result.ci_low):
            text += f"; pooled proportion {pooled_texts['estimate']} ({model_name(result)})" + (
                f", 95% prediction interval {percent(pi[0])}–{percent(pi[1])}" if pi else ""
            )
        else:
            text += f"; the pooled proportion ({model_name(result)}) is not estimable"
    return describe(ax.figure, text + ".")


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def forest_pages(result: PooledProportion, title: str = "", per_page: int = ROWS_PER_PAGE) -> list:
    """A forest plot split into pages of at most ``per_page`` studies.

    The pooled row is on the last page; the titles say "(page i of n)" when there is
    more than one.

    Parameters
    ----------
    result : PooledProportion
        From :func:`helpers.analysis.meta.pool_proportions`.
    title : str
        Title above each page.
    per_page : int
        The most studies on a page.

    Returns
    -------
    list of matplotlib Figure
        One figure per page (at least one).
    """
    k = len(result.studies)
    pages = max(1, math.ceil(k / per_page))
    figures = []
    for i in range(pages):
        rows = slice(i * per_page, min(k, (i + 1) * per_page))
        suffix = f" (page {i + 1} of {pages})" if pages > 1 else ""
        figures.append(forest(result, title + suffix, rows=rows, show_pooled=i == pages - 1))
    return figures


def show_forests(
    fits: dict[tuple[str, str], GroupFit],
    outcome_label: str,
    output_dir=None,
    prefix: str = "forest",
) -> None:
    """Display a (paginated) forest plot for every group with two or more studies, and save them.

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).
    outcome_label : str
        The outcome in words, after the group's label in each title.
    output_dir : str or Path, optional
        The run's output folder; None writes nothing.
    prefix : str
        Start of the file names, ``<prefix>-<key>-<page>``.
    """
    from IPython.display import display

    for (_kind, key), fit in fits.items():
        if fit.result.k < 2:
            continue
        for i, fig in enumerate(forest_pages(fit.result, f"{fit.label}: {outcome_label}")):
            name = f"{prefix}-{key}-{i + 1}"
            save(fig, name, output_dir)
            plt.close(fig)
            display(FigureImage(fig, name))


def leave_one_out(fit: GroupFit, frame: pd.DataFrame, title: str = ""):
    """The pooled proportion without each study in turn, beside the estimate with all studies.

    One row per omitted study; a model without the study that is not estimable is named,
    with no marker.

    Parameters
    ----------
    fit : GroupFit
        The group with all its studies (:func:`helpers.analysis.pooling.fit_with_fallback`).
    frame : DataFrame
        :func:`helpers.analysis.pooling.leave_one_out` for that group.
    title : str
        Title above the plot.

    Returns
    -------
    matplotlib Figure
        A new figure.
    """
    style.use()
    r = fit.result
    k = len(frame)
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * k + 1.2))
    y = np.arange(k, 0, -1)
    ax.axvspan(r.ci_low, r.ci_high, color=style.COLOURS["pooled"], alpha=0.12, lw=0)
    ax.axvline(r.proportion, color=style.COLOURS["pooled"], lw=1)
    ok = frame["converged"].to_numpy(bool) & np.isfinite(frame["proportion"].to_numpy(float))
    ax.hlines(y[ok], frame["ci_low"][ok], frame["ci_high"][ok], color=style.COLOURS["study"], lw=1)
    ax.scatter(
        frame["proportion"][ok], y[ok], marker="s", s=25, color=style.COLOURS["study"], zorder=3
    )
    labels = [
        f"without {row.omitted}" + ("" if good else ": not estimable")
        for row, good in zip(frame.itertuples(), ok, strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0.3, k + 0.7)
    ax.set_xlabel(f"Proportion (95% CI), {model_name(r)}; line and shading: all {r.k} studies")
    if title:
        ax.set_title(title, loc="left")
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    fig.tight_layout()
    estimates = frame["proportion"][ok]
    text = (
        f"Leave-one-out plot{', ' + title if title else ''}: the pooled proportion "
        f"({model_name(r)}) without each of the {_count(k, 'study', 'studies')} in turn"
    )
    if len(estimates):
        text += f", from {percent(estimates.min())} to {percent(estimates.max())}"
    text += f"; with all {r.k}: {percent_interval(r.proportion, r.ci_low, r.ci_high)}"
    if (~ok).any():
        text += f"; {int((~ok).sum())} not estimable"
    return describe(fig, text + ".")


def show_leave_one_out(
    fits: dict[tuple[str, str], GroupFit],
    frames: dict,
    output_dir=None,
    prefix: str = "leave-one-out",
) -> None:
    """Show the leave-one-out analysis of every group: a heading, the table and the plot.

    The groups are those of :func:`helpers.analysis.pooling.leave_one_out_groups`; each
    plot is saved.

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).
    frames : dict
        ``{(kind, key): DataFrame}`` (:func:`helpers.analysis.pooling.leave_one_out_groups`).
    output_dir : str or Path, optional
        The run's output folder; None writes nothing.
    prefix : str
        Start of each table's name and figure's file name, ``<prefix>-<key>``.
    """
    from IPython.display import Markdown, display

    display(Markdown(f"Groups of at least {LEAVE_ONE_OUT_MIN} studies whose model is estimable."))
    if not frames:
        display(
            Markdown(
                "No group has enough studies and an estimable model for a leave-one-out analysis."
            )
        )
    for (kind, key), frame in frames.items():
        fit = fits[(kind, key)]
        display(
            Markdown(
                f"### {escape.markdown(fit.label)}\n\nWith all {fit.result.k} studies: "
                f"{fit.result.proportion:.2f} [{fit.result.ci_low:.2f}, {fit.result.ci_high:.2f}] "
                f"({escape.markdown(fit.model)})."
            )
        )
        display(text_table(leave_one_out_table(fit, frame), name=f"{prefix}-{key}"))
        fig = leave_one_out(fit, frame, f"{fit.label}: leave one out")
        save(fig, f"{prefix}-{key}", output_dir)
        plt.close(fig)
        display(FigureImage(fig, f"{prefix}-{key}"))
