"""The report's figures, each a function of the review with an optional ``ax=``.

Every function draws from the loaded data only, in the project's style
(:mod:`helpers.report.style`), and returns the matplotlib Figure with a description of what
it shows, in words built from the same data (:func:`describe`). Notebook 05 shows them with
:func:`show`, which writes each to the run's ``figures/`` folder
(``reports/runs/<run>/figures/``) as SVG and 300-dpi PNG (:func:`save`, the description in
the files' metadata) and returns a :class:`FigureImage`: the image with the description as
its alt text, which the report template puts on the ``<img>``.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import (
    FixedFormatter,
    FixedLocator,
    FuncFormatter,
    NullFormatter,
    NullLocator,
)

from helpers.analysis.pooling import percent_text
from helpers.analysis.selection import studies_of
from helpers.analysis.table2 import response_counts
from helpers.data.loader import Review
from helpers.data.paths import project_path
from helpers.data.printed import (
    IMPROVEMENT,
    NOT_REPORTED,
    NOT_REPORTED_WORDS,
    RESPONSE_CATEGORIES,
)
from helpers.data.values import count_noun, is_missing
from helpers.report import style

__all__ = [
    "ALL",
    "FigureImage",
    "adverse_events",
    "describe",
    "description",
    "disease_label",
    "durations",
    "evidence_map",
    "lesion_size_and_outcome",
    "percent",
    "percent_interval",
    "response_by_modality",
    "save",
    "show",
    "underlying_diseases",
]

#: The attribute of a Figure that holds its description (:func:`describe`).
_DESCRIPTION = "_helpers_description"


def describe(fig, text: str):
    """Attach a description to a figure: what it shows, in words, for its alt text.

    Every figure function of the report calls it with a sentence built from the data it
    drew; :func:`show` gives it to the image as alt text and :func:`save` writes it into
    the SVG and PNG files.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    text : str
        What the figure shows (plain text; escaped wherever it lands).

    Returns
    -------
    matplotlib Figure
        ``fig``, for chaining.
    """
    setattr(fig, _DESCRIPTION, " ".join(str(text).split()))
    return fig


def description(fig) -> str:
    """The description attached by :func:`describe`, or the figure's titles when it has none.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.

    Returns
    -------
    str
        The description; for a figure never described, "Figure: " and its axes' titles
        (so no image is ever left without words).
    """
    text = getattr(fig, _DESCRIPTION, None)
    if text:
        return text
    titles = [
        " ".join(ax.get_title(loc=loc).split())
        for ax in fig.axes
        for loc in ("left", "center", "right")
    ]
    return "Figure: " + ("; ".join(t for t in titles if t) or "untitled")


def percent(p: float) -> str:
    """A proportion as a whole percentage, "73%" ("–" when not a number).

    Parameters
    ----------
    p : float
        The proportion (0 to 1).

    Returns
    -------
    str
        The percentage, rounded to a whole number
        (:func:`helpers.analysis.pooling.percent_text`).
    """
    return percent_text(p, decimals=0)


def percent_interval(p: float, low: float, high: float) -> str:
    """A proportion with its interval, "73% [60–83%]" (the interval left out when not finite).

    Parameters
    ----------
    p, low, high : float
        The proportion and its interval (0 to 1).

    Returns
    -------
    str
        The percentages, rounded to whole numbers; "–" when ``p`` is not a number.
    """
    if percent(p) == "–":
        return "–"
    if percent(low) == "–" or percent(high) == "–":
        return percent(p)
    return f"{percent(p)} [{percent(low)[:-1]}–{percent(high)}]"


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
    counts_of = {modality: response_counts(review, [modality]) for modality in labels.index}
    for key in RESPONSE_CATEGORIES:
        shares = []
        for modality in labels.index:
            counts = counts_of[modality]
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
        totals.append(counts_of[modality]["complete"].total)
        ax.text(1.01, i, f"n = {totals[-1]}", va="center", fontsize=style.FONT_SIZE - 1)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of patients")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    ax.set_title("Response by treatment modality", loc="left")
    ax.figure.tight_layout()
    parts = []
    for modality, label in labels.items():
        counts = counts_of[modality]
        shares = ", ".join(
            f"{words.lower()} {percent(counts[key].events / counts[key].total)}"
            for key, (words, _) in RESPONSE_CATEGORIES.items()
            if counts[key].total
        )
        patients = count_noun(counts["complete"].total, "patient")
        parts.append(f"{label} ({patients}): {shares or 'none'}")
    return describe(
        ax.figure,
        "Stacked bar chart of the share of patients by response category "
        f"({', '.join(w.lower() for w, _ in RESPONSE_CATEGORIES.values())}) "
        f"for each treatment modality. {'; '.join(parts)}.",
    )


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
    cells = []
    for y, design in enumerate(designs):
        for x, modality in enumerate(labels.index):
            part = s[(s["design"] == design) & (s["modality"] == modality)]
            if part.empty:
                continue
            patients = int(part["n_cases"].sum())
            cells.append(
                f"{design.replace('_', ' ')}, {labels[modality]}: "
                f"{count_noun(len(part), 'study', 'studies')}, {count_noun(patients, 'patient')}"
            )
            ax.scatter(x, y, s=30 + 12 * patients, color=style.COLOURS["study"], alpha=0.6)
            ax.text(x, y, str(len(part)), ha="center", va="center", fontsize=style.FONT_SIZE - 1)
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(designs)), [d.replace("_", " ") for d in designs])
    ax.set_ylim(-0.7, len(designs) - 0.3)
    ax.set_title(
        "Evidence map: studies (number) and patients (area) by design and modality", loc="left"
    )
    ax.figure.tight_layout()
    return describe(
        ax.figure,
        f"Evidence map of {count_noun(len(s), 'study', 'studies')} "
        f"({count_noun(int(s['n_cases'].sum()), 'patient')}) by study design and treatment "
        f"modality, bubble area by patients: {'; '.join(cells)}.",
    )


def disease_label(key: str, name: str) -> str:
    """A disease as the figure labels it: its name, once, with its abbreviation when it has one.

    The abbreviation (the data's key, "SSc") is added only when it is one (no space, two
    capitals or more) and the name does not already contain it.

    Parameters
    ----------
    key : str
        The disease's key in ``diseases.csv`` (often the paper's abbreviation).
    name : str
        Its name in the vocabulary.

    Returns
    -------
    str
        "systemic sclerosis (SSc)", "CREST syndrome", "overlap syndrome".

    Examples
    --------
    >>> disease_label("SSc", "systemic sclerosis")
    'systemic sclerosis (SSc)'
    >>> disease_label("IV calcium extravasation", "intravenous calcium extravasation")
    'intravenous calcium extravasation'
    >>> disease_label("CREST", "CREST syndrome")
    'CREST syndrome'
    """
    abbreviation = " " not in key and sum(c.isupper() for c in key) >= 2
    if abbreviation and key.lower() not in name.lower():
        return f"{name} ({key})"
    return name


def _disease_patients(review: Review) -> pd.DataFrame:
    """Patients per disease (NaN when a study names it without a count), with its category."""
    d = review.diseases.groupby("disease").agg(
        patients=("n_patients", lambda c: c.sum() if c.notna().all() else math.nan),
        category=("category", "first"),
    )
    d["patients"] = d["patients"].to_numpy(dtype=float, na_value=math.nan)
    return d.sort_values("patients", na_position="first", kind="stable")


def underlying_diseases(review: Review, ax=None):
    """Patients per underlying disease, coloured by the project's disease category.

    A disease named without a count of patients gets no bar and the label N/R. Each
    disease is labelled once (:func:`disease_label`); the legend sits above the bars, so
    no count label can meet it.

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
    d = _disease_patients(review)
    cats = review.disease_categories
    ax = _axes(ax, (7.5, 1.6 + 0.2 * (len(d) + math.ceil(len(cats) / 2))))
    colours = [
        style.OKABE_ITO[c]
        for c in ("blue", "orange", "green", "purple", "sky_blue", "vermillion", "yellow")
    ]
    palette = {
        c: colours[i % len(colours)] for i, c in enumerate(cats.index)
    }  # any number of categories
    counts = d["patients"].fillna(0)
    ax.barh(
        range(len(d)),
        counts,
        color=[palette.get(c, "#999999") for c in d["category"]],
        height=0.7,
    )
    names = review.disease_vocabulary["name"]
    ax.set_yticks(range(len(d)), [disease_label(i, names.get(i, i)) for i in d.index])
    top = max(float(counts.max()), 1.0) if len(d) else 1.0
    gap = top * 0.01
    for i, v in enumerate(d["patients"]):  # a disease named without a count: N/R, no bar
        ax.text(
            gap if math.isnan(v) else v + gap,
            i,
            NOT_REPORTED if math.isnan(v) else str(int(v)),
            va="center",
            fontsize=style.FONT_SIZE - 1,
        )
    ax.set_xlim(0, top * 1.08)
    ax.set_ylim(-0.6, len(d) - 0.4)
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[c]) for c in cats.index]
    ax.legend(
        handles,
        cats["label"],
        frameon=False,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        borderaxespad=0.3,
    )
    ax.set_xlabel("Patients")
    rows = math.ceil(len(cats) / 2)
    ax.set_title("Underlying diseases", loc="left", pad=6 + 1.6 * style.FONT_SIZE * rows)
    ax.figure.tight_layout()
    return describe(ax.figure, _diseases_in_words(d, review))


