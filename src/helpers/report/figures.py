"""The report's figures, each a function of the review with an optional ``ax=``.

Every function draws from the loaded data only, in the project's style
(:mod:`helpers.report.style`), and returns the matplotlib Figure. Notebook 05 shows them
and writes each to the run's ``figures/`` folder (``reports/runs/<run>/figures/``) as SVG
and 300-dpi PNG (:func:`helpers.report.forest.save`).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.analysis.selection import studies_of
from helpers.analysis.table2 import response_counts
from helpers.data.loader import Review
from helpers.data.paths import project_path
from helpers.data.printed import IMPROVEMENT, NOT_REPORTED, RESPONSE_CATEGORIES
from helpers.data.values import is_missing
from helpers.report import style

__all__ = [
    "ALL",
    "adverse_events",
    "durations",
    "evidence_map",
    "lesion_size_and_outcome",
    "response_by_modality",
    "save",
    "show",
    "underlying_diseases",
]


def _axes(ax, size):
    style.use()
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _modality_labels(review: Review) -> pd.Series:
    return review.modalities["label"]


def response_by_modality(review: Review, ax=None):
    """Stacked bars: per modality, the share of patients by response category.

    The categories are complete, partial, no and unknown response, with each modality's
    number of patients beside its bar. Patients of a study reporting per lesion count as
    unknown (Table 2 footnote d).

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    ax = _axes(ax, (7.5, 4))
    labels = _modality_labels(review)
    left = np.zeros(len(labels))
    totals = []
    for key in RESPONSE_CATEGORIES:
        shares = []
        for modality in labels.index:
            counts = response_counts(review, [modality])
            total = counts[key].total
            shares.append(counts[key].events / total if total else 0)
        ax.barh(
            range(len(labels)),
            shares,
            left=left,
            color=style.COLOURS[key],
            label=RESPONSE_CATEGORIES[key][0],
        )
        left += np.array(shares)
    for i, modality in enumerate(labels.index):
        totals.append(response_counts(review, [modality])["complete"].total)
        ax.text(1.01, i, f"n = {totals[-1]}", va="center", fontsize=style.FONT_SIZE - 1)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of patients")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    ax.set_title("Response by treatment modality", loc="left")
    ax.figure.tight_layout()
    return ax.figure


