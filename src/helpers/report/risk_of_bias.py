"""Risk of bias shown: robvis-style traffic-light and summary plots, and the appraisals' display."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from helpers.analysis.rob import distribution, paper_distribution, rate
from helpers.data import escape
from helpers.data.appraisals import ANSWERS, load_appraisals
from helpers.data.loader import Review
from helpers.data.values import flag
from helpers.report import figures, style
from helpers.report.figures import show

__all__ = ["ANSWER_COLOURS", "RATING_COLOURS", "show_appraisals", "summary_plot", "traffic_light"]

ANSWER_COLOURS = {
    "yes": style.OKABE_ITO["green"],
    "no": style.OKABE_ITO["vermillion"],
    "unclear": style.OKABE_ITO["yellow"],
    "not_applicable": "#DDDDDD",
}


RATING_COLOURS = {
    "low": style.OKABE_ITO["green"],
    "moderate": style.OKABE_ITO["yellow"],
    "high": style.OKABE_ITO["vermillion"],
}


def traffic_light(appraisals: pd.DataFrame, review: Review, ax=None):
    """A robvis-style traffic-light plot: studies by questions, coloured by answer.

    Parameters
    ----------
    appraisals : DataFrame
        The appraisals (:func:`helpers.data.appraisals.load_appraisals`): ``ref``,
        ``checklist``, ``question``, ``answer``.
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on; a last column shows each study's overall rating.
    """
    style.use()
    ratings = rate(appraisals, review)
    # One column per question asked (numbered as the checklist numbers them), whatever the numbers.
    columns = {q: i + 1 for i, q in enumerate(sorted(appraisals["question"].unique()))}
    n_q = len(columns)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 0.45 * (n_q + 2), 0.8 + 0.32 * len(ratings)))
    for y, (ref, row) in enumerate(ratings.iterrows()):
        answers = appraisals[appraisals["ref"] == ref].set_index("question")["answer"]
        for q, answer in answers.items():
            ax.scatter(
                columns[q],
                y,
                s=120,
                color=ANSWER_COLOURS[answer],
                edgecolors="#555555",
                linewidths=0.4,
            )
        ax.scatter(
            n_q + 1.5,
            y,
            s=160,
            marker="s",
            color=RATING_COLOURS.get(row["rating"], "#ffffff"),
            edgecolors="#555555",
        )
    ax.set_yticks(range(len(ratings)), ratings["label"])
    ax.set_xticks([*columns.values(), n_q + 1.5], [f"Q{q}" for q in columns] + ["overall"])
    ax.invert_yaxis()
    ax.set_xlim(0.3, n_q + 2.2)
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=c, label=a.replace("_", " "))
        for a, c in ANSWER_COLOURS.items()
    ]
    handles += [
        plt.Line2D([], [], marker="s", ls="", color=c, label=f"{r} risk")
        for r, c in RATING_COLOURS.items()
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Risk of bias per study and question (JBI)", loc="left")
    ax.figure.tight_layout()
    counts = ratings["rating"].value_counts()
    return figures.describe(
        ax.figure,
        f"Traffic-light plot of the JBI appraisal of {len(ratings)} studies over {n_q} "
        "questions; overall risk of bias: "
        + ", ".join(f"{counts.get(r, 0)} {r}" for r in RATING_COLOURS)
        + ".",
    )


def summary_plot(appraisals: pd.DataFrame, review: Review, weighted: bool = False, ax=None):
    """The share of each answer per checklist question, unweighted or weighted by patients.

    Parameters
    ----------
    appraisals : DataFrame
        The appraisals (:func:`helpers.data.appraisals.load_appraisals`): ``ref``,
        ``checklist``, ``question``, ``answer``.
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    weighted : bool or str
        Weight each study by its patients (True) or count studies (False); the text
        ``true``/``false`` too (:func:`helpers.data.values.flag`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    style.use()
    weighted = flag("weighted", weighted)
    data = appraisals.copy()
    data["weight"] = review.studies.loc[data["ref"], "n_cases"].to_numpy(float) if weighted else 1.0
    keys = sorted(set(zip(data["checklist"], data["question"], strict=True)))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.8 + 0.28 * len(keys)))
    left = np.zeros(len(keys))
    for answer in ANSWERS:
        shares = []
        for checklist, q in keys:
            part = data[(data["checklist"] == checklist) & (data["question"] == q)]
            shares.append(part.loc[part["answer"] == answer, "weight"].sum() / part["weight"].sum())
        ax.barh(
            range(len(keys)),
            shares,
            left=left,
            color=ANSWER_COLOURS[answer],
            label=answer.replace("_", " "),
        )
        left += np.array(shares)
    ax.set_yticks(range(len(keys)), [f"{c.replace('_', ' ')} Q{q}" for c, q in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of studies" + (", weighted by patients" if weighted else ""))
    ax.legend(
        ncols=4,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08 - 0.3 / max(len(keys), 1)),
        frameon=False,
    )
    ax.set_title("Answers per question", loc="left")
    ax.figure.tight_layout()
    totals = data.groupby("answer")["weight"].sum()
    share = {a: totals.get(a, 0) / totals.sum() for a in ANSWERS}
    return figures.describe(
        ax.figure,
        f"Bar chart of the answers to {len(keys)} JBI checklist questions "
        + ("weighted by patients" if weighted else "counting studies")
        + "; over all questions: "
        + ", ".join(f"{figures.percent(v)} {a.replace('_', ' ')}" for a, v in share.items())
        + ".",
    )


def show_appraisals(
    review: Review, appraisal_path=None, weighted: bool = False, output_dir=None
) -> None:
    """Display the appraisal results, or say that study-level appraisals are not published.

    Without an appraisal file: that statement, made plainly, and the paper's own
    distribution of ratings. With one: the ratings, their distribution beside the
    paper's, and the traffic-light and summary plots (saved).

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    appraisal_path : str or Path, optional
        The appraisal file (``ref,question,answer``); None when none is published.
    weighted : bool
        Weight the summary plot by patients.
    output_dir : str or Path, optional
        The run's output folder for the figures; None writes nothing.

    Raises
    ------
    DataValidationError
        When the appraisal file is not valid.
    """

    paper = paper_distribution(review)
    if appraisal_path is None:
        display(
            Markdown(
                "**Study-level appraisals are not published.** The paper's per-study JBI answers "
                "are in its supplementary material, which is not available, so this report holds "
                "none and invents none. The paper's own distribution of ratings is shown below; "
                "to rate studies, write an appraisal file (`ref,question,answer`, one row per "
                "study and question) and run this notebook with "
                "`-p appraisal_path path/to/appraisals.csv`."
            )
        )
        display(paper)
        return
    appraisals = load_appraisals(appraisal_path, review)
    ratings = rate(appraisals, review)
    display(
        Markdown(
            f"Appraisals of {len(ratings)} studies from "
            f"{escape.markdown(Path(appraisal_path).name)}."
        )
    )
    display(ratings)
    display(distribution(ratings).join(paper))
    display(show(traffic_light(appraisals, review), "risk-of-bias-traffic-light", output_dir))
    display(
        show(
            summary_plot(appraisals, review, weighted=weighted), "risk-of-bias-summary", output_dir
        )
    )