def _diseases_in_words(d: pd.DataFrame, review: Review) -> str:
    """The underlying-diseases figure in words: diseases, categories, the most frequent."""
    cats = review.disease_categories
    names = review.disease_vocabulary["name"]
    known = d[d["patients"].notna()].sort_values("patients", ascending=False, kind="stable")
    most = ", ".join(
        f"{disease_label(i, names.get(i, i))} {count_noun(int(v), 'patient')}"
        for i, v in known["patients"].head(3).items()
    )
    per_category = ", ".join(
        f"{label} {count_noun(int(d.loc[d['category'] == c, 'patients'].sum()), 'patient')}"
        for c, label in cats["label"].items()
    )
    unknown = int(d["patients"].isna().sum())
    return (
        f"Bar chart of patients per underlying disease: {count_noun(len(d), 'disease')} in "
        f"{count_noun(len(cats), 'category', 'categories')} ({per_category}). "
        f"Most frequent: {most or 'none counted'}."
        + (f" {count_noun(unknown, 'disease')} named without a count." if unknown else "")
    )


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
    _plain_ticks(ax, ([0.0] if left == 0 else []) + ticks)


def _plain_ticks(ax, ticks, labels=None) -> None:
    """Fixed x ticks labelled as plain numbers ("0.5", "10"), never as powers of ten."""
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FixedFormatter(labels or [f"{t:g}" for t in ticks]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


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
    ax.set_xlabel("Largest lesion, maximal diameter (cm; log scale; hollow marker: a bound)")
    ax.set_ylabel("Complete or partial response")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: percent(v)))
    ax.set_ylim(-0.05, 1.05)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, loc="lower left")
    ax.set_title("Lesion size and outcome, per study", loc="left")
    ax.figure.tight_layout()
    sizes = s["largest_diameter_cm"].astype(float)
    every = int((share == 1).sum())
    text = (
        "Scatter plot of each study's largest lesion (maximal diameter in cm, log scale) "
        "against its share of patients with complete or partial response, marker area by "
        f"patients: {count_noun(len(s), 'study', 'studies')}"
    )
    if len(s):
        text += (
            f" ({count_noun(int(s['n_cases'].sum()), 'patient')}), largest lesions from "
            f"{sizes.min():g} to {sizes.max():g} cm; in {every} of them every patient "
            f"responded; {int(s['largest_diameter_qualifier'].notna().sum())} diameters are "
            "bounds"
        )
    return describe(ax.figure, text + ".")


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
    parts = []
    for ax, measure, title in zip(
        axes,
        ("treatment_duration", "time_to_first_improvement"),
        ("Treatment duration", "Time to first improvement"),
        strict=True,
    ):
        d = review.durations[
            (review.durations["measure"] == measure) & (review.durations["status"] == "reported")
        ]
        values = pd.concat([d["value_months"], d["low_months"], d["high_months"]]).dropna()
        parts.append(
            f"{title.lower()}: {count_noun(d.index.nunique(), 'study', 'studies')}"
            + (
                f", from {values.min():.2g} to {values.max():.2g} months"
                if len(values)
                else ", none with a value in months"
            )
        )
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
        _plain_ticks(ax, ticks, [{0.25: "¼", 0.5: "½"}.get(t, f"{t:g}") for t in ticks])
        ax.set_xlabel("Months (log scale)")
        ax.set_title(title, loc="left")
        ax.set_yticks(range(len(labels)), labels)
    axes[0].invert_yaxis()
    axes[0].figure.tight_layout()
    return describe(
        axes[0].figure,
        "Two panels of each study's printed value and range, in months on a log scale, per "
        f"treatment modality: {'; '.join(parts)}.",
    )


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
        return describe(ax.figure, "Adverse events by modality: none reported.")
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
    per_modality = []
    for modality, events in ae.groupby("modality", sort=False):
        listed = ", ".join(
            f"{e.lower()} {NOT_REPORTED_WORDS if is_missing(n) else int(n)}"
            for e, n in zip(events["event"], events["patients"], strict=True)
        )
        per_modality.append(f"{labels[modality]}: {listed}")
    return describe(
        ax.figure,
        f"Bar chart of patients with each adverse event ({count_noun(len(ae), 'event')}; marked "
        f"{NOT_REPORTED} where the paper gives no number), by modality: "
        f"{'; '.join(per_modality)}.",
    )


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
    text = description(fig)
    fig.savefig(
        folder / f"{name}.svg",
        metadata={"Date": None, "Creator": None, "Title": name, "Description": text},
    )
    fig.savefig(
        folder / f"{name}.png",
        dpi=300,
        metadata={"Software": None, "Title": name, "Description": text},
    )


