"""The Summary of Findings: each therapy's outcomes with their numbers and a GRADE certainty.

The framing
    The review asks whether a local therapy works, a question of a treatment's effect. What
    it pools is not a comparative effect but a single-arm proportion: the responders among
    the treated patients of each study. GRADE rates the certainty of a body of evidence for
    each outcome [1]_ [2]_ and starts it by design [3]_: evidence from randomised trials of
    the comparison starts HIGH, observational evidence starts LOW. For a proportion without
    a comparison there is no single relative effect; GRADE's guidance for event rates [4]_
    and for rating certainty without a single estimate [5]_ rates the same five domains, and
    case series and case reports are the lowest level of that observational evidence, to be
    rated down further for their limits [6]_. The rule this module applies
    (:func:`starting_level`): the starting level follows the designs of the studies that give
    the estimate and whether the estimate is a comparison. A body that rests only on
    controlled trials *and* gives their comparison starts HIGH; anything else starts LOW.
    GRADE starts only *randomised* trials high; the design vocabulary records a controlled
    trial, not its randomisation (the paper does not say whether Winter [22] was randomised),
    so a comparative rating would have to check it; none is made here.
    The one controlled trial of this review (Winter [22], a double-blind placebo-controlled
    pilot study with control lesions in the same patients) does not give the quantity
    pooled here: its treated patients enter as a single arm, like a case series, so every
    body of evidence here starts LOW. Iorio et al. [4] start observational evidence HIGH, but
    for prognosis: event rates in broad, representative cohorts of patients, where no
    comparison is asked for. The proportion here is read as a treatment's effect, from case
    series and case reports that are neither representative cohorts nor comparisons, so
    that start does not apply; their guidance is used for rating the domains of an event
    rate, not for the starting level. Upgrading domains (a large effect, a dose-response
    gradient, plausible confounding) are not applied: they need a comparison.

The domains
    Imprecision and inconsistency follow from the numbers by the rules below, written as
    constants; GRADE gives no fixed thresholds for a single proportion, so these are the
    project's rules, after GRADE 6 (imprecision) [7]_ and GRADE 7 (inconsistency) [8]_:

    - imprecision (:func:`imprecision`): serious when the 95% confidence interval is wider
      than :data:`WIDE_CI_POINTS` percentage points *or* rests on fewer than
      :data:`FEW_PATIENTS` patients (about the patients a proportion near 50% needs for a
      95% interval of ±10 points, GRADE's optimal information size for one proportion);
      very serious when both, or when the evidence is a single study; an estimate with no
      interval counts as wide;
    - inconsistency (:func:`inconsistency`): serious when I² is at least
      :data:`I2_SUBSTANTIAL` percent *or* the prediction interval is wider than
      :data:`WIDE_PI_POINTS` points with a between-study variance above zero (so the width
      is heterogeneity, not only imprecision); very serious when both. It cannot be assessed
      with one study, with a model that is not estimable, or with counts given per modality
      only (recurrence, adverse events): then it is not rated down, and the reason says so.

    Risk of bias, indirectness and publication bias are judgments: the register
    ``data/certainty.yaml`` holds them with their rationale and the paper's sentence
    (:mod:`helpers.data.judgments`). Each rating is one level down for serious and two for
    very serious, from the starting level, never below very low (:func:`combine`).

The rows
    :func:`summary_of_findings`: for each modality and family with studies in the primary
    analysis (:class:`helpers.analysis.pooling.Settings` with its defaults), response and
    complete response from :func:`helpers.analysis.pooling.fit_groups` (a group of one
    study shows that study's proportion, not a pooled one; a group whose model is not
    estimable shows the crude proportion); and for each modality, recurrence and its
    adverse events as ``adverse_events.csv`` gives them: counts of patients per modality,
    which cannot be pooled, so they are shown as crude proportions with the exact
    (Clopper–Pearson) interval. Their denominator is the modality's patients (the project's
    reading: Table 2 gives no other; where fewer patients were followed for an event, the
    proportion shown is too low). The adverse events shown are every event Table 2 lists
    for the modality (the list is short), recurrence on its own row; a count printed as not
    reported stays not reported and is not rated.

References
----------
.. [1] Schünemann H, Brożek J, Guyatt G, Oxman A, eds (2013). GRADE Handbook, section 5:
   quality of evidence. The GRADE Working Group.
.. [2] Guyatt G, Oxman AD, Akl EA, et al (2011). GRADE guidelines: 1. Introduction - GRADE
   evidence profiles and summary of findings tables. J Clin Epidemiol 64:383-394.
.. [3] Balshem H, Helfand M, Schünemann HJ, et al (2011). GRADE guidelines: 3. Rating the
   quality of evidence. J Clin Epidemiol 64:401-406.
.. [4] Iorio A, Spencer FA, Falavigna M, et al (2015). Use of GRADE for assessment of evidence
   about prognosis: rating confidence in estimates of event rates in broad categories of
   patients. BMJ 350:h870.
.. [5] Murad MH, Mustafa RA, Schünemann HJ, Sultan S, Santesso N (2017). Rating the certainty
   in evidence in the absence of a single estimate of effect. Evid Based Med 22:85-87.
.. [6] Murad MH, Sultan S, Haffar S, Bazerbachi F (2018). Methodological quality and synthesis
   of case series and case reports. BMJ Evid Based Med 23:60-63.
.. [7] Guyatt GH, Oxman AD, Kunz R, et al (2011). GRADE guidelines 6. Rating the quality of
   evidence - imprecision. J Clin Epidemiol 64:1283-1293.
.. [8] Guyatt GH, Oxman AD, Kunz R, et al (2011). GRADE guidelines: 7. Rating the quality of
   evidence - inconsistency. J Clin Epidemiol 64:1294-1302.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from helpers.analysis.meta import study_table
from helpers.analysis.pooling import OUTCOMES as POOLED_OUTCOMES
from helpers.analysis.pooling import GroupFit, Settings, events_per_study, fit_groups, groups
from helpers.data.errors import DataValidationError, Problem
from helpers.data.judgments import DOMAINS as JUDGED_DOMAINS
from helpers.data.judgments import JUDGMENTS, judgment_for
from helpers.data.loader import Review
from helpers.data.printed import NOT_REPORTED_WORDS
from helpers.data.registers import CERTAINTY_FILE
from helpers.data.values import count_noun, is_missing

__all__ = [
    "COMPARATIVE_DESIGNS",
    "DOMAINS",
    "DOMAIN_LABELS",
    "FEW_PATIENTS",
    "I2_SUBSTANTIAL",
    "LEVELS",
    "LEVEL_MEANINGS",
    "NOT_ASSESSABLE",
    "NOT_RATED",
    "NO_ADVERSE_EVENT",
    "OUTCOME_LABELS",
    "RECURRENCE",
    "REFERENCES",
    "SOF_COLUMNS",
    "SOF_NUMBER_COLUMNS",
    "SOF_TEXT_COLUMNS",
    "WIDE_CI_POINTS",
    "WIDE_PI_POINTS",
    "Finding",
    "Rating",
    "combine",
    "frame",
    "imprecision",
    "inconsistency",
    "starting_level",
    "summary_of_findings",
]

#: The guidance the framing and the rules follow, as the report cites it.
REFERENCES = (
    "Schünemann H, Brożek J, Guyatt G, Oxman A, eds (2013). GRADE Handbook, section 5: "
    "quality of evidence. The GRADE Working Group.",
    "Guyatt G, Oxman AD, Akl EA, et al (2011). GRADE guidelines: 1. Introduction - GRADE "
    "evidence profiles and summary of findings tables. J Clin Epidemiol 64:383-394.",
    "Balshem H, Helfand M, Schünemann HJ, et al (2011). GRADE guidelines: 3. Rating the quality "
    "of evidence. J Clin Epidemiol 64:401-406.",
    "Guyatt GH, Oxman AD, Kunz R, et al (2011). GRADE guidelines 6. Rating the quality of "
    "evidence - imprecision. J Clin Epidemiol 64:1283-1293.",
    "Guyatt GH, Oxman AD, Kunz R, et al (2011). GRADE guidelines: 7. Rating the quality of "
    "evidence - inconsistency. J Clin Epidemiol 64:1294-1302.",
    "Iorio A, Spencer FA, Falavigna M, et al (2015). Use of GRADE for assessment of evidence "
    "about prognosis: rating confidence in estimates of event rates in broad categories of "
    "patients. BMJ 350:h870.",
    "Murad MH, Mustafa RA, Schünemann HJ, Sultan S, Santesso N (2017). Rating the certainty in "
    "evidence in the absence of a single estimate of effect. Evid Based Med 22:85-87.",
    "Murad MH, Sultan S, Haffar S, Bazerbachi F (2018). Methodological quality and synthesis of "
    "case series and case reports. BMJ Evid Based Med 23:60-63.",
    "Deeks JJ, Higgins JPT, Altman DG (2022). Chapter 10: Analysing data and undertaking "
    "meta-analyses, section 10.10.2. In: Cochrane Handbook for Systematic Reviews of "
    "Interventions, version 6.3.",
)
#: GRADE's levels of certainty, lowest first (a level's index counts the levels above very low).
LEVELS = ("very low", "low", "moderate", "high")
#: What each level means (GRADE Handbook, section 5; Balshem et al. 2011, table 2).
LEVEL_MEANINGS = {
    "high": "We are very confident that the true effect lies close to that of the estimate.",
    "moderate": (
        "We are moderately confident in the estimate: the true effect is likely to be close to "
        "it, but may be substantially different."
    ),
    "low": (
        "Our confidence in the estimate is limited: the true effect may be substantially "
        "different from it."
    ),
    "very low": (
        "We have very little confidence in the estimate: the true effect is likely to be "
        "substantially different from it."
    ),
}
#: The designs whose comparison, when it is what is estimated, starts a body of evidence HIGH.
COMPARATIVE_DESIGNS = ("controlled_trial",)
#: The five GRADE domains, in the order of a GRADE evidence profile.
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
#: The domains in words.
DOMAIN_LABELS = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
#: A domain that cannot be assessed: not rated down, with the reason.
NOT_ASSESSABLE = "not assessable"
#: The certainty of a row with no estimate (a count not reported).
NOT_RATED = "not rated"
#: Levels down for each judgment.
_DOWN = {"not serious": 0, "serious": 1, "very serious": 2, NOT_ASSESSABLE: 0}
#: Imprecision: a 95% confidence interval wider than this (percentage points) is serious.
WIDE_CI_POINTS = 30.0
#: Imprecision: fewer patients than this is serious (1.96² × 0.25 / 0.10² ≈ 96: a proportion
#: near 50% needs about 100 patients for a 95% interval of ±10 points).
FEW_PATIENTS = 100
#: Inconsistency: I² (percent) from which heterogeneity is substantial (Cochrane Handbook
#: 10.10.2: 50% to 90% "may represent substantial heterogeneity").
I2_SUBSTANTIAL = 50.0
#: Inconsistency: a prediction interval wider than this (percentage points) is serious.
WIDE_PI_POINTS = 50.0
#: The outcomes of the table, in words (keys of :data:`helpers.data.judgments.OUTCOMES`).
OUTCOME_LABELS = {
    "response": "Complete or partial response",
    "complete": "Complete response",
    "recurrence": "Recurrence",
    "adverse_events": "Adverse event",
}
#: The adverse event ``adverse_events.csv`` records recurrence as.
RECURRENCE = "Recurrence"
#: The event Table 2 prints for a modality with no adverse event.
NO_ADVERSE_EVENT = "None"
_LEVEL = 0.95


@dataclass(frozen=True)
class Rating:
    """One domain's rating of one row.

    Attributes
    ----------
    domain : str
        One of :data:`DOMAINS`.
    judgment : str
        "not serious", "serious", "very serious" or :data:`NOT_ASSESSABLE`.
    reason : str
        Why, in words, from the numbers or the register's rationale.
    source : str
        The rule (``"rule: imprecision"``) or the register entry (``"certainty.yaml: rob-all"``).
    quote : str
        The paper's sentence a judgment rests on ("" for a rule).
    """

    domain: str
    judgment: str
    reason: str
    source: str
    quote: str = ""

    @property
    def down(self) -> int:
        """Levels this rating takes off: 0, 1 or 2."""
        return _DOWN[self.judgment]


#: Decimals a width or I² is compared at: an interval from 0.1 to 0.4 is 30 points wide, not
#: the 30.000000000000004 of floating point, so a value exactly at a threshold is on its side.
_DECIMALS = 9


def _points(lo, hi) -> float:
    return round(100 * (float(hi) - float(lo)), _DECIMALS)


def _shown(value: float, beyond: bool, threshold: float, strict: bool) -> str:
    """A value with the fewest decimals whose rounding stays on its side of a threshold.

    ``beyond`` is whether the value passes the threshold (``>`` when ``strict``, else
    ``>=``); "30 points wide (more than 30)" would contradict itself, so a width of 30.4
    shows as "30.4".
    """
    for decimals in range(_DECIMALS + 1):
        text = f"{value:.{decimals}f}"
        shown = float(text)
        if (shown > threshold if strict else shown >= threshold) == beyond:
            return text
    return repr(value)


def starting_level(designs, comparative: bool = False) -> tuple[str, str]:
    """The level a body of evidence starts at, by its designs and what it estimates.

    Parameters
    ----------
    designs : iterable of str
        The designs of the studies that give the estimate (``studies.csv``'s ``design``).
    comparative : bool
        Whether the estimate is the studies' comparison of treatment and control. The
        Summary of Findings pools single-arm proportions: False.

    Returns
    -------
    level : str
        "high" when the estimate is comparative and every study is of
        :data:`COMPARATIVE_DESIGNS`; "low" otherwise. GRADE starts only randomised trials
        high, and the designs do not record randomisation: a comparative estimate would need
        it checked (the Summary of Findings has none).
    reason : str
        The rule applied, in words.

    Examples
    --------
    >>> starting_level(["controlled_trial"], comparative=True)[0]
    'high'
    >>> starting_level(["controlled_trial", "case_series"])[0]
    'low'
    """
    designs = sorted(set(designs))
    if comparative and designs and all(d in COMPARATIVE_DESIGNS for d in designs):
        return "high", "controlled trials giving their comparison start high"
    if not comparative and any(d in COMPARATIVE_DESIGNS for d in designs):
        return "low", (
            "a single-arm proportion starts low: the controlled trial's treated patients enter "
            "as one arm, not as its comparison"
        )
    return "low", "case series and case reports (non-comparative evidence) start low"


def imprecision(k: int, n: int, ci_low: float, ci_high: float) -> Rating:
    """Imprecision by the project's rule (module docstring; Guyatt et al. 2011, GRADE 6).

    Parameters
    ----------
    k : int
        The studies giving the estimate.
    n : int
        Their patients.
    ci_low, ci_high : float
        The 95% confidence interval (proportions); a missing end counts as a wide interval
        (no interval shows no precision).

    Returns
    -------
    Rating
        Very serious for a single study, or a wide interval from few patients; serious for
        one of the two; not serious for neither.

    Examples
    --------
    >>> imprecision(5, 150, 0.40, 0.60).judgment
    'not serious'
    >>> imprecision(5, 50, 0.10, 0.60).judgment
    'very serious'
    """
    few = n < FEW_PATIENTS
    if is_missing(ci_low) or is_missing(ci_high):  # no interval shows no precision
        wide, ci_text = True, "no 95% CI (counted as wide)"
    else:
        width = _points(ci_low, ci_high)
        wide = width > WIDE_CI_POINTS
        ci_text = (
            f"95% CI {_shown(width, wide, WIDE_CI_POINTS, True)} points wide "
            f"({'more' if wide else 'no more'} than {WIDE_CI_POINTS:.0f})"
        )
    what = (
        f"{ci_text}; {count_noun(n, 'patient')} ({'fewer' if few else 'no fewer'} than "
        f"{FEW_PATIENTS})"
    )
    if k == 1:
        judgment, what = "very serious", f"a single study; {what}"
    else:
        judgment = JUDGMENTS[int(wide) + int(few)]
    return Rating("imprecision", judgment, what, "rule: imprecision")


def inconsistency(
    k: int,
    i2: float = math.nan,
    tau2: float = math.nan,
    pi_low: float = math.nan,
    pi_high: float = math.nan,
    per_modality: bool = False,
) -> Rating:
    """Inconsistency by the project's rule (module docstring; Guyatt et al. 2011, GRADE 7).

    Parameters
    ----------
    k : int
        The studies giving the estimate.
    i2, tau2 : float
        I² (percent) and the between-study variance of the model; missing when the model
        gives none.
    pi_low, pi_high : float
        The prediction interval (proportions); missing when the model gives none.
    per_modality : bool
        True for counts given per modality only (no study's own count).

    Returns
    -------
    Rating
        :data:`NOT_ASSESSABLE` for counts per modality, a single study or a model with no
        I² (not rated down); else very serious for substantial I² and a wide prediction
        interval, serious for one of them, not serious for neither.

    Examples
    --------
    >>> inconsistency(6, i2=80.0, tau2=1.2, pi_low=0.05, pi_high=0.95).judgment
    'very serious'
    >>> inconsistency(1).judgment
    'not assessable'
    """
    source = "rule: inconsistency"
    if per_modality:
        why = "counts are given per modality, not per study; not rated down"
        return Rating("inconsistency", NOT_ASSESSABLE, why, source)
    if k < 2:
        why = "a single study; not rated down"
        return Rating("inconsistency", NOT_ASSESSABLE, why, source)
    if is_missing(i2):
        why = "no model could be estimated; not rated down"
        return Rating("inconsistency", NOT_ASSESSABLE, why, source)
    i2 = round(float(i2), _DECIMALS)
    substantial = i2 >= I2_SUBSTANTIAL
    has_pi = not is_missing(pi_low) and not is_missing(pi_high)
    width = _points(pi_low, pi_high) if has_pi else math.nan
    spread = not is_missing(tau2) and tau2 > 0
    wide = has_pi and spread and width > WIDE_PI_POINTS
    if not has_pi:
        pi_text = "no prediction interval"
    elif spread:
        pi_text = (
            f"prediction interval {_shown(width, wide, WIDE_PI_POINTS, True)} points wide "
            f"({'more' if wide else 'no more'} than {WIDE_PI_POINTS:.0f})"
        )
    elif is_missing(tau2):
        pi_text = (
            f"prediction interval {width:.0f} points wide; no between-study variance to tell "
            "heterogeneity from imprecision, so its width is not counted"
        )
    else:
        pi_text = f"prediction interval {width:.0f} points wide from imprecision alone (tau² = 0)"
    i2_shown = _shown(i2, substantial, I2_SUBSTANTIAL, False)
    i2_text = f"I² {i2_shown}% ({'at least' if substantial else 'below'} {I2_SUBSTANTIAL:.0f}%)"
    why = f"{i2_text}; {pi_text}"
    return Rating("inconsistency", JUDGMENTS[int(substantial) + int(wide)], why, source)


def combine(start: str, ratings) -> str:
    """The certainty: the starting level, minus one level per serious and two per very serious
    rating, never below very low.

    Parameters
    ----------
    start : str
        One of :data:`LEVELS`.
    ratings : iterable of Rating
        The domains' ratings.

    Returns
    -------
    str
        One of :data:`LEVELS`.

    Examples
    --------
    >>> combine("low", [Rating("imprecision", "serious", "", "")])
    'very low'
    >>> combine("high", [Rating("imprecision", "not serious", "", "")])
    'high'
    """
    down = sum(r.down for r in ratings)
    return LEVELS[max(LEVELS.index(start) - down, 0)]


@dataclass(frozen=True)
class Finding:
    """One row of the Summary of Findings.

    Attributes
    ----------
    kind, key, group : str
        The modality or family: its kind, vocabulary key and label.
    outcome : str
        A key of :data:`OUTCOME_LABELS`.
    event : str
        The adverse event as ``adverse_events.csv`` names it ("" for other outcomes).
    k : int
        Studies giving the estimate (for counts per modality: the modality's studies).
    patients : int
        Their patients (the denominator).
    events : int or None
        Patients with the outcome; None when not reported.
    proportion, ci_low, ci_high, pi_low, pi_high : float
        The estimate, its 95% confidence interval and its prediction interval (NaN when
        there is none).
    estimate : str
        What the estimate is: "pooled", "single study, not pooled", "crude, not pooled" or
        :data:`NOT_REPORTED_WORDS`.
    model : str
        The model shown or the interval used.
    start : str
        The starting level (:func:`starting_level`), and ``start_reason`` why.
    ratings : tuple of Rating
        One per domain of :data:`DOMAINS`, in that order (empty when not rated).
    certainty : str
        One of :data:`LEVELS`, or :data:`NOT_RATED`.
    note : str
        What the reader should know about the fit.
    """

    kind: str
    key: str
    group: str
    outcome: str
    event: str
    k: int
    patients: int
    events: int | None
    proportion: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    estimate: str
    model: str
    start: str
    start_reason: str
    ratings: tuple[Rating, ...]
    certainty: str
    note: str = ""

    def rating(self, domain: str) -> Rating | None:
        """The rating of one domain (None for a row not rated).

        Parameters
        ----------
        domain : str
            One of :data:`DOMAINS`.

        Returns
        -------
        Rating or None
        """
        return next((r for r in self.ratings if r.domain == domain), None)


#: The columns of :func:`summary_of_findings`' frame (and of ``summary_of_findings.csv``):
#: the row, its numbers, the certainty and each domain's judgment, reason, source and quote.
SOF_COLUMNS = [
    "kind",
    "key",
    "group",
    "outcome",
    "outcome_label",
    "event",
    "k",
    "patients",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "estimate",
    "model",
    "start",
    "start_reason",
    "certainty",
    "note",
    *[f"{d}_{part}" for d in DOMAINS for part in ("judgment", "reason", "source", "quote")],
]
#: The columns of :data:`SOF_COLUMNS` that hold numbers; the others hold text.
SOF_NUMBER_COLUMNS = (
    "k",
    "patients",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
)
#: The columns of :data:`SOF_COLUMNS` that hold text.
SOF_TEXT_COLUMNS = tuple(c for c in SOF_COLUMNS if c not in SOF_NUMBER_COLUMNS)


def _judged(review: Review, kind: str, key: str, outcome: str) -> list[Rating]:
    """The register's ratings of a cell, one per judged domain."""
    out = []
    for domain in JUDGED_DOMAINS:
        entry = judgment_for(review.certainty, domain, kind, key, outcome)
        if entry is None:  # a checked register covers every cell; a review built otherwise may not
            raise DataValidationError(
                [
                    Problem(
                        CERTAINTY_FILE,
                        "judgments cover every cell",
                        f"no entry judges {domain} for {kind} {key!r}, outcome {outcome!r}",
                        column="scope",
                    )
                ]
            )
        out.append(
            Rating(
                domain,
                entry.judgment,
                entry.rationale,
                f"{CERTAINTY_FILE}: {entry.id}",
                entry.quote,
            )
        )
    return out


def _rated(review, kind, key, outcome, designs, computed) -> dict:
    """The starting level, every domain's rating in order, and the certainty."""
    start, why = starting_level(designs)
    ratings = {r.domain: r for r in [*_judged(review, kind, key, outcome), *computed]}
    ordered = tuple(ratings[d] for d in DOMAINS)
    return {
        "start": start,
        "start_reason": why,
        "ratings": ordered,
        "certainty": combine(start, ordered),
    }


def _pooled_finding(review: Review, fit: GroupFit, outcome: str, designs) -> Finding:
    """A response row from a group's fit: pooled, one study's, or crude where not estimable."""
    r = fit.result
    if fit.single or not r.converged:
        c = fit.crude
        estimate = "single study, not pooled" if fit.single else "crude, not pooled"
        numbers = (c.proportion, c.ci_low, c.ci_high, math.nan, math.nan)
        model = "exact (Clopper–Pearson) interval"
        consistency = inconsistency(r.k)
    else:
        estimate, model = "pooled", fit.model_shown
        numbers = (r.proportion, r.ci_low, r.ci_high, r.pi_low, r.pi_high)
        consistency = inconsistency(r.k, r.i2, r.tau2, r.pi_low, r.pi_high)
    rated = _rated(
        review,
        fit.kind,
        fit.key,
        outcome,
        designs,
        [consistency, imprecision(r.k, int(r.n), numbers[1], numbers[2])],
    )
    return Finding(
        fit.kind,
        fit.key,
        fit.label,
        outcome,
        "",
        int(r.k),
        int(r.n),
        int(r.events),
        *map(float, numbers),
        estimate,
        model,
        note=fit.note,
        **rated,
    )


def _count_finding(review, key, label, outcome, event, patients, k, designs, count) -> Finding:
    """A row of counts per modality: a crude proportion with its exact interval, or not
    reported."""
    if is_missing(count):
        return Finding(
            "modality",
            key,
            label,
            outcome,
            event,
            k,
            patients,
            None,
            *[math.nan] * 5,
            NOT_REPORTED_WORDS,
            "",
            "",
            "",
            (),
            NOT_RATED,
            f"{NOT_REPORTED_WORDS}: no count to rate",
        )
    study = study_table([int(count)], [patients], level=_LEVEL).iloc[0]
    rated = _rated(
        review,
        "modality",
        key,
        outcome,
        designs,
        [
            inconsistency(k, per_modality=True),
            imprecision(k, patients, study["ci_low"], study["ci_high"]),
        ],
    )
    return Finding(
        "modality",
        key,
        label,
        outcome,
        event,
        k,
        patients,
        int(count),
        float(study["proportion"]),
        float(study["ci_low"]),
        float(study["ci_high"]),
        math.nan,
        math.nan,
        "crude, not pooled",
        "exact (Clopper–Pearson) interval",
        note=(
            "counts per modality (Table 2); denominator: the modality's patients (the project's "
            "reading; the patients followed for the event may be fewer)"
        ),
        **rated,
    )


def _harms(review: Review, key: str, label: str) -> list[Finding]:
    """A modality's recurrence row and its adverse-event rows."""
    studies = review.studies[review.studies["modality"] == key]
    patients, k, designs = int(studies["n_cases"].sum()), len(studies), studies["design"]
    ae = review.adverse_events[review.adverse_events["modality"] == key]
    recurrence = ae[ae["event"] == RECURRENCE]
    count = recurrence["patients"].iloc[0] if len(recurrence) else None
    rows = [_count_finding(review, key, label, "recurrence", "", patients, k, designs, count)]
    for _, event in ae[ae["event"] != RECURRENCE].iterrows():
        name = "Any adverse event" if event["event"] == NO_ADVERSE_EVENT else event["event"]
        rows.append(
            _count_finding(
                review, key, label, "adverse_events", name, patients, k, designs, event["patients"]
            )
        )
    return rows


def summary_of_findings(review: Review, settings: Settings | None = None) -> list[Finding]:
    """Every row of the Summary of Findings, therapy by therapy.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    settings : Settings, optional
        The analysis pooled; by default the primary analysis (``Settings()``). Its
        ``outcome`` is ignored: both response outcomes are shown.

    Returns
    -------
    list of Finding
        For each group of :func:`helpers.analysis.pooling.groups` with studies, in that
        order: response and complete response, then (modalities only) recurrence and each
        adverse event. :meth:`frame` turns them into a table.

    Raises
    ------
    DataValidationError
        When the register judges no entry for a cell (a review whose register was not
        checked by the loader).
    """
    settings = settings or Settings()
    fits = {}
    for outcome in POOLED_OUTCOMES:  # the keys of the register are pooling's outcomes
        chosen = {**settings.selection, "outcome": outcome}
        data = events_per_study(review, **chosen)
        fits[outcome] = (
            data,
            fit_groups(data, review, method=settings.method, test=settings.test, level=_LEVEL),
        )
    rows = []
    for kind, key, label in groups(review):
        for outcome, (data, group_fits) in fits.items():
            fit = group_fits.get((kind, key))
            if fit is not None:
                designs = review.studies.loc[data.index[data[kind] == key], "design"]
                rows.append(_pooled_finding(review, fit, outcome, designs))
        if kind == "modality" and (kind, key) in fits["response"][1]:
            rows += _harms(review, key, label)
    return rows


def frame(findings: list[Finding]) -> pd.DataFrame:
    """The rows as one table: :data:`SOF_COLUMNS`.

    Parameters
    ----------
    findings : list of Finding
        :func:`summary_of_findings`' rows.

    Returns
    -------
    DataFrame
        One row per finding; a domain of a row not rated has empty judgment, reason,
        source and quote.
    """
    rows = []
    for f in findings:
        row = {c: getattr(f, c) for c in SOF_COLUMNS if hasattr(f, c)}
        row["outcome_label"] = OUTCOME_LABELS[f.outcome]
        for d in DOMAINS:
            r = f.rating(d)
            for part in ("judgment", "reason", "source", "quote"):
                row[f"{d}_{part}"] = getattr(r, part) if r is not None else ""
        rows.append(row)
    out = pd.DataFrame(rows, columns=SOF_COLUMNS)
    out["events"] = out["events"].astype("Int64")
    return out
