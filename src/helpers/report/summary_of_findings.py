"""The Summary of Findings as a publication table (great_tables), a CSV file and the front
page's rows.

:func:`sof_table` draws :func:`helpers.analysis.certainty.summary_of_findings`' rows as one
table in the style of a GRADE Summary of Findings (Guyatt et al. 2011, GRADE 1): a group of
rows per therapy, the studies and patients, the estimate with its 95% confidence and
prediction intervals, what the estimate is (pooled with the model shown, one study's, crude;
a footnote gives the fit's note: a model not estimable, a fit not settled), the five domains
each with a footnote mark, and the certainty. Each footnote says the judgment's reason and
source: a rule of :mod:`helpers.analysis.certainty` with its thresholds, or an entry of the
certainty register with its rationale and the paper's sentence. The source notes give the
framing and GRADE's definitions of the four levels.

The table is rendered with ``GT.as_raw_html()``: inline HTML with its own scoped CSS, no
script, no font or file fetched from the network, every text from the data escaped by
great_tables (the tests check both). :func:`write_summary_of_findings` writes
``summary_of_findings.csv`` (every number, each domain's judgment, reason, source and
quote; text cells guarded against spreadsheet formulas by
:func:`helpers.data.escape.write_csv`), and :func:`front_page_rows` reads it back into the
rows the front page shows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from great_tables import GT, loc, style

from helpers.analysis import certainty
from helpers.analysis.certainty import DOMAIN_LABELS, DOMAINS, LEVELS, Finding
from helpers.analysis.pooling import OUTCOMES as POOLED_OUTCOMES
from helpers.analysis.pooling import interval_text, range_text
from helpers.data import escape
from helpers.data.judgments import JUDGMENTS
from helpers.data.paths import project_path
from helpers.data.printed import NOT_REPORTED_WORDS
from helpers.data.registers import CERTAINTY_FILE
from helpers.data.values import count_noun, is_missing
from helpers.report import wording

__all__ = [
    "CERTAINTY_SYMBOLS",
    "FRONT_PAGE_COLUMNS",
    "SOF_FILE",
    "SummaryTable",
    "framing_text",
    "front_page_rows",
    "read_summary_of_findings",
    "reasons_table",
    "register_table",
    "rules_text",
    "sof_table",
    "write_summary_of_findings",
]

#: The file the notebook writes into the run's output folder.
SOF_FILE = "summary_of_findings.csv"
#: GRADE's symbols for the levels, as Summary of Findings tables print them.
CERTAINTY_SYMBOLS = {
    "high": "⊕⊕⊕⊕",
    "moderate": "⊕⊕⊕◯",
    "low": "⊕⊕◯◯",
    "very low": "⊕◯◯◯",
}
#: The columns of :func:`front_page_rows`.
FRONT_PAGE_COLUMNS = ["Outcome", "Therapy", "Studies (patients)", "Estimate (95% CI)", "Certainty"]
#: The table's id in the HTML: its CSS is scoped to it.
_TABLE_ID = "summary-of-findings"
_RULES = {
    "imprecision": lambda: (
        f"Imprecision, the project's rule: serious when the 95% CI is wider than "
        f"{certainty.WIDE_CI_POINTS:.0f} percentage points or rests on fewer than "
        f"{certainty.FEW_PATIENTS} patients (an estimate with no interval counts as wide); "
        "very serious when both, or for a single study "
        "(after GRADE 6, Guyatt et al. 2011; GRADE sets no fixed threshold for one proportion)."
    ),
    "inconsistency": lambda: (
        f"Inconsistency, the project's rule: serious when I² is at least "
        f"{certainty.I2_SUBSTANTIAL:.0f}% or the prediction interval is wider than "
        f"{certainty.WIDE_PI_POINTS:.0f} percentage points with a between-study variance above "
        "zero; very serious when both. Not assessable, and not rated down, for a single study, "
        "a model that is not estimable, or counts given per modality only (after GRADE 7, "
        "Guyatt et al. 2011)."
    ),
}


def framing_text() -> str:
    """The GRADE framing in words: what is rated, where it starts, what is not applied.

    Returns
    -------
    str
        Plain text (escape it where it lands).
    """
    return (
        "What is pooled is a single-arm proportion (responders among the treated patients), "
        "not a comparative effect. GRADE rates such evidence on the same five domains (GRADE "
        "Handbook, Schünemann et al. 2013, section 5; Iorio et al. 2015; Murad et al. 2017). "
        "The starting level follows the designs of the studies that give the estimate and "
        "whether it is their comparison: randomised controlled trials giving their comparison"
        " would start high; everything else starts low (Balshem et al. 2011, GRADE 3; case "
        "series and case reports: Murad et al. 2018). The one controlled trial here (Winter "
        "[22]) enters with its treated patients as a single arm, so its body of evidence "
        "starts low too. Iorio et al. (2015) start observational evidence high for prognosis "
        "(event rates in representative cohorts, no comparison asked for); the question here "
        "is a treatment's effect, read from case series and case reports, so that start does "
        "not apply. Each serious concern takes one level off, each very serious two, never "
        "below very low. Upgrading domains are not applied: they need a comparison."
    )


def rules_text() -> list[str]:
    """The rules of the two domains computed from the numbers, with their thresholds.

    Returns
    -------
    list of str
        One sentence per rule (imprecision, inconsistency), from the constants of
        :mod:`helpers.analysis.certainty`.
    """
    return [rule() for rule in _RULES.values()]


def _scope_words(judgment) -> str:
    """A register entry's scope in words: "every therapy and outcome", or what it lists."""
    parts = []
    for one, many, values in (
        ("modality", "modalities", judgment.modalities),
        ("family", "families", judgment.families),
    ):
        if values is not None:
            words = [str(wording.term(v)) for v in values]
            parts.append(f"{many if len(values) > 1 else one}: {', '.join(words)}")
    if judgment.outcomes is not None:
        outcomes = [certainty.OUTCOME_LABELS[o].lower() for o in judgment.outcomes]
        parts.append(f"outcomes: {', '.join(outcomes)}")
    return "; ".join(parts) or "every therapy and outcome"


