"""The claims register: every number the paper states, recomputed from the data.

``data/claims.yaml`` holds one entry per quantitative statement: where it is
(``section``), the exact ``quote``, the number as printed (``reported``), and either
the ``computation`` in :data:`COMPUTATIONS` that recomputes it (with its ``args``) or
``computation: null`` and the ``reason`` it cannot be recomputed. :func:`audit`
evaluates them all and says, for each, whether it holds.

Matching follows the paper's printing: a count or a fraction matches only exactly
(39/48 on both numbers), a percentage when the recomputed value rounds (half up) to the
printed integer, a decimal when it rounds to the printed decimals. A discrepancy is a
finding about the paper, never a reason to change the data; the entry's ``note`` says
what is known about its cause.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.analysis import (
    checks,
    computations,
    inferences,
    readings,
    rob,
    selection,
    summary,
    table2,
)
from helpers.analysis.table2 import Proportion, round_half_up
from helpers.data import paper, paths, printed
from helpers.data.errors import NotComputable
from helpers.data.escape import write_csv
from helpers.data.loader import Review
from helpers.data.registers import (
    ARITHMETIC_TOPIC,
    COMPUTATION_ARGUMENTS,
    RULE_NAMES,
    SECTIONS,
    TABLE2_TOPIC,
    Claim,
    Reported,
    parse_means,
    parse_reported,
)
from helpers.data.values import is_missing

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_CSV",
    "COMPUTATIONS",
    "FROM_THE_PRINT",
    "NOTE_CHECK_COLUMNS",
    "READINGS_CSV",
    "RULE_CONSTANTS",
    "STATUSES",
    "STUDIES_SEPARATOR",
    "TABLE2_OWN_ROW_COLUMNS",
    "TABLE2_SECTION",
    "audit",
    "by_reading",
    "by_section",
    "dependence",
    "evaluate",
    "format_value",
    "matches",
    "note_checks",
    "rule_constant",
    "sentence_anchor",
    "table2_audit",
    "table2_claim_id",
    "write_audit",
]

AUDIT_CSV = "claims_audit.csv"
READINGS_CSV = "readings.csv"
#: ``circular``: the number reproduces only with a value the data inferred from the paper
#: itself (:mod:`helpers.analysis.inferences`): agreement with itself, not a reproduction.
STATUSES = ("reproduced", "circular", "discrepancy", "not_computable")
AUDIT_COLUMNS = [
    "claim_id",
    "section",
    "quote",
    "reported",
    "recomputed",
    "status",
    "depends_on",
    "reading",
    "note",
    "studies",
    "sentence",
]
#: The columns one evaluation gives (the others are added by :func:`dependence` and
#: :func:`audit`).
_BASE_COLUMNS = [c for c in AUDIT_COLUMNS if c not in ("depends_on", "reading", "sentence")]
#: Computations that recompute a number from the paper's own printed numbers (other claims,
#: Table 2's printed cells) or from the project's rule constants, not from any study's data:
#: their rows list no study in the ``studies`` column.
FROM_THE_PRINT = frozenset(
    {
        "rule_constant",
        "sum_of_reported",
        "median_of_reported",
        "share_of_reported",
        "median_share",
        "summarised_smaller_groups",
    }
)
#: How the ``studies`` column joins reference numbers.
STUDIES_SEPARATOR = "; "


def _refs(refs) -> str:
    """Reference numbers as the ``studies`` column holds them: ascending, ``"; "``-joined."""
    return STUDIES_SEPARATOR.join(str(r) for r in sorted(refs))


#: The constants behind the paper's stated rules, as the project applies them: a claim about
#: the Methods (the risk-of-bias thresholds, the response categories) is checked against the
#: value the code uses, so a rule changed in the code and not in the paper is a discrepancy.
RULE_CONSTANTS: dict[str, Callable[[], float]] = {
    "rob_low_above_percent": lambda: 100 * rob.LOW_ABOVE,
    "rob_high_below_percent": lambda: 100 * rob.HIGH_BELOW,
    "response_categories": lambda: len(printed.RESPONSE_CATEGORIES),
}
if set(RULE_CONSTANTS) != set(RULE_NAMES):
    raise ImportError(
        f"helpers.analysis.claims.RULE_CONSTANTS and helpers.data.registers.RULE_NAMES differ: "
        f"{sorted(set(RULE_CONSTANTS) ^ set(RULE_NAMES))}"
    )


def rule_constant(review: Review, rule: str) -> float:
    """The value of one of the project's rule constants (:data:`RULE_CONSTANTS`).

    Parameters
    ----------
    review : Review
        Not used; taken first like every computation of :data:`COMPUTATIONS`.
    rule : str
        A key of :data:`RULE_CONSTANTS` (``"rob_low_above_percent"``).

    Returns
    -------
    float
        The constant as the paper states it: a risk-of-bias threshold in percent (75 for
        :data:`helpers.analysis.rob.LOW_ABOVE` = 0.75), the number of response categories.
    """
    return RULE_CONSTANTS[rule]()


#: The computations a claim can name. Each takes the review and the claim's ``args``.
COMPUTATIONS: dict[str, Callable] = {
    "n_studies": summary.n_studies,
    "n_patients": summary.n_patients,
    "patients_with_disease": summary.patients_with_disease,
    "response": computations.response_proportion,
    "response_extreme": computations.response_extreme,
    "response_by_disease_category": computations.response_by_disease_category,
    "pooled_duration": computations.pooled_duration,
    "adverse_event_patients": computations.adverse_event_patients,
    "adverse_event_proportion": computations.adverse_event_proportion,
    "largest_diameter": computations.largest_diameter,
    "largest_diameter_complete_response": computations.largest_diameter_complete_response,
    "total_sessions": computations.total_sessions,
    "n_cited": computations.n_cited,
    "rule_constant": rule_constant,
    "response_after_sessions": checks.response_after_sessions,
    "adverse_event_rank": checks.adverse_event_rank,
    "event_kinds": checks.event_kinds,
    "pain_relief_share": checks.pain_relief_share,
    "sum_of_reported": checks.sum_of_reported,
    "median_of_reported": checks.median_of_reported,
    "share_of_reported": checks.share_of_reported,
    "cited_with": checks.cited_with,
    "unknown_by_lesion_reporting": checks.unknown_by_lesion_reporting,
    "duration_rank": checks.duration_rank,
    "pain_reporting_gap": checks.pain_reporting_gap,
    "pain_outcome_patients": checks.pain_outcome_patients,
    "title_concentration": checks.title_concentration,
    "least_sessions_per_month": checks.least_sessions_per_month,
    "median_share": checks.median_share,
    "response_in": checks.response_in,
    "summarised_smaller_groups": checks.summarised_smaller_groups,
    "mean_imputed_share": checks.mean_imputed_share,
}


def _check_signatures() -> None:
    """The functions take exactly the arguments the register declares
    (:data:`helpers.data.registers.COMPUTATION_ARGUMENTS`)."""
    if set(COMPUTATIONS) != set(COMPUTATION_ARGUMENTS):
        raise ImportError(
            "helpers.analysis.claims.COMPUTATIONS and helpers.data.registers.COMPUTATION_ARGUMENTS "
            f"name different computations: {sorted(set(COMPUTATIONS) ^ set(COMPUTATION_ARGUMENTS))}"
        )
    for name, func in COMPUTATIONS.items():
        required, optional = COMPUTATION_ARGUMENTS[name]
        params = list(inspect.signature(func).parameters.values())[1:]
        if any(p.kind is p.VAR_KEYWORD for p in params):
            named = {p.name for p in params if p.kind is not p.VAR_KEYWORD}
            ok = named <= set(required) | set(optional) and set(required) <= named | set(optional)
            ok = ok and set(required) | set(optional) <= named | set(summary.STUDY_FILTERS)
        else:
            ok = {p.name for p in params if p.default is p.empty} == set(required) and {
                p.name for p in params if p.default is not p.empty
            } == set(optional)
        if not ok:
            raise ImportError(
                f"computation {name!r}: the function's arguments {[p.name for p in params]} differ "
                f"from the declared ones (required {list(required)}, optional {list(optional)})"
            )


_check_signatures()


def _no_number(value) -> bool:
    """A result that holds no number: NaN, or a proportion of nobody."""
    if isinstance(value, Proportion):
        return value.total == 0
    values = value if isinstance(value, tuple) else (value,)
    return any(is_missing(v) for v in values)


def _values(reported: Reported, recomputed) -> tuple:
    """The recomputed value in the reported form: a proportion is a percentage or a fraction."""
    if isinstance(recomputed, Proportion):
        if reported.kind == "fraction":
            return (recomputed.events, recomputed.total)
        if reported.kind == "percent":
            return (recomputed.percent,)
        return (recomputed.events,)
    return recomputed if isinstance(recomputed, tuple) else (recomputed,)


def matches(reported: Reported, recomputed) -> bool:
    """Whether a recomputed value agrees with the printed one, as the paper rounds.

    Parameters
    ----------
    reported : Reported
        The number as printed (:func:`helpers.data.registers.parse_reported`).
    recomputed : Proportion, number or tuple of numbers
        A computation's result. A :class:`Proportion` is compared in the printed form: its
        events and total against a fraction, its percentage against a percentage, its
        events against anything else.

    Returns
    -------
    bool
        Counts, fractions and ratios must be equal; other numbers equal once both are
        rounded half up to the printed decimals. False when a recomputed value is missing
        (NaN, None) or the number of values differs from the printed one's.
    """
    values = _values(reported, recomputed)
    if any(is_missing(v) for v in values):
        return False
    if len(values) != len(reported.value):
        return False
    if reported.kind in ("count", "fraction", "ratio"):
        return all(float(v) == r for v, r in zip(values, reported.value, strict=True))
    return all(
        round_half_up(float(v), reported.decimals) == round_half_up(r, reported.decimals)
        for v, r in zip(values, reported.value, strict=True)
    )


def format_value(reported: Reported, recomputed) -> str:
    """The recomputed value, printed like the reported one (a percentage with its fraction).

    Parameters
    ----------
    reported : Reported
        The number as printed; its ``kind`` and ``decimals`` choose the form.
    recomputed : Proportion, number or tuple of numbers
        A computation's result, as for :func:`matches`.

    Returns
    -------
    str
        ``"57.1% (12/21)"`` for a proportion against a percentage, ``"12/21"`` for a
        fraction, ``"21:90"`` for a ratio, ``"2–24"`` for a range; another percentage with
        the printed decimals (at least one), a decimal number with one more decimal than
        printed, a count in ``:g`` form.
    """
    values = _values(reported, recomputed)
    if isinstance(recomputed, Proportion) and reported.kind == "percent":
        return f"{values[0]:.1f}% ({recomputed})"
    if reported.kind == "fraction":
        return f"{values[0]:g}/{values[1]:g}"
    if reported.kind == "ratio":
        return f"{values[0]:g}:{values[1]:g}"
    if reported.kind == "range":
        return "–".join(f"{v:g}" for v in values)
    if reported.kind == "percent":
        return f"{values[0]:.{max(reported.decimals, 1)}f}%"
    if reported.kind == "number":
        return f"{values[0]:.{reported.decimals + 1}f}"
    return f"{values[0]:g}"


def _compare(op: str, reported: Reported, recomputed) -> bool:
    """``=``: :func:`matches`; ``>``/``<``: the recomputed value, in the printed form, beyond
    the printed one."""
    if op == "=":
        return matches(reported, recomputed)
    (value,) = _values(reported, recomputed)[:1]
    return value > reported.value[0] if op == ">" else value < reported.value[0]


def evaluate(claim: Claim, review: Review) -> dict:
    """Recompute one claim: a row of the audit.

    A claim of words (``means`` set: "after a single procedure", "the most common",
    "mainly") compares the number the words state, with its comparison, to the recomputed
    one. A claim with ``unit: percent`` reads its printed number as a percentage.

    Long: mostly this docstring; the code is one claim's way from its register entry to its
    row, with a row returned early for each way it can fail to give a number.

    Parameters
    ----------
    claim : Claim
        An entry of the claims register (``review.claims``).
    review : Review
        The data its computation runs on.

    Returns
    -------
    dict
        ``claim_id``, ``section``, ``quote``, ``reported`` (for a claim of words, the words
        with the number they state: ``"mainly (> 50%)"``), ``recomputed`` (empty when there
        is no number), ``status`` and ``note``: ``not_computable`` for a claim without a
        computation (the note is its ``reason``), a computation that raises
        :class:`NotComputable` or gives no number (NaN, a proportion of nobody); otherwise
        ``reproduced`` or ``discrepancy``, with the claim's note.
    """
    row = {
        "claim_id": claim.id,
        "section": claim.section,
        "quote": claim.quote,
        "reported": claim.reported,
    }
    if claim.computation is None:
        return row | {
            "recomputed": "",
            "status": "not_computable",
            "note": claim.reason,
            "studies": "",
        }
    op, reported = (
        parse_means(claim.means)
        if claim.means is not None
        else ("=", parse_reported(claim.reported))
    )
    if claim.means is not None:
        row["reported"] = (
            f"{claim.reported} ({'' if op == '=' else op + ' '}{claim.means.lstrip('<> ')})"
        )
    if claim.unit == "percent":
        reported = Reported("percent", reported.value, reported.decimals)
    try:
        with selection.recording() as used:
            value = COMPUTATIONS[claim.computation](review, **claim.args)
    except NotComputable as exc:
        return row | {
            "recomputed": "",
            "status": "not_computable",
            "studies": _refs(used),
            "note": f"The data give no number here: {exc}."
            + (f" {claim.note}" if claim.note else ""),
        }
    if _no_number(value):
        return row | {
            "recomputed": "",
            "status": "not_computable",
            "studies": _refs(used),
            "note": "The data give no number here (nothing is reported for this selection)."
            + (f" {claim.note}" if claim.note else ""),
        }
    ok = _compare(op, reported, value)
    return row | {
        "studies": _refs(used),
        "recomputed": format_value(reported, value),
        "status": "reproduced" if ok else "discrepancy",
        "note": claim.note or "",
    }


TABLE2_SECTION = "Table 2"
#: Table 2's columns computed from a row's own modality; the others pool the modalities merged
#: into the row (:func:`helpers.analysis.table2.table2_groups`), as
#: :func:`helpers.analysis.table2.compare_table2` computes them.
TABLE2_OWN_ROW_COLUMNS = ("n", "largest_diameter")


def table2_claim_id(modality: str, column: str, part) -> str:
    """The audit's id of a Table 2 cell part: ``table2-eswl-treatment-duration-range``.

    Parameters
    ----------
    modality : str
        The Table 2 row (a modality, ``"eswl"``).
    column : str
        The Table 2 column (``"treatment_duration"``); underscores become hyphens.
    part : object
        The number within the cell (``"median"``, ``"range"``, a response category, an
        adverse event), lower-cased, every run of characters other than ``a-z`` and
        ``0-9`` a hyphen.

    Returns
    -------
    str

    Examples
    --------
    >>> table2_claim_id("eswl", "treatment_duration", "range")
    'table2-eswl-treatment-duration-range'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(part).lower()).strip("-")
    return f"table2-{modality}-{column.replace('_', '-')}-{slug}"