def evidence_map(review: Review, ax=None):
    """Study design against modality: bubble area by patients, the number of studies written in.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    ax = _axes(ax, (7.5, 3.2))
    labels = _modality_labels(review)
    designs = ["controlled_trial", "case_series", "case_report"]
    s = review.studies
    for y, design in enumerate(designs):
        for x, modality in enumerate(labels.index):
            part = s[(s["design"] == design) & (s["modality"] == modality)]
            if part.empty:
                continue
            patients = int(part["n_cases"].sum())
            ax.scatter(x, y, s=30 + 12 * patients, color=style.COLOURS["study"], alpha=0.6)
            ax.text(x, y, str(len(part)), ha="center", va="center", fontsize=style.FONT_SIZE - 1)
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(designs)), [d.replace("_", " ") for d in designs])
    ax.set_ylim(-0.7, len(designs) - 0.3)
    ax.set_title(
        "Evidence map: studies (number) and patients (area) by design and modality", loc="left"
    )
    ax.figure.tight_layout()
    return ax.figure


def underlying_diseases(review: Review, ax=None):
    """Patients per underlying disease, coloured by the project's disease category.

    A disease named without a count of patients gets no bar and the label N/R.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    ax = _axes(ax, (9, 5.5))
    d = review.diseases.groupby("disease").agg(
        patients=("n_patients", lambda c: c.sum() if c.notna().all() else math.nan),
        category=("category", "first"),
    )
    d["patients"] = d["patients"].to_numpy(dtype=float, na_value=math.nan)
    d = d.sort_values("patients", na_position="first")
    cats = review.disease_categories
    colours = [
        style.OKABE_ITO[c]
        for c in ("blue", "orange", "green", "purple", "sky_blue", "vermillion", "yellow")
    ]
    palette = {
        c: colours[i % len(colours)] for i, c in enumerate(cats.index)
    }  # any number of categories
    ax.barh(
        range(len(d)),
        d["patients"].fillna(0),
        color=[palette.get(c, "#999999") for c in d["category"]],
    )
    names = review.disease_vocabulary["name"]
    ax.set_yticks(range(len(d)), [f"{names[i]} ({i})" if names[i] != i else i for i in d.index])
    for i, v in enumerate(d["patients"]):  # a disease named without a count: N/R, no bar
        ax.text(
            0.5 if math.isnan(v) else v + 0.5,
            i,
            NOT_REPORTED if math.isnan(v) else str(int(v)),
            va="center",
            fontsize=style.FONT_SIZE - 1,
        )
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[c]) for c in cats.index]
    ax.legend(handles, cats["label"], frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("Patients")
    ax.set_title("Underlying diseases", loc="left")
    ax.figure.tight_layout()
    return ax.figure


def _log_axis(ax, values, low: float, high: float) -> None:
    """A log x axis that shows every value: it spans ``low`` to ``high`` and every value, and
    turns symmetric-log (linear near zero) when a value is zero, which a log axis would drop."""
    values = [float(v) for v in values if not is_missing(v)]
    if any(v <= 0 for v in values):
        ax.set_xscale("symlog", linthresh=low)
        ax.set_xlim(0, max([high, *values]) * 1.3)
    else:
        ax.set_xscale("log")
        ax.set_xlim(min([low, *values]) / 1.3, max([high, *values]) * 1.3)
    # Plain numbers at 1-2-5 steps (matplotlib's log labels are mathtext, which the style
    # turns off).
    left, right = ax.get_xlim()
    ticks = [m * 10.0**e for e in range(-3, 7) for m in (1, 2, 5) if left <= m * 10.0**e <= right]
    ax.set_xticks(
        ([0] if left == 0 else []) + ticks, (["0"] if left == 0 else []) + [f"{t:g}" for t in ticks]
    )
    ax.minorticks_off()


def lesion_size_and_outcome(review: Review, ax=None):
    """Each study's largest lesion against its share of complete and partial response.

    Marker area by patients; hollow markers where the diameter is a bound ("<20", ">0.6");
    studies without a printed diameter or without patient-level response are left out.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    ax = _axes(ax, (7.5, 4))
    s = review.studies.dropna(subset=["largest_diameter_cm"])
    o = review.outcomes.loc[s.index]
    keep = o["response_unit"] == "patients"
    s, o = s[keep], o[keep]
    improved = o[[RESPONSE_CATEGORIES[key][1] for key in IMPROVEMENT]].sum(axis=1)
    share = improved.astype(float) / s["n_cases"].astype(float)
    families = review.families
    colours = dict(
        zip(
            families.index,
            [style.OKABE_ITO[c] for c in ("blue", "vermillion", "green", "purple")],
            strict=False,
        )
    )
    for family, label in families["label"].items():
        part = s["family"] == family
        if not part.any():
            continue
        bound = s.loc[part, "largest_diameter_qualifier"].notna()
        for hollow in (False, True):
            sel = part & (s["largest_diameter_qualifier"].notna() == hollow)
            if sel.any():
                ax.scatter(
                    s.loc[sel, "largest_diameter_cm"],
                    share[sel],
                    s=20 + 8 * s.loc[sel, "n_cases"].astype(float),
                    facecolors="none" if hollow else colours[family],
                    edgecolors=colours[family],
                    label=label if not hollow or not (~bound).any() else None,
                    alpha=0.8,
                )
    _log_axis(ax, s["largest_diameter_cm"], 0.1, 10)
    ax.set_xlabel("Largest lesion, maximal diameter (cm, log scale; hollow: a bound)")
    ax.set_ylabel("Complete or partial response")
    ax.set_ylim(-0.05, 1.05)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, loc="lower left")
    ax.set_title("Lesion size and outcome, per study", loc="left")
    ax.figure.tight_layout()
    return ax.figure


def durations(review: Review, axes=None):
    """Treatment duration and time to first clinical improvement (months), per modality.

    One point per study at its printed value (median, mean or single value), a line over
    its printed range; months by the paper's rule (1 month = 4 weeks).

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    axes : sequence of two matplotlib Axes, optional
        Where to draw treatment duration and time to first improvement; a new figure of
        two panels sharing the y axis is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure of the first panel.
    """
    style.use()
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 4), sharey=True)
    labels = _modality_labels(review)
    for ax, measure, title in zip(
        axes,
        ("treatment_duration", "time_to_first_improvement"),
        ("Treatment duration", "Time to first improvement"),
        strict=True,
    ):
        d = review.durations[
            (review.durations["measure"] == measure) & (review.durations["status"] == "reported")
        ]
        for y, modality in enumerate(labels.index):
            refs = studies_of(review, [modality]).index
            part = d.loc[d.index.isin(refs)]
            jitter = np.linspace(-0.2, 0.2, len(part)) if len(part) > 1 else np.zeros(len(part))
            for dy, (_, r) in zip(jitter, part.iterrows(), strict=True):
                if not is_missing(r["low_months"]):
                    ax.hlines(
                        y + dy,
                        r["low_months"],
                        r["high_months"],
                        color=style.COLOURS["study"],
                        lw=1,
                        alpha=0.6,
                    )
                if not is_missing(r["value_months"]):
                    ax.plot(r["value_months"], y + dy, "o", color=style.COLOURS["study"], ms=4)
        _log_axis(ax, pd.concat([d["value_months"], d["low_months"], d["high_months"]]), 0.1, 40)
        right = ax.get_xlim()[1]
        ticks = [t for t in (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if t <= right]
        ax.set_xticks(ticks, [{0.25: "¼", 0.5: "½"}.get(t, f"{t:g}") for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("Months (log scale)")
        ax.set_title(title, loc="left")
        ax.set_yticks(range(len(labels)), labels)
    axes[0].invert_yaxis()
    axes[0].figure.tight_layout()
    return axes[0].figure


def adverse_events(review: Review, ax=None):
    """Patients with each adverse event, per modality (N/R where the paper gives no number).

    Rows whose event is "None" are left out; with no adverse event left, the axes say so.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Figure
        The figure drawn on.
    """
    ax = _axes(ax, (7.5, 4.5))
    ae = review.adverse_events[review.adverse_events["event"] != "None"]
    order = review.modalities["order"]
    ae = ae.assign(order=ae["modality"].map(order)).sort_values(["order", "event"])
    y = np.arange(len(ae))
    counts = ae["patients"].fillna(0).astype(float)
    if ae.empty:
        ax.text(
            0.5, 0.5, "No adverse events reported", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        ax.set_title("Adverse events by modality", loc="left")
        return ax.figure
    ax.barh(y, counts, color=style.COLOURS["pooled"])
    ax.set_xlim(
        0, max(float(counts.max()), 1.0) * 1.15
    )  # room for the N/R labels when no count is given
    for i, (v, missing) in enumerate(zip(counts, ae["patients"].isna(), strict=True)):
        ax.text(
            v + 0.15,
            i,
            NOT_REPORTED if missing else str(int(v)),
            va="center",
            fontsize=style.FONT_SIZE - 1,
        )
    labels = review.modalities["label"]
    ax.set_yticks(
        y, [f"{labels[m]}: {e.lower()}" for m, e in zip(ae["modality"], ae["event"], strict=True)]
    )
    ax.invert_yaxis()
    ax.set_xlabel("Patients")
    ax.set_title("Adverse events by modality", loc="left")
    ax.figure.tight_layout()
    return ax.figure


#: Every figure of notebook 05, by file name.
ALL = {
    "response-by-modality": response_by_modality,
    "evidence-map": evidence_map,
    "underlying-diseases": underlying_diseases,
    "lesion-size-and-outcome": lesion_size_and_outcome,
    "durations": durations,
    "adverse-events": adverse_events,
}


def save(fig, name: str, output_dir) -> None:
    """Save a figure as SVG and 300-dpi PNG under ``<output_dir>/figures/`` (nothing when None).

    Metadata that would change from run to run (dates, software versions) is left out.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    name : str
        The file name without extension.
    output_dir : str or Path or None
        The run's output folder (relative paths from the project root); None writes
        nothing.
    """

    if output_dir is None:
        return
    folder = project_path(output_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.svg", metadata={"Date": None, "Creator": None})
    fig.savefig(folder / f"{name}.png", dpi=300, metadata={"Software": None})


def show(fig, name: str, output_dir=None):
    """Save a figure (when ``output_dir`` is set) and return it for display, closed for pyplot.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    name : str
        The file name without extension (:func:`save`).
    output_dir : str or Path, optional
        The run's output folder; None (the default) writes nothing.

    Returns
    -------
    matplotlib Figure
        ``fig``, closed so that pyplot does not show it a second time.
    """
    save(fig, name, output_dir)
    plt.close(fig)
    return fig
