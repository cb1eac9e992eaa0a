"""The words a reader sees for the data's names: column headers and vocabulary keys.

The data and the analyses name things as identifiers (``time_to_first_improvement``,
``er_yag_laser``, ``not_computable``); a report shows them in the paper's vocabulary
("Time to first improvement", "Er:YAG laser", "not computable"). This module is the one
place that says how: :data:`HEADERS` for column and index names, :data:`TERMS` for the
keys of the data dictionary's enumerations, and the review's own vocabularies (modality,
family and disease-category labels, read from ``data/vocabularies``) once
:func:`use_vocabulary` has been called (``helpers.report.setup.start`` does).

A name not listed is shown with its underscores as spaces and its first letter capitalised,
so no identifier ever reaches a reader as it is written in the code.
"""

from __future__ import annotations

import re

from helpers.data.printed import NOT_REPORTED_WORDS

__all__ = ["HEADERS", "TERMS", "header", "spell_out", "term", "use_vocabulary"]

#: Column and index names as the reports head them (the paper's words where it has them).
HEADERS: dict[str, str] = {
    "ref": "Ref.",
    "claim_id": "Claim",
    "cited_in_text": "Cited in the text",
    "depends_on": "Depends on",
    "publication_type": "Publication type",
    "single_patient": "Single-patient reports",
    "table2_n": "n in Table 2",
    "row_label": "Row",
    "largest_diameter": "Largest diameter (cm)",
    "largest_diameter_cm": "Largest diameter (cm)",
    "largest_diameter_qualifier": "Largest diameter: qualifier",
    "frequency_low": "Frequency: lowest",
    "frequency_high": "Frequency: highest",
    "treatment_duration": "Treatment duration (months)",
    "treatment_duration_median": "Treatment duration: median (months)",
    "treatment_duration_low": "Treatment duration: lowest (months)",
    "treatment_duration_high": "Treatment duration: highest (months)",
    "time_to_first_improvement": "Time to first improvement (months)",
    "time_to_first_improvement_median": "Time to first improvement: median (months)",
    "time_to_first_improvement_low": "Time to first improvement: lowest (months)",
    "time_to_first_improvement_high": "Time to first improvement: highest (months)",
    "response_rates": "Response rates",
    "adverse_events": "Adverse events",
    "paper_says": "The paper says",
    "project_does": "The project does",
    "strict_does": "The paper's method alone does",
    "project_status": "Status (project's reading)",
    "strict_status": "Status (paper's method alone)",
    "rests_on": "Rests on",
    "ci_low": "95% CI: low",
    "ci_high": "95% CI: high",
    "pi_low": "Prediction interval: low",
    "pi_high": "Prediction interval: high",
    "n_studies": "Studies",
    "n_patients": "Patients",
    "search_date": "Search date",
    "k": "k",
    "n": "n",
}

#: Keys of the data dictionary's enumerations and the audit's statuses, as words.
TERMS: dict[str, str] = {
    "full_article": "full article",
    "conference_abstract": "conference abstract",
    "controlled_trial": "controlled trial",
    "case_series": "case series",
    "case_report": "case report",
    "not_computable": "not computable",
    "not_reported": NOT_REPORTED_WORDS,
    "not_applicable": "not applicable",
    "time_to_first_improvement": "time to first improvement",
    "treatment_duration": "treatment duration",
    "follow_up": "follow-up",
    "largest_diameter": "largest diameter",
    "response_rates": "response rates",
    "adverse_events": "adverse events",
}

#: The review's vocabulary labels (modality, family, disease category), set by
#: :func:`use_vocabulary`.
_VOCABULARY: dict[str, str] = {}

_SUFFIXES = (
    ("_percent", " (%)"),
    ("_n", " (n)"),
    ("_total", " (total)"),
    ("_paper", ": paper"),
    ("_now", ": now"),
    ("_change", ": change"),
)


#: Headers that begin with a statistical symbol keep its case.
_AS_WRITTEN = re.compile(r"^(k|n|p|tau²|tau|df)\b")


def use_vocabulary(review) -> None:
    """Show the review's modality, family and disease-category keys by their labels.

    Parameters
    ----------
    review : Review
        A loaded review; its ``modalities``, ``families`` and ``disease_categories``
        tables give each key's ``label``.
    """
    _VOCABULARY.clear()
    for table in (review.modalities, review.families, review.disease_categories):
        _VOCABULARY.update({str(k): str(v) for k, v in table["label"].items()})


def term(key) -> object:
    """A vocabulary or enumeration key as words; any other value unchanged.

    Parameters
    ----------
    key : object
        A cell or a row label.

    Returns
    -------
    object
        The label of a modality, family or disease category (after :func:`use_vocabulary`),
        the words of :data:`TERMS`, or ``key`` itself.

    Examples
    --------
    >>> term("not_computable"), term("Abbott [59]"), term(3)
    ('not computable', 'Abbott [59]', 3)
    """
    if not isinstance(key, str):
        return key
    return _VOCABULARY.get(key, TERMS.get(key, key))


def header(name) -> object:
    """A column or index name as a reader's header.

    Parameters
    ----------
    name : object
        The name; a name that is not a string (a number, None) is returned unchanged.

    Returns
    -------
    object
        :data:`HEADERS`' entry; or the name's words (:func:`term`: tables with one column
        per modality or status) with underscores as spaces, its suffixes (``_n``,
        ``_percent``, ``_paper``...) in words, and its first letter capitalised unless
        it is a statistical symbol (k, n, p, tau²).

    Examples
    --------
    >>> header("claim_id"), header("partial_percent"), header("events / n")
    ('Claim', 'Partial (%)', 'Events / n')
    """
    if not isinstance(name, str):
        return name
    if name in HEADERS:
        return HEADERS[name]
    text = str(term(name))
    for suffix, words in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)] + words
            break
    text = text.replace("_", " ")
    if _AS_WRITTEN.match(text):
        return text  # a symbol: k, n, p, tau²
    return text[:1].upper() + text[1:]


def spell_out(text: str) -> str:
    """A sentence with each identifier in it (``reports_excluded``) written as words.

    Parameters
    ----------
    text : str
        The sentence.

    Returns
    -------
    str
        Each word made of lower-case letters and underscores replaced by :func:`term`'s
        words, or by itself with its underscores as spaces.

    Examples
    --------
    >>> spell_out("reports_excluded = the sum of the case_series")
    'reports excluded = the sum of the case series'
    """
    return re.sub(
        r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b",
        lambda m: str(term(m.group())).replace("_", " "),
        text,
    )
