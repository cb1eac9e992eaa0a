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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import outcomes, paths, summary
from .errors import DataValidationError, Problem
from .loader import Review
from .outcomes import Proportion, round_half_up

CLAIMS_FILE = "claims.yaml"
AUDIT_CSV = "claims_audit.csv"
#: The paper's sections, in reading order; every claim names one of them.
SECTIONS = (
    "Abstract",
    "Results / Study selection",
    "Results / Quality assessment",
    "Results / Patients' characteristics",
    "Results / Treatment modalities",
    "Results / Outcomes of the treatment",
    "Results / Adverse effects",
    "Table 2",
    "Discussion",
    "Discussion / STS",
    "Discussion / Laser treatment",
    "Discussion / ESWL",
)
STATUSES = ("reproduced", "discrepancy", "not_computable")
AUDIT_COLUMNS = ["claim_id", "section", "quote", "reported", "recomputed", "status", "note"]

#: The computations a claim can name. Each takes the review and the claim's ``args``.
COMPUTATIONS: dict[str, Callable] = {
    "n_studies": summary.n_studies,
    "n_patients": summary.n_patients,
    "patients_with_disease": summary.patients_with_disease,
    "response": outcomes.response_proportion,
    "response_extreme": outcomes.response_extreme,
    "response_by_disease_category": outcomes.response_by_disease_category,
    "pooled_duration": outcomes.pooled_duration,
    "adverse_event_patients": outcomes.adverse_event_patients,
    "adverse_event_proportion": outcomes.adverse_event_proportion,
    "largest_diameter": outcomes.largest_diameter_of,
    "largest_diameter_complete_response": outcomes.largest_diameter_complete_response,
    "total_sessions": outcomes.total_sessions,
    "n_cited": outcomes.n_cited,
}

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}


@dataclass(frozen=True)
class Reported:
    """A number as the paper prints it.

    Attributes
    ----------
    kind : {"count", "percent", "fraction", "ratio", "range", "number"}
    value : tuple of float
        One value, or two for fractions, ratios and ranges.
    decimals : int
        Decimals printed (for rounding comparisons).
    """

    kind: str
    value: tuple[float, ...]
    decimals: int = 0


def parse_reported(text: str) -> Reported:
    """Read a printed number: ``"40"``, ``"Five"``, ``"81%"``, ``"39/48"``, ``"21:90"``, ``"2–24"``, ``"4.9"``.

    Raises
    ------
    ValueError
        For text that is none of these forms.
    """
    t = str(text).strip()
    if t.lower() in _NUMBER_WORDS:
        return Reported("count", (float(_NUMBER_WORDS[t.lower()]),))
    if m := re.fullmatch(r"(\d+)/(\d+)", t):
        return Reported("fraction", (float(m.group(1)), float(m.group(2))))
    if m := re.fullmatch(r"(\d+):(\d+)", t):
        return Reported("ratio", (float(m.group(1)), float(m.group(2))))
    if m := re.fullmatch(r"(\d+(?:\.(\d+))?)%", t):
        return Reported("percent", (float(m.group(1)),), len(m.group(2) or ""))
    if m := re.fullmatch(r"(\d+(?:\.(\d+))?)[–-](\d+(?:\.(\d+))?)", t):
        return Reported("range", (float(m.group(1)), float(m.group(3))), max(len(m.group(2) or ""), len(m.group(4) or "")))
    if m := re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", t):
        return Reported("count", (float(t.replace(",", "")),))
    if m := re.fullmatch(r"\d+\.(\d+)", t):
        return Reported("number", (float(t),), len(m.group(1)))
    raise ValueError(f"cannot read the reported value {text!r} (a count, 81%, 39/48, 21:90, 2–24 or 4.9)")


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
    """Whether a recomputed value agrees with the printed one, as the paper rounds."""
    values = _values(reported, recomputed)
    if any(isinstance(v, float) and v != v for v in values):
        return False
    if len(values) != len(reported.value):
        return False
    if reported.kind in ("count", "fraction", "ratio"):
        return all(float(v) == r for v, r in zip(values, reported.value, strict=True))
    return all(round_half_up(float(v), reported.decimals) == round_half_up(r, reported.decimals)
               for v, r in zip(values, reported.value, strict=True))


def format_value(reported: Reported, recomputed) -> str:
    """The recomputed value, printed like the reported one (a percentage with its fraction)."""
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


@dataclass(frozen=True)
class Claim:
    """One quantitative statement of the paper."""

    id: str
    section: str
    quote: str
    reported: str
    topic: str
    computation: str | None = None
    args: dict = field(default_factory=dict)
    reason: str | None = None
    note: str | None = None
    unit: str | None = None


_REQUIRED = ("id", "section", "quote", "reported", "topic")
_OPTIONAL = ("computation", "args", "reason", "note", "unit")