def register_table(review) -> pd.DataFrame:
    """The certainty register as a table to read: one row per judgment.

    Parameters
    ----------
    review : Review
        The loaded review (its ``certainty`` register).

    Returns
    -------
    DataFrame
        Indexed by ``entry`` (the id): ``domain`` (in words), ``applies_to``, ``judgment``,
        ``rationale`` and ``the_paper_says`` (the quote), in the file's order.
    """
    rows = [
        {
            "entry": j.id,
            "domain": DOMAIN_LABELS[j.domain],
            "applies_to": _scope_words(j),
            "judgment": j.judgment,
            "rationale": j.rationale,
            "the_paper_says": j.quote,
        }
        for j in review.certainty
    ]
    return pd.DataFrame(rows).set_index("entry")


def reasons_table(findings: list[Finding]) -> pd.DataFrame:
    """The reasons of the two computed domains, row by row, with the numbers they rest on.

    Parameters
    ----------
    findings : list of Finding
        :func:`helpers.analysis.certainty.summary_of_findings`' rows.

    Returns
    -------
    DataFrame
        ``therapy``, ``outcome``, ``certainty``, ``inconsistency`` and ``imprecision`` (each
        "judgment: reason"); the rows with an estimate, in order.
    """
    rows = []
    for f in findings:
        if not f.ratings:
            continue
        row = {
            "therapy": f.group,
            "outcome": certainty.OUTCOME_LABELS[f.outcome] + (f": {f.event}" if f.event else ""),
            "certainty": f.certainty,
        }
        for d in ("inconsistency", "imprecision"):
            r = f.rating(d)
            row[d] = f"{r.judgment}: {r.reason}"
        rows.append(row)
    return pd.DataFrame(rows)


def _cells(f: Finding) -> dict:
    """A row as the table shows it: every cell text."""
    reported = f.events is not None
    row = {
        "group": f.group,
        "outcome": certainty.OUTCOME_LABELS[f.outcome] + (f": {f.event}" if f.event else ""),
        "studies": f"{f.k} ({f.patients})",
        "events": f"{f.events} of {f.patients}" if reported else NOT_REPORTED_WORDS,
        "estimate": interval_text(f.proportion, f.ci_low, f.ci_high)
        if reported
        else NOT_REPORTED_WORDS,
        "prediction": range_text(f.pi_low, f.pi_high),
        "basis": (f"{f.estimate}: {f.model}" if f.estimate == "pooled" else f.estimate)
        if reported
        else "",
        "certainty": (
            f"{CERTAINTY_SYMBOLS[f.certainty]} {f.certainty}"
            if f.certainty in LEVELS
            else f.certainty
        ),
    }
    for d in DOMAINS:
        r = f.rating(d)
        row[d] = "" if r is None else r.judgment
    return row