class FigureImage:
    """A figure ready to display: its PNG, with its description (:func:`describe`) as alt text.

    In a notebook it shows as the image, the alt text in the output's metadata
    (``{"image/png": {"alt": ...}}``, which the report's template puts on the ``<img>``);
    as plain text it is "Figure: " and the description.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure (drawn once, when first displayed).
    name : str
        The figure's file name without extension.

    Attributes
    ----------
    figure : matplotlib Figure
    name : str
    alt : str
        The description.
    """

    def __init__(self, fig, name: str):
        self.figure = fig
        self.name = name
        self.alt = description(fig)
        self._png: bytes | None = None

    def png(self) -> bytes:
        """The figure as PNG at its own dpi, cropped as the notebook's inline backend crops it.

        Returns
        -------
        bytes
            The PNG, without the metadata that differs between matplotlib versions.
        """
        if self._png is None:
            buffer = io.BytesIO()
            self.figure.savefig(
                buffer,
                format="png",
                dpi=self.figure.dpi,
                bbox_inches="tight",
                facecolor=self.figure.get_facecolor(),
                edgecolor=self.figure.get_edgecolor(),
                metadata={"Software": None},
            )
            self._png = buffer.getvalue()
        return self._png

    def _repr_png_(self):
        return self.png(), {"alt": self.alt}

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": repr(self),
        }
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return f"Figure: {self.alt}"


def show(fig, name: str, output_dir=None):
    """Save a figure (when ``output_dir`` is set) and return it for display, with its alt text.

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
    FigureImage
        The figure to display: its image with its description as alt text. ``fig`` is
        closed so that pyplot does not show it a second time.
    """
    save(fig, name, output_dir)
    plt.close(fig)
    return FigureImage(fig, name)