def load_claims(path: Path | str | None = None) -> list[Claim]:
    """Read and check the claims register.

    Raises
    ------
    DataValidationError
        For malformed YAML, a missing or unknown key, a duplicate id, an unreadable
        ``reported`` value, an unknown computation, or ``computation: null`` without a
        reason. The message names the file, the entry's line and the key.
    """
    path = Path(path) if path else paths.DATA_DIR / CLAIMS_FILE
    name = path.name
    if not path.is_file():
        raise DataValidationError([Problem(name, "file present", f"file is missing ({path})")], source="claims")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataValidationError([Problem(name, "UTF-8 encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})")], source="claims") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        entries = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataValidationError([Problem(name, "valid YAML", f"not valid YAML: {problem}", row=line)], source="claims") from None
    if not isinstance(entries, list) or not entries:
        raise DataValidationError([Problem(name, "list of claims", "the file must hold a non-empty list of claims")], source="claims")
    lines = [item.start_mark.line + 1 for item in node.value]
    problems, claims, seen = [], [], set()
    for entry, line in zip(entries, lines, strict=True):
        cid = entry.get("id") if isinstance(entry, dict) else None
        before = len(problems)

        def bad(key, msg, rule="claim well formed"):
            problems.append(Problem(name, rule, f"claim {cid!r}: {msg}", row=line, column=key))

        if not isinstance(entry, dict):
            problems.append(Problem(name, "claim well formed", "each claim must be a mapping of keys", row=line))
            continue
        for key in _REQUIRED:
            if not entry.get(key):
                bad(key, "is required")
        for key in set(entry) - set(_REQUIRED) - set(_OPTIONAL):
            bad(key, f"unknown key; allowed: {', '.join(_REQUIRED + _OPTIONAL)}")
        if cid in seen:
            bad("id", "duplicate id", "unique claim id")
        seen.add(cid)
        if entry.get("reported") is not None:
            try:
                parse_reported(str(entry["reported"]))
            except ValueError as exc:
                bad("reported", str(exc))
        comp = entry.get("computation")
        if comp is None and not entry.get("reason"):
            bad("reason", "a claim without a computation needs the reason it cannot be recomputed")
        if comp is not None and comp not in COMPUTATIONS:
            bad("computation", f"unknown computation {comp!r}; known: {', '.join(sorted(COMPUTATIONS))}")
        if entry.get("args") is not None and not isinstance(entry["args"], dict):
            bad("args", "must be a mapping of argument names to values")
        if entry.get("section") and entry["section"] not in SECTIONS:
            bad("section", f"unknown section {entry['section']!r}; sections: {'; '.join(SECTIONS)}")
        if entry.get("unit") not in (None, "percent"):
            bad("unit", "the only unit is 'percent' (a percentage printed without %)")
        if len(problems) == before:
            claims.append(Claim(**{k: entry[k] for k in _REQUIRED + _OPTIONAL if k in entry and entry[k] is not None}
                                | {"reported": str(entry["reported"])}))
    if problems:
        raise DataValidationError(problems, source="claims")
    return claims


def evaluate(claim: Claim, review: Review) -> dict:
    """Recompute one claim: a row of the audit."""
    row = {"claim_id": claim.id, "section": claim.section, "quote": claim.quote, "reported": claim.reported}
    if claim.computation is None:
        return row | {"recomputed": "", "status": "not_computable", "note": claim.reason}
    reported = parse_reported(claim.reported)
    if claim.unit == "percent":
        reported = Reported("percent", reported.value, reported.decimals)
    value = COMPUTATIONS[claim.computation](review, **claim.args)
    ok = matches(reported, value)
    return row | {
        "recomputed": format_value(reported, value),
        "status": "reproduced" if ok else "discrepancy",
        "note": claim.note or "",
    }


TABLE2_SECTION = "Table 2"
TABLE2_TOPIC = "table2"


def table2_audit(review: Review) -> pd.DataFrame:
    """Every number of the paper's Table 2 as audit rows (from :func:`helpers.outcomes.compare_table2`).

    Table 2 is stored once, as printed (``paper_table2.csv``); its numbers become claims
    here, one per cell part, with the printed cell as the quote.
    """
    cells = review.paper_table2
    rows = []
    for r in outcomes.compare_table2(review).itertuples():
        slug = re.sub(r"[^a-z0-9]+", "-", str(r.part).lower()).strip("-")
        rows.append({
            "claim_id": f"table2-{r.modality}-{r.column.replace('_', '-')}-{slug}",
            "section": TABLE2_SECTION,
            "quote": f"{cells.loc[r.modality, 'row_label']}, {r.column.replace('_', ' ')}: {cells.loc[r.modality, r.column]}",
            "reported": r.paper, "recomputed": r.recomputed, "status": r.status, "note": r.note,
        })
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def audit(review: Review, claims: list[Claim] | None = None, topic: str | None = None) -> pd.DataFrame:
    """Evaluate every number the paper states against the data.

    Parameters
    ----------
    review : Review
    claims : list of Claim, optional
        Defaults to ``claims.yaml`` in the review's data folder.
    topic : str, optional
        Keep only the claims of one topic (``"extraction"``, ``"outcomes"``; ``"table2"``
        for the numbers of Table 2).

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`, one row per number: the claims register in the
        paper's order, then the numbers of Table 2 (section ``"Table 2"``). ``status``
        is one of :data:`STATUSES`.
    """
    if claims is None:
        claims = load_claims(Path(review.data_dir) / CLAIMS_FILE)
    text = pd.DataFrame([evaluate(c, review) for c in claims if topic in (None, c.topic)], columns=AUDIT_COLUMNS)
    parts = [text]
    if topic in (None, TABLE2_TOPIC):
        parts.append(table2_audit(review))
    table = pd.concat(parts, ignore_index=True)
    order = table["section"].map({s: i for i, s in enumerate(SECTIONS)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def by_section(table: pd.DataFrame) -> pd.DataFrame:
    """How many numbers of each section hold (sections in reading order, every status a column)."""
    counts = pd.crosstab(table["section"], table["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts = counts.reindex([s for s in SECTIONS if s in counts.index])
    counts["total"] = counts.sum(axis=1)
    return counts


def write_audit(table: pd.DataFrame, output_dir: Path | str | None) -> Path | None:
    """Write the audit to ``<output_dir>/claims_audit.csv`` (columns :data:`AUDIT_COLUMNS`).

    ``output_dir`` is relative to the project root; ``None`` writes nothing (the
    notebooks' default, so running them does not touch ``reports/``; the report build
    sets it).
    """
    if output_dir is None:
        return None
    folder = paths.project_path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / AUDIT_CSV
    table[AUDIT_COLUMNS].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