def _fit_notes(findings: list[Finding]) -> dict[str, list[int]]:
    """The fit's notes of the response rows (a model not estimable, a fit not settled, tau² at
    its boundary), each with the rows it applies to; a single study's needs none."""
    notes: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        if f.note and f.outcome in POOLED_OUTCOMES and f.estimate != "single study, not pooled":
            notes.setdefault(f.note, []).append(i)
    return notes


def _footnote(rating) -> str:
    """The footnote of one source: the rule with its thresholds, or the register entry."""
    if rating.source.startswith("rule: "):
        return _RULES[rating.domain]()
    return (
        f"{DOMAIN_LABELS[rating.domain]}, {rating.judgment} ({rating.source}): "
        f"{rating.reason} The paper: “{rating.quote}”"
    )


class SummaryTable:
    """The Summary of Findings table: shown in a notebook, and its HTML for a page.

    Parameters
    ----------
    gt : great_tables.GT
        The table (:func:`sof_table`).
    """

    def __init__(self, gt: GT):
        self.gt = gt

    def to_html(self) -> str:
        """The table as inline HTML with scoped CSS (``GT.as_raw_html()``).

        Returns
        -------
        str
        """
        html = self.gt.as_raw_html()
        # great_tables writes the same CSS on every call; the box lets a wide table scroll in
        # the page instead of widening it.
        return f'<div class="sof-box" style="overflow-x:auto;max-width:100%">{html}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return "<Summary of Findings table>"


def sof_table(findings: list[Finding], title: str = "Summary of Findings") -> SummaryTable:
    """The Summary of Findings, drawn with great_tables.

    Parameters
    ----------
    findings : list of Finding
        :func:`helpers.analysis.certainty.summary_of_findings`' rows.
    title : str
        The table's title (escaped).

    Returns
    -------
    SummaryTable
        With ``_repr_html_`` for the notebook and :meth:`SummaryTable.to_html`.

    Long: the table is one chain of great_tables calls (columns, spanners, footnotes per
    source, styles, source notes), each a line; split, the chain would be passed around.
    """
    shown = pd.DataFrame([_cells(f) for f in findings])
    labels = {
        "outcome": "Outcome",
        "studies": "Studies (patients)",
        "events": "Patients with the outcome",
        "estimate": "Proportion [95% CI]",
        "prediction": "95% prediction interval",
        "basis": "Kind of estimate",
        **{d: DOMAIN_LABELS[d] for d in DOMAINS},
        "certainty": "Certainty",
    }
    gt = (
        GT(shown, rowname_col="outcome", groupname_col="group", id=_TABLE_ID)
        .tab_header(
            title=title,
            subtitle="Local and minimally invasive therapies for calcinosis cutis: "
            "proportions among treated patients",
        )
        .cols_label(**{k: v for k, v in labels.items() if k != "outcome"})
        .tab_stubhead("Therapy and outcome")
        .tab_spanner("Numbers", ["studies", "events"])
        .tab_spanner("Estimate", ["estimate", "prediction", "basis"])
        .tab_spanner("GRADE domains (footnotes give reasons and sources)", list(DOMAINS))
        .opt_footnote_marks("letters")
    )
    sources: dict[str, list[int]] = {}
    first: dict[str, object] = {}
    for i, f in enumerate(findings):
        for r in f.ratings:
            key = f"{r.domain}|{r.source}"
            sources.setdefault(key, []).append(i)
            first.setdefault(key, r)
    for key, rows in sources.items():
        gt = gt.tab_footnote(
            _footnote(first[key]), locations=loc.body(columns=key.split("|")[0], rows=rows)
        )
    for note, rows in _fit_notes(findings).items():
        gt = gt.tab_footnote(f"The fit: {note}", locations=loc.body(columns="basis", rows=rows))
    gt = (
        gt.tab_source_note(f"Framing. {framing_text()}")
        .tab_source_note(
            "GRADE's levels of certainty: "
            + " ".join(
                f"{CERTAINTY_SYMBOLS[level]} {level.capitalize()}: "
                f"{certainty.LEVEL_MEANINGS[level]}"
                for level in reversed(LEVELS)
            )
        )
        .tab_source_note(
            "CI: confidence interval. Prediction interval: where a new study's proportion may "
            "lie (pooled rows only). Single study, not pooled: that study's proportion; "
            "crude, not pooled: all events over all patients, exact (Clopper–Pearson) "
            "interval (counts given per modality, or a model that is not estimable). Adverse "
            f"events and recurrence: patients per modality as Table 2 gives them, over the "
            f"modality's patients, the project's reading: Table 2 gives no denominator, and "
            f"where fewer patients were followed for an event the proportion is too low. "
            f"{NOT_REPORTED_WORDS.capitalize()}: not rated. "
            f"Judgments of risk of bias, indirectness and publication bias: the project's "
            f"register ({CERTAINTY_FILE})."
        )
        .tab_style(style.text(weight="bold"), loc.row_groups())
        .tab_style(style.text(whitespace="nowrap"), loc.body(columns=["estimate", "certainty"]))
        .opt_css(
            f"#{_TABLE_ID} .gt_footnote, #{_TABLE_ID} .gt_sourcenote "
            "{ text-align: left; white-space: normal; }"
        )
        .tab_options(
            table_font_size="12px",
            heading_title_font_size="18px",
            heading_subtitle_font_size="13px",
            data_row_padding="3px",
            source_notes_font_size="11px",
            table_width="100%",
        )
    )
    return SummaryTable(gt)