NOTE_CHECK_COLUMNS = ["claim_id", "says", "computation", "recomputed", "holds"]


def note_checks(review: Review) -> pd.DataFrame:
    """Every number a note states from the data (``sources: computed``), recomputed now.

    A note of ``claims.yaml`` or ``table2_notes.yaml`` states numbers from the data (the
    loader checks that each number of a note is accounted for); here each is recomputed.
    A check without a computation is the note's own row: the claim's computation, or the
    recomputed Table 2 cell part, which must show the number.

    Long: the claims' notes and Table 2's notes are checked in one pass through the same two
    inner functions (``run`` recomputes, ``add`` writes the row), which share the review and
    the rows; split, both would be passed around.

    Parameters
    ----------
    review : Review
        Its claims register and ``table2_note_sources`` give the checks.

    Returns
    -------
    DataFrame
        Columns :data:`NOTE_CHECK_COLUMNS`, one row per check: the claim's id or the Table 2
        cell part's (:func:`table2_claim_id`), the number the note ``says``, the
        ``computation`` (``"(its own)"`` for the note's own row), the ``recomputed`` value
        as printed (``"not computable (...)"`` when it cannot be; the recomputed cell part
        for a Table 2 note's own row), and ``holds``, False where the data no longer give
        what the note says.
    """
    review = review.paper_edition()  # the notes speak of the paper's studies
    rows = []

    def add(claim_id, check, recomputed, holds):
        rows.append(
            {
                "claim_id": claim_id,
                "says": check.says,
                "computation": check.computation or "(its own)",
                "recomputed": recomputed,
                "holds": bool(holds),
            }
        )

    def run(check, default=None):
        name, args = (check.computation, check.args) if check.computation else default
        try:
            value = COMPUTATIONS[name](review, **args)
        except NotComputable as exc:
            return None, f"not computable ({exc})"
        return value, format_value(parse_reported(check.says), value)

    for claim in review.claims:
        for check in claim.sources.computed if claim.sources else ():
            value, shown = run(check, (claim.computation, claim.args))
            add(
                claim.id,
                check,
                shown,
                value is not None and matches(parse_reported(check.says), value),
            )
    recomputed = table2.compare_table2(review).set_index(["modality", "column", "part"])[
        "recomputed"
    ]
    for key, sources in review.table2_note_sources.items():
        for check in sources.computed:
            cid = table2_claim_id(*key)
            if check.computation:
                value, shown = run(check)
                add(
                    cid,
                    check,
                    shown,
                    value is not None and matches(parse_reported(check.says), value),
                )
            else:
                cell = str(recomputed.get(key, ""))
                add(cid, check, cell, paper.token_run(cell, check.says) is not None)
    return pd.DataFrame(rows, columns=NOTE_CHECK_COLUMNS)


