"""Checks of the paper's words and of its own arithmetic.

Two kinds of statement carry facts without being a plain count:

- **words** ("after a single procedure", "the most common", "mainly", "the only", "all"):
  a claim whose ``reported`` value is the phrase, with ``means``: the number the words
  state, optionally with a comparison (``"1"``, ``"100%"``, ``"> 50%"``). The functions
  here give the number the data hold for it;
- **internal arithmetic**: sums and shares of numbers the paper itself prints
  (:func:`sum_of_reported`, :func:`share_of_reported`), and every percentage printed
  beside a fraction, and every Table 2 response cell against its row's total
  (:func:`arithmetic`), checked GRIM-style: can that percentage come from that fraction?

Every function takes the review first, like the computations of :mod:`helpers.claims`.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from . import paper
from .errors import NotComputable
from .loader import Review
from .outcomes import Proportion, _select_modalities, response_proportion, round_half_up
from .registers import parse_reported

__all__ = ["ARITHMETIC_SECTION", "adverse_event_rank", "arithmetic", "event_kinds", "pain_relief_share",
           "response_after_sessions", "share_of_reported", "sum_of_reported"]

ARITHMETIC_SECTION = "Internal arithmetic"


def response_after_sessions(review: Review, categories: list[str], sessions: int, modality: str | None = None,
                            family: str | None = None) -> Proportion:
    """Patients in ``categories`` treated with at most ``sessions`` sessions, of all patients of the selection.

    The words "complete remission after a single procedure (12/21)" count the responders
    whose study printed no more than one session; the total stays every patient of the
    selection. A study whose number of sessions is not printed does not count as one.
    """
    members = _select_modalities(review, modality, family)
    total = response_proportion(review, categories, modality, family).total
    few = (review.studies["total_sessions_high"] <= sessions).fillna(False).to_numpy(dtype=bool)
    within = dataclasses.replace(review, studies=review.studies[few])
    events = sum(response_proportion(within, categories, modality=m).events
                 for m in members if (within.studies["modality"] == m).any())
    return Proportion(events, total)


def adverse_event_rank(review: Review, events: list[str]) -> int:
    """The rank of the listed events (their patients together) among all adverse-event rows: 1 is the most common.

    Rows whose number of patients is not reported (N/R) cannot outrank anything and are
    left out; ``NotComputable`` when the listed events have no number.
    """
    ae = review.adverse_events
    counted = ae["patients"].dropna()
    missing = [e for e in events if e not in counted.index]
    if missing:
        raise NotComputable(f"adverse events {', '.join(missing)} have no number of patients (N/R)")
    mine = int(counted.loc[events].sum())
    others = counted.drop(index=events)
    return 1 + int((others > mine).sum())


def event_kinds(review: Review, modality: str) -> int:
    """How many kinds of adverse event the data list for a modality (rows with at least one patient, or N/R)."""
    ae = review.adverse_events[review.adverse_events["modality"] == modality]
    return int((ae["patients"].isna() | (ae["patients"] > 0)).sum())


def pain_relief_share(review: Review, families: list[str]) -> Proportion:
    """Patients pain-free or with reduced pain in ``families``, of all such patients (Table 1's pain columns)."""
    o = review.outcomes.join(review.studies[["family"]])
    relieved = o["pain_free"].fillna(0) + o["pain_reduction"].fillna(0)
    return Proportion(int(relieved[o["family"].isin(families)].sum()), int(relieved.sum()))


def _claim_value(review: Review, claim_id: str) -> float:
    claim = next((c for c in review.claims if c.id == claim_id), None)
    if claim is None:
        raise NotComputable(f"no claim {claim_id!r} in the register")
    reported = parse_reported(claim.reported)
    if reported.kind not in ("count", "number"):
        raise NotComputable(f"claim {claim_id!r} prints {claim.reported!r}, not a count")
    return reported.value[0]


def sum_of_reported(review: Review, claims: list[str]) -> float:
    """The sum of the numbers other claims print (parts the paper gives, against a total it prints)."""
    return sum(_claim_value(review, c) for c in claims)


def share_of_reported(review: Review, part: str, whole: str) -> Proportion:
    """One printed count of another: ``high in 11`` of ``40`` studies (both numbers from the paper)."""
    return Proportion(int(_claim_value(review, part)), int(_claim_value(review, whole)))


# --------------------------------------------------------------------------- generated arithmetic

#: A percentage with the fraction printed beside it: "81% (39/48)", "(57%; 12/21)", "9% (5/53)".
_PERCENT_FRACTION = re.compile(r"(\d+(?:\.\d+)?)%(?:\)|;)? ?\(?(\d+)/(\d+)\)?")
_TABLE2_PART = re.compile(r"(Complete|Partial|None|Unknown), (\d+(?:\.\d+)?), (\d+)/(\d+)")


def _percent_row(claim_id, section, quote, percent, events, total, source) -> dict:
    reported = parse_reported(f"{percent}%")
    exact = 100 * events / total if total else float("nan")
    holds = total > 0 and events <= total and round_half_up(exact, reported.decimals) == reported.value[0]
    possible = holds or (total > 0 and any(
        round_half_up(100 * k / total, reported.decimals) == reported.value[0] for k in range(total + 1)))
    note = "" if holds else (
        f"{source}: {events}/{total} is {exact:.1f}%, which rounds to "
        f"{round_half_up(exact, reported.decimals):g}%, not {percent}%"
        + ("" if possible else f"; no count of {total} gives {percent}%") + ".")
    return {"claim_id": claim_id, "section": section, "quote": quote, "reported": f"{percent}%",
            "recomputed": f"{exact:.1f}% ({events}/{total})" if total else "", "status": "reproduced" if holds else "discrepancy",
            "note": note}


def arithmetic(review: Review) -> pd.DataFrame:
    """Every percentage the paper prints beside a fraction, and every Table 2 response row's parts against its total.

    Generated from the text (:mod:`helpers.paper`) and the printed Table 2, not listed: a
    percentage added to the text is checked without a new entry. Both numbers come from the
    paper, so a discrepancy here is the paper disagreeing with itself, whatever the data hold.

    Returns
    -------
    DataFrame
        Audit rows (``claim_id, section, quote, reported, recomputed, status, note``) with
        section :data:`ARITHMETIC_SECTION`.
    """
    rows = []
    for passage in paper.passages():
        for k, m in enumerate(_PERCENT_FRACTION.finditer(passage.text), start=1):
            quote = passage.text[max(0, m.start() - 60):m.end() + 1].split(" ", 1)[-1]
            rows.append(_percent_row(f"percent-check-{passage.name.lower().replace(' ', '-').replace('.', '')}-{k}",
                                     ARITHMETIC_SECTION, f"{passage.name}: ...{quote}", m.group(1),
                                     int(m.group(2)), int(m.group(3)), f"{passage.name}"))
    for modality, row in review.paper_table2.iterrows():
        cell = str(row["response_rates"])
        parts = _TABLE2_PART.findall(cell)
        for label, percent, events, total in parts:
            rows.append(_percent_row(f"percent-check-table2-{modality}-{label.lower()}", ARITHMETIC_SECTION,
                                     f"Table 2, {row['row_label']}, response rates: {label}, {percent}, {events}/{total}",
                                     percent, int(events), int(total), f"Table 2 ({row['row_label']})"))
        if parts:
            totals = {int(t) for *_, t in parts}
            n = int(row["n"]) if not pd.isna(row["n"]) else None
            summed = sum(int(e) for _, _, e, _ in parts)
            (total,) = totals if len(totals) == 1 else (None,)
            holds = total is not None and summed == total
            rows.append({
                "claim_id": f"parts-check-table2-{modality}", "section": ARITHMETIC_SECTION,
                "quote": f"Table 2, {row['row_label']}, response rates: {cell}",
                "reported": str(total if total is not None else "/".join(map(str, sorted(totals)))),
                "recomputed": f"{summed} (the categories' patients)", "status": "reproduced" if holds else "discrepancy",
                "note": "" if holds else (f"Table 2 ({row['row_label']}): the response categories count {summed} "
                                          f"patients, the denominators {', '.join(map(str, sorted(totals)))}"
                                          + (f"; the row's n is {n}" if n is not None else "") + "."),
            })
    return pd.DataFrame(rows, columns=["claim_id", "section", "quote", "reported", "recomputed", "status", "note"])