def write_summary_of_findings(findings: list[Finding], output_dir) -> Path | None:
    """Write ``summary_of_findings.csv`` under ``output_dir`` (nothing when it is None).

    Parameters
    ----------
    findings : list of Finding
        :func:`helpers.analysis.certainty.summary_of_findings`' rows.
    output_dir : str or Path or None
        The run's output folder (relative paths from the project root).

    Returns
    -------
    Path or None
        The file written: :data:`helpers.analysis.certainty.SOF_COLUMNS`, numbers rounded to
        6 decimals, text guarded against spreadsheet formulas; or None.
    """
    if output_dir is None:
        return None
    return escape.write_csv(
        certainty.frame(findings), project_path(output_dir) / SOF_FILE, decimals=6
    )


def read_summary_of_findings(path) -> pd.DataFrame:
    """Read ``summary_of_findings.csv`` as :func:`write_summary_of_findings` wrote it.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    DataFrame
        Every text as written (the formula guard taken off; "None" is a label, not a missing
        value).

    Raises
    ------
    ValueError
        When the file does not hold :data:`helpers.analysis.certainty.SOF_COLUMNS`.
    """
    return escape.read_csv(path, certainty.SOF_COLUMNS, certainty.SOF_TEXT_COLUMNS)


def _downgrades(row) -> str:
    """The domains a row is rated down on, in words: "imprecision (very serious); ..."."""
    parts = [
        f"{DOMAIN_LABELS[d].lower()} ({row[f'{d}_judgment']})"
        for d in DOMAINS
        if row[f"{d}_judgment"] in JUDGMENTS[1:]
    ]
    return "; ".join(parts) or "not rated down"


def front_page_rows(path, outcomes=("response", "complete")) -> pd.DataFrame:
    """The rows the front page shows, read from a run's ``summary_of_findings.csv``.

    Parameters
    ----------
    path : str or Path
        The file :func:`write_summary_of_findings` wrote.
    outcomes : sequence of str
        The outcomes shown (keys of :data:`helpers.analysis.certainty.OUTCOME_LABELS`); by
        default response and complete response.

    Returns
    -------
    DataFrame
        :data:`FRONT_PAGE_COLUMNS`, plain text (escape it where it lands), in the file's
        order: the outcome, the therapy, "k (patients)", the estimate with its 95% CI (or
        "not reported") with what it is when not pooled, and the certainty with the domains
        rated down ("very low: risk of bias (serious); imprecision (very serious)").

    Raises
    ------
    ValueError
        When the file does not hold the columns of the Summary of Findings.
    """
    frame = read_summary_of_findings(path)
    frame = frame[frame["outcome"].isin(list(outcomes))]
    rows = []
    for _, row in frame.iterrows():
        reported = not is_missing(row["events"])
        estimate = (
            interval_text(row["proportion"], row["ci_low"], row["ci_high"])
            if reported
            else NOT_REPORTED_WORDS
        )
        if reported and row["estimate"] != "pooled":
            estimate += f" ({row['estimate']})"
        event = row["event"] if isinstance(row["event"], str) and row["event"] else ""
        rated = row["certainty"] in LEVELS
        rows.append(
            {
                "Outcome": row["outcome_label"] + (f": {event}" if event else ""),
                "Therapy": row["group"],
                "Studies (patients)": f"{count_noun(int(row['k']), 'study', 'studies')} "
                f"({count_noun(int(row['patients']), 'patient')})",
                "Estimate (95% CI)": estimate,
                "Certainty": f"{row['certainty']}: {_downgrades(row)}"
                if rated
                else row["certainty"],
            }
        )
    return pd.DataFrame(rows, columns=FRONT_PAGE_COLUMNS)