def table2_audit(review: Review) -> pd.DataFrame:
    """Every number of the paper's Table 2 as audit rows.

    From :func:`helpers.analysis.table2.compare_table2`. Table 2 is stored once, as printed
    (``paper_table2.csv``); its numbers become claims here, one per cell part, with the
    printed cell as the quote.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Columns ``claim_id, section, quote, reported, recomputed, status, note``
        (:data:`AUDIT_COLUMNS` without ``depends_on`` and ``reading``), one row per cell
        part in the comparison's order; ``claim_id`` from :func:`table2_claim_id`,
        ``section`` :data:`TABLE2_SECTION`, ``quote`` ``"<row label>, <column>: <cell>"``.
    """
    cells = review.paper_table2
    groups = table2.table2_groups(review)
    rows = []
    for r in table2.compare_table2(review).itertuples():
        with selection.recording() as used:
            own = r.column in TABLE2_OWN_ROW_COLUMNS
            selection.studies_of(review, [r.modality] if own else groups.get(r.modality, []))
        rows.append(
            {
                "claim_id": table2_claim_id(r.modality, r.column, r.part),
                "section": TABLE2_SECTION,
                "quote": f"{cells.loc[r.modality, 'row_label']}, {r.column.replace('_', ' ')}: "
                f"{cells.loc[r.modality, r.column]}",
                "reported": r.paper,
                "recomputed": r.recomputed,
                "status": r.status,
                "note": r.note,
                "studies": _refs(used),
            }
        )
    return pd.DataFrame(rows, columns=_BASE_COLUMNS)


