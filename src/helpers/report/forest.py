"""Figures of the meta-analysis: forest plots, one row per study, paginated for long lists."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.analysis.meta import PooledProportion
from helpers.analysis.pooling import LEAVE_ONE_OUT_MIN, GroupFit, model_name
from helpers.data import escape
from helpers.report import style
from helpers.report.figures import save
from helpers.report.pooled_results import leave_one_out_table
from helpers.report.tables import text_table

__all__ = [
    "ROWS_PER_PAGE",
    "forest",
    "forest_pages",
    "leave_one_out",
    "show_forests",
    "show_leave_one_out",
]

ROWS_PER_PAGE = 40


def forest(
    result: PooledProportion,
    title: str = "",
    ax=None,
    rows: slice | None = None,
    show_pooled: bool = True,
):
    """A forest plot of one pooled result.

    Each study's proportion and exact CI, then the pooled diamond.

    Parameters
    ----------
    result : PooledProportion
        From :func:`helpers.analysis.meta.pool_proportions`.
    title : str
        Title above the plot.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    rows : slice, optional
        Which studies to draw (for pagination; see :func:`forest_pages`).
    show_pooled : bool
        Draw the pooled diamond and prediction interval (the last page of a paginated plot).

    Returns
    -------
    matplotlib Figure
        The figure drawn on.

    Long: the study rows and the pooled row share one y axis and one list of tick
    labels; split, the axis would be laid out in two places.
    """
    style.use()
    studies = result.studies.iloc[rows] if rows is not None else result.studies
    k = len(studies)
    extra = 2 if show_pooled else 0
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.28 * (k + extra) + 1.0))
    y = np.arange(k, 0, -1) + extra
    weights = studies["weight"].fillna(0).to_numpy()
    sizes = 20 + 180 * (weights / weights.max() if weights.max() > 0 else np.ones(k) * 0.2)
    ax.hlines(y, studies["ci_low"], studies["ci_high"], color=style.COLOURS["study"], lw=1)
    ax.scatter(
        studies["proportion"], y, s=sizes, marker="s", color=style.COLOURS["study"], zorder=3
    )
    labels = [f"{r.label}  {r.events}/{r.n}" for r in studies.itertuples()]
    ticks, ticklabels = list(y), labels
    if show_pooled:
        ok = result.converged and math.isfinite(result.ci_low)
        if ok:
            if math.isfinite(result.pi_low):
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
            text = (
                f"Pooled ({model_name(result)}) {result.proportion:.2f} "
                f"[{result.ci_low:.2f}, {result.ci_high:.2f}]"
            )
        else:
            text = f"Pooled ({model_name(result)}): not estimable"
        ticks.append(1)
        ticklabels.append(text)
    ax.set_yticks(ticks, ticklabels)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0.3, k + extra + 0.7)
    ax.set_xlabel("Proportion (95% CI; shaded bar under the diamond: prediction interval)")
    if title:
        ax.set_title(title, loc="left")
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.figure.tight_layout()
    return ax.figure


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
            save(fig, f"{prefix}-{key}-{i + 1}", output_dir)
            display(fig)
            plt.close(fig)


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
    return fig


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
        display(fig)
        plt.close(fig)