def _evaluate_all(review: Review, claims: list[Claim], topic: str | None) -> pd.DataFrame:
    text = pd.DataFrame(
        [evaluate(c, review) for c in claims if topic in (None, c.topic)], columns=_BASE_COLUMNS
    )
    parts = [text]
    if topic in (None, TABLE2_TOPIC):
        parts.append(table2_audit(review))
    if topic in (None, ARITHMETIC_TOPIC):
        # the paper's own arithmetic and citations: its printed numbers, no study's data
        parts += [
            checks.arithmetic(review).assign(studies=""),
            checks.citations(review).assign(studies=""),
        ]
    return pd.concat(parts, ignore_index=True)


def _changed(base: pd.DataFrame, other: pd.DataFrame) -> np.ndarray:
    """Rows whose recomputed value or status differs between two evaluations of the same audit."""
    return (other["recomputed"].to_numpy() != base["recomputed"].to_numpy()) | (
        other["status"].to_numpy() != base["status"].to_numpy()
    )


def _append(table: pd.DataFrame, mask, column: str, texts, sep: str) -> None:
    table.loc[mask, column] = [
        f"{old}{sep}{new}" if old else new
        for old, new in zip(table.loc[mask, column], texts, strict=True)
    ]


def dependence(
    review: Review, table: pd.DataFrame, claims: list[Claim], topic: str | None
) -> pd.DataFrame:
    """Add ``depends_on``, ``reading`` and the ``circular`` status to audit rows.

    Inferred values (:mod:`helpers.analysis.inferences`): each is withdrawn in turn and the audit
    recomputed; a row whose recomputed value (or status) changes depends on it; a row that
    reproduced and no longer does without it is ``circular``, and its note says where the
    inferred value came from.

    Readings (:mod:`helpers.analysis.readings`): each of the project's is withdrawn in turn the same
    way (``depends_on`` names it, ``reading: <name>``), and the audit is recomputed under the
    paper's stated method alone (:data:`helpers.analysis.readings.STRICT`). A row whose value or
    status differs there says ``project`` in the ``reading`` column; where its status
    differs, the note says what the strict reading gives.

    Long: one sequence of re-evaluations compared with the same base rows (each inference
    withdrawn, each reading withdrawn, the strict reading), each writing to the same
    columns; split, the base rows, the re-evaluation and the table would be passed between
    the parts.

    Parameters
    ----------
    review : Review
        The review ``table`` was evaluated on.
    table : DataFrame
        Audit rows of ``claims`` and ``topic`` as :func:`audit` evaluates them (columns
        ``claim_id, section, quote, reported, recomputed, status, note``; claim ids
        unique), compared row by row with their re-evaluation.
    claims : list of Claim
        The claims ``table`` was evaluated from, evaluated again.
    topic : str or None
        The topic ``table`` was restricted to; None for every topic.

    Returns
    -------
    DataFrame
        A copy of ``table`` with ``depends_on`` (what the row's value changes without,
        ``"; "``-separated: :func:`helpers.analysis.inferences.describe` of an inference,
        ``"reading: <name>"`` of a reading; empty for none) and ``reading`` (the label of
        the active readings, :func:`helpers.analysis.readings.label`, where the strict
        reading gives another value or status; empty otherwise); ``status`` ``circular``
        and ``note`` added to as said above.
    """
    base = table
    table = table.assign(depends_on="", reading="")
    ids = table["claim_id"]

    def again(other_review: Review) -> pd.DataFrame:
        return _evaluate_all(other_review, claims, topic).set_index("claim_id").reindex(ids)

    for inference in inferences.INFERENCES:
        without = inferences.withdraw(review, inference)
        if without is review:
            continue
        other = again(without)
        changed = _changed(base, other)
        name = inferences.describe(review, inference)
        _append(table, changed, "depends_on", [name] * int(changed.sum()), "; ")
        circular = (
            changed
            & (base["status"] == "reproduced").to_numpy()
            & (other["status"] != "reproduced").to_numpy()
        )
        table.loc[circular, "status"] = "circular"
        alternatives = other["recomputed"].fillna("").to_numpy()[circular]
        table.loc[circular, "note"] = [
            f"Circular: reproduces only because {inference.source} ({name}); without it the data "
            "give "
            f"{alt or 'no number'}." + (f" {note}" if note else "")
            for alt, note in zip(alternatives, table.loc[circular, "note"], strict=True)
        ]
    rules = readings.active(review)
    for name in sorted(rules):
        changed = _changed(base, again(readings.using(review, rules - {name})))
        _append(table, changed, "depends_on", [f"reading: {name}"] * int(changed.sum()), "; ")
    strict = again(readings.using(review, readings.STRICT))
    differs = _changed(base, strict)
    table.loc[differs, "reading"] = readings.label(rules)
    moved = differs & (strict["status"].to_numpy() != base["status"].to_numpy())
    _append(
        table,
        moved,
        "note",
        [
            "Under the paper's stated method alone (strict reading) the data give "
            f"{value or 'no number'}: {status.replace('_', ' ')}."
            for value, status in zip(
                strict["recomputed"].fillna("").to_numpy()[moved],
                strict["status"].to_numpy()[moved],
                strict=True,
            )
        ],
        " ",
    )
    return table


def audit(
    review: Review, claims: list[Claim] | None = None, topic: str | None = None
) -> pd.DataFrame:
    """Evaluate every number the paper states against the data of the paper's edition.

    The paper is audited against the studies it described, whatever later editions add
    (:meth:`helpers.data.loader.Review.paper_edition`).

    Parameters
    ----------
    review : Review
        The data every number is recomputed from (its paper's edition).
    claims : list of Claim, optional
        Defaults to the review's claims register (``review.claims``, from ``claims.yaml``).
    topic : str, optional
        Keep only the claims of one topic (``"extraction"``, ``"outcomes"``; ``"table2"``
        for the numbers of Table 2).

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`, one row per number: the claims register in the
        paper's order, then the numbers of Table 2 (section ``"Table 2"``). ``status``
        is one of :data:`STATUSES`. ``studies`` lists the reference numbers of the studies
        its computation selected (recorded while it ran,
        :func:`helpers.analysis.selection.recording`; ascending, ``"; "``-joined; empty for
        a number not recomputed or recomputed from the paper's own numbers,
        :data:`FROM_THE_PRINT`, the paper's arithmetic and citations). ``sentence`` is the
        anchor of the quote's sentence or table row on the paper's page
        (:func:`sentence_anchor`). A row whose note no longer holds
        (:func:`note_checks`) has ``"[This note is out of date: ...]"`` added to its note.
    """
    review = review.paper_edition()
    if claims is None:
        claims = review.claims
    table = dependence(review, _evaluate_all(review, claims, topic), claims, topic)
    table = table[[c for c in AUDIT_COLUMNS if c != "sentence"]].copy()
    stale = note_checks(review)
    stale = stale[~stale["holds"]]
    for cid, group in stale.groupby("claim_id", sort=False):
        where = table["claim_id"] == cid
        said = "; ".join(
            f"it says {s}, the data give {r}"
            for s, r in zip(group["says"], group["recomputed"], strict=True)
        )
        table.loc[where, "note"] = (
            table.loc[where, "note"] + f" [This note is out of date: {said}.]"
        )
    printed_as = {c.id: c.reported for c in claims}
    table["sentence"] = [
        sentence_anchor(section, quote, printed_as.get(cid, reported))
        for cid, section, quote, reported in zip(
            table["claim_id"], table["section"], table["quote"], table["reported"], strict=True
        )
    ]
    order = table["section"].map({s: i for i, s in enumerate(SECTIONS)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def sentence_anchor(section: str, quote: str, reported) -> str:
    """The anchor of the paper's page (``reports/paper.html``) a claim's quote is in.

    Parameters
    ----------
    section : str
        The claim's section.
    quote : str
        The claim's quote (a table cell or row quote points to the table's row).
    reported : str
        The number as printed in the register; it chooses the sentence when a quote spans
        two (:func:`helpers.data.paper.locate`).

    Returns
    -------
    str
        ``"s-<n>"``, or ``""`` when the quote is not in the paper's text.
    """
    unit = paper.locate(section, quote, "" if is_missing(reported) else str(reported))
    return "" if unit is None else unit.anchor


def by_section(table: pd.DataFrame) -> pd.DataFrame:
    """How many numbers of each section hold (sections in reading order, every status a column).

    Parameters
    ----------
    table : DataFrame
        An audit (:func:`audit`), with ``section`` and ``status`` columns.

    Returns
    -------
    DataFrame
        Indexed by section, in the order of :data:`helpers.data.registers.SECTIONS` (only
        the sections present); one column of counts per status of :data:`STATUSES`, then
        ``total``.
    """
    counts = pd.crosstab(table["section"], table["status"]).reindex(
        columns=list(STATUSES), fill_value=0
    )
    counts = counts.reindex([s for s in SECTIONS if s in counts.index])
    counts["total"] = counts.sum(axis=1)
    return counts


def write_audit(table: pd.DataFrame, output_dir: Path | str | None) -> Path | None:
    """Write the audit to ``<output_dir>/claims_audit.csv`` (columns :data:`AUDIT_COLUMNS`).

    Beside it go the project's readings its ``reading`` column refers to
    (``readings.csv``, :func:`helpers.analysis.readings.frame`).

    Parameters
    ----------
    table : DataFrame
        An audit (:func:`audit`); only :data:`AUDIT_COLUMNS` are written.
    output_dir : Path, str or None
        Relative to the project root (absolute paths are kept); ``None`` writes nothing
        (the notebooks' default, so running them does not touch ``reports/``; the report
        build sets it).

    Returns
    -------
    Path or None
        The path of the audit written; ``None`` when ``output_dir`` is ``None``.
    """
    if output_dir is None:
        return None
    folder = paths.project_path(output_dir)
    write_csv(readings.frame(), folder / READINGS_CSV)
    return write_csv(table[AUDIT_COLUMNS], folder / AUDIT_CSV)


def by_reading(table: pd.DataFrame) -> pd.DataFrame:
    """How many numbers of each status rest on the project's readings and how many do not.

    Parameters
    ----------
    table : DataFrame
        An audit (:func:`audit`); a non-empty ``reading`` marks a number that rests on the
        project's readings.

    Returns
    -------
    DataFrame
        Index ``numbers``: ``"the same under the paper's method"`` and ``"rests on the
        project's readings"`` (a row of zeros when none); one column of counts per status
        of :data:`STATUSES`, then ``total``.
    """
    kind = table["reading"].map(
        lambda r: "rests on the project's readings" if r else "the same under the paper's method"
    )
    counts = pd.crosstab(kind, table["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts = counts.reindex(
        ["the same under the paper's method", "rests on the project's readings"], fill_value=0
    )
    counts.index.name, counts.columns.name = "numbers", None
    counts["total"] = counts.sum(axis=1)
    return counts
