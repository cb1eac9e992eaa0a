"""The two registers beside the tables: the claims (``claims.yaml``) and the Table 2 notes
(``table2_notes.yaml``), read and checked against the tables they speak of.

The claims register holds one entry per number the paper states: where it is
(``section``), the exact ``quote``, the number as printed (``reported``), and either the
``computation`` that recomputes it with its ``args``, or the ``reason`` it cannot be
recomputed. Every argument is checked here against the data: a claim that names a
modality, family, study, disease, adverse event or response category that does not exist
is refused before anything is computed (it would otherwise turn a reproduced number into
a silent discrepancy). :data:`COMPUTATION_ARGUMENTS` declares each computation's
arguments; :mod:`helpers.analysis.claims` holds the functions, and checks at import that their
signatures agree with it.

The Table 2 notes explain why a number of the paper's Table 2 and the data disagree. The
file is required and may not be empty; each note names a cell part that exists
(modality, column and part), once.

Both files are parsed with :func:`helpers.data.readers.load_yaml` (no aliases of lists, no
repeated keys) and every value is checked for its type before it is used as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from helpers.data import paper, printed
from helpers.data.errors import Problem
from helpers.data.readers import describe, key_lines, line_of
from helpers.data.rules import MEASURES
from helpers.data.values import is_missing, text_problem

__all__ = [
    "ARITHMETIC_TOPIC",
    "BOOLEAN",
    "CATEGORIES",
    "CERTAINTY_FILE",
    "CLAIMS_FILE",
    "CLAIM_ID",
    "CLAIM_IDS",
    "CLAIM_REFERENCES",
    "COMPUTATION_ARGUMENTS",
    "COMPUTATION_RESULTS",
    "DESIGN",
    "DISEASES",
    "DISEASE_CATEGORY",
    "EVENTS",
    "EXTREME",
    "FAMILIES",
    "FAMILY",
    "GROUPS",
    "MEASURE",
    "MODALITIES",
    "MODALITY",
    "NON_CLAIMS_FILE",
    "NON_CLAIM_KINDS",
    "NOTES_FILE",
    "PRINTED_FORMS",
    "PUBLICATION_TYPE",
    "REFERENCE_REFS",
    "REGISTER_FILES",
    "RULE",
    "RULE_NAMES",
    "SEALED_REGISTERS",
    "SECTIONS",
    "SESSIONS",
    "STATISTIC",
    "STUDY_REF",
    "STUDY_REFS",
    "TABLE2_TOPIC",
    "TOPICS",
    "WELL",
    "Claim",
    "Kind",
    "NonClaim",
    "NoteCheck",
    "NoteSources",
    "Reported",
    "check_claims",
    "check_non_claims",
    "check_table2_notes",
    "parse_means",
    "parse_reported",
    "parse_sources",
    "result_kind",
    "unaccounted_numbers",
    "vocabularies",
]

CLAIMS_FILE = "claims.yaml"
NOTES_FILE = "table2_notes.yaml"
NON_CLAIMS_FILE = "non_claims.yaml"
#: The certainty register: the project's GRADE judgments (:mod:`helpers.data.judgments`).
CERTAINTY_FILE = "certainty.yaml"
#: The registers a closed edition seals: they define the audit of the paper's numbers.
SEALED_REGISTERS = (CLAIMS_FILE, NOTES_FILE, NON_CLAIMS_FILE)
#: Every register of a data folder, in the order the loader checks them. The certainty register
#: is the project's judgment, not the paper's: it is read, checked and checksummed, never sealed.
REGISTER_FILES = (*SEALED_REGISTERS, CERTAINTY_FILE)

#: The paper's sections, in reading order; every claim names one of them.
#: ``Internal arithmetic`` holds the checks generated from the paper's own numbers
#: (:func:`helpers.analysis.checks.arithmetic`).
SECTIONS = (
    "Abstract",
    "Introduction",
    "Methods / Data extraction",
    "Methods / Risk of bias",
    "Methods / Data analysis",
    "Results / Study selection",
    "Results / Quality assessment",
    "Results / Patients' characteristics",
    "Results / Treatment modalities",
    "Results / Outcomes of the treatment",
    "Results / Perioperative management",
    "Results / Adverse effects",
    "Table 1",
    "Table 2",
    "Discussion",
    "Discussion / STS",
    "Discussion / Laser treatment",
    "Discussion / ESWL",
    "Internal arithmetic",
    "Citations",
)
#: What a claim is about; notebooks select the claims of a topic (``table2`` is reserved
#: for the numbers of Table 2, which come from ``paper_table2.csv``).
TOPICS = ("search", "extraction", "risk_of_bias", "treatment", "outcomes", "adverse_events")
TABLE2_TOPIC = "table2"
ARITHMETIC_TOPIC = "arithmetic"
_CLAIM_ID = re.compile(r"[a-z0-9][a-z0-9.-]*", re.ASCII)


# --------------------------------------------------------------------------- reported values


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
    """Read a printed number: ``"40"``, ``"Five"``, ``"81%"``, ``"39/48"``, ``"21:90"``,
    ``"2–24"``, ``"4.9"``.

    Parameters
    ----------
    text : str
        The number as printed (another value is converted with ``str``). A count may be a
        number word (:data:`helpers.data.paper.NUMBER_WORDS`) or have thousands commas
        (``"1,000"``).

    Returns
    -------
    Reported
        Its kind (``count``, ``percent``, ``fraction``, ``ratio``, ``range`` or
        ``number``), its value or values, and the decimals printed.

    Raises
    ------
    ValueError
        For text that is none of these forms.
    """
    t = str(text)
    if paper.word_value(t) is not None:
        return Reported("count", (float(paper.word_value(t)),))
    if m := re.fullmatch(r"([0-9]{1,9})/([0-9]{1,9})", t):
        return Reported("fraction", (float(m.group(1)), float(m.group(2))))
    if m := re.fullmatch(r"([0-9]{1,9}):([0-9]{1,9})", t):
        return Reported("ratio", (float(m.group(1)), float(m.group(2))))
    if m := re.fullmatch(r"([0-9]{1,9}(?:\.([0-9]{1,6}))?)%", t):
        return Reported("percent", (float(m.group(1)),), len(m.group(2) or ""))
    if m := re.fullmatch(r"([0-9]{1,9}(?:\.([0-9]{1,6}))?)[–-]([0-9]{1,9}(?:\.([0-9]{1,6}))?)", t):
        return Reported(
            "range",
            (float(m.group(1)), float(m.group(3))),
            max(len(m.group(2) or ""), len(m.group(4) or "")),
        )
    if re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3}){1,3}|[0-9]{1,12}", t):
        return Reported("count", (float(t.replace(",", "")),))
    if m := re.fullmatch(r"[0-9]{1,9}\.([0-9]{1,6})", t):
        return Reported("number", (float(t),), len(m.group(1)))
    raise ValueError(
        f"cannot read the reported value {str(text)[:40]!r} "
        "(a count, 81%, 39/48, 21:90, 2–24 or 4.9)"
    )


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class NoteCheck:
    """A number a note states from the data: what the note says and how to recompute it.

    ``computation`` ``None`` is the note's own row: the claim's computation with its
    arguments, or the recomputed Table 2 cell part.
    """

    says: str
    computation: str | None = None
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NoteSources:
    """Where the numbers of a note come from, besides its own quote and the Table 1 rows it cites.

    ``printed``: claims (by id) whose printed value the note repeats, and table cells
    (``"Table 2 | Topical | Maximal diameter of the largest lesion (cm)"``); ``computed``:
    the numbers it states from the data (:class:`NoteCheck`), recomputed with the audit.
    """

    printed: tuple[str, ...] = ()
    computed: tuple[NoteCheck, ...] = ()


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
    means: str | None = None
    sources: NoteSources | None = None


_REQUIRED = ("id", "section", "quote", "reported", "topic")
_OPTIONAL = ("computation", "args", "reason", "note", "unit", "means", "sources")
_TEXT_KEYS = (
    "id",
    "section",
    "quote",
    "topic",
    "computation",
    "reason",
    "note",
    "unit",
    "reported",
    "means",
)


def parse_means(text: str) -> tuple[str, Reported]:
    """What a claim's words state: ``"1"``, ``"100%"``, ``"> 50%"``: the comparison (``"="``,
    ``">"``, ``"<"``) and the number as printed (:func:`parse_reported`).

    Parameters
    ----------
    text : str
        A claim's ``means`` (another value is converted with ``str``).

    Returns
    -------
    comparison : str
        ``"<"`` or ``">"`` when the text starts with one, else ``"="``.
    number : Reported
        The rest of the text, read by :func:`parse_reported`.

    Raises
    ------
    ValueError
        When the text is blank or the number cannot be read.
    """
    m = re.fullmatch(r"\s*([<>]?)\s*(\S.*?)\s*", str(text))
    if not m:
        raise ValueError(
            f"cannot read {str(text)[:40]!r}: a number the words state, like 1, 100% or > 50%"
        )
    return m.group(1) or "=", parse_reported(m.group(2))


@dataclass(frozen=True)
class Kind:
    """What an argument of a computation may be: a name for messages and a check.

    ``check(value, vocab)`` returns None when the value is allowed, else why not.
    """

    name: str
    check: Callable[[object, dict], str | None]


def _one_of(vocab_key: str, what: str) -> Kind:
    def check(value, vocab):
        if not isinstance(value, str):
            return f"must be a {what} (text), not {describe(value)}"
        allowed = vocab[vocab_key]
        if value not in allowed:
            return f"{value!r} is not a {what}; {what}s: {', '.join(sorted(map(str, allowed)))}"
        return None

    return Kind(what, check)


def _list_of(item: Kind, what: str) -> Kind:
    def check(value, vocab):
        if not isinstance(value, list) or not value:
            return f"must be a non-empty list of {what}s, not {describe(value)}"
        for v in value:
            problem = item.check(v, vocab)
            if problem:
                return problem
        if len({repr(v) for v in value}) != len(value):
            return "lists a value twice"
        return None

    return Kind(f"list of {what}s", check)


def _ref_in(vocab_key: str, what: str) -> Kind:
    def check(value, vocab):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a reference number, not {describe(value)}"
        if value not in vocab[vocab_key]:
            return f"{value} is not {what}"
        return None

    return Kind(what, check)


def _boolean(value, vocab):
    return None if isinstance(value, bool) else f"must be true or false, not {describe(value)}"


def _groups(value, vocab):
    if not isinstance(value, list) or not value:
        return (
            f"must be a non-empty list of selections ({{modality: ...}} or {{family: ...}}), "
            f"not {describe(value)}"
        )
    for g in value:
        if not isinstance(g, dict) or len(g) != 1 or next(iter(g)) not in ("modality", "family"):
            return (
                f"each selection is one modality or one family ({{modality: topical_sts}}), "
                f"not {describe(g)}"
            )
        ((key, v),) = g.items()
        problem = (MODALITY if key == "modality" else FAMILY).check(v, vocab)
        if problem:
            return problem
    return None


MODALITY = _one_of("modalities", "modality")
FAMILY = _one_of("families", "family")
DESIGN = _one_of("designs", "design")
PUBLICATION_TYPE = _one_of("publication_types", "publication type")
DISEASE_CATEGORY = _one_of("disease_categories", "disease category")
MEASURE = _one_of("measures", "duration measure")
STATISTIC = _one_of("statistics", "statistic")
EXTREME = _one_of("extremes", "extreme")
CATEGORIES = _list_of(_one_of("response_categories", "response category"), "response category")
DISEASES = _list_of(_one_of("diseases", "disease"), "disease")
EVENTS = _list_of(_one_of("events", "adverse event"), "adverse event")
MODALITIES = _list_of(MODALITY, "modality")
STUDY_REF = _ref_in("studies", "an included study")
STUDY_REFS = _list_of(STUDY_REF, "included study")
REFERENCE_REFS = _list_of(_ref_in("references", "in the reference list"), "reference")
RULE = _one_of("rules", "rule")
BOOLEAN = Kind("true or false", _boolean)
CLAIM_ID = Kind(
    "claim id",
    lambda value, vocab: (
        None
        if isinstance(value, str) and _CLAIM_ID.fullmatch(value)
        else f"must be the id of another claim, not {describe(value)}"
    ),
)
CLAIM_IDS = _list_of(CLAIM_ID, "claim id")
FAMILIES = _list_of(FAMILY, "family")
SESSIONS = Kind(
    "number of sessions",
    lambda value, vocab: (
        None
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000
        else f"must be a whole number of sessions from 1 to 1000, not {describe(value)}"
    ),
)
GROUPS = Kind("list of selections", _groups)

_STUDY_FILTERS = {
    "refs": STUDY_REFS,
    "modality": MODALITY,
    "family": FAMILY,
    "design": DESIGN,
    "publication_type": PUBLICATION_TYPE,
    "control_lesion": BOOLEAN,
    "design_stated": BOOLEAN,
}

#: Each computation a claim can name: its required and its optional arguments, with kinds.
COMPUTATION_ARGUMENTS: dict[str, tuple[dict[str, Kind], dict[str, Kind]]] = {
    "n_studies": ({}, _STUDY_FILTERS),
    "n_patients": ({}, _STUDY_FILTERS),
    "patients_with_disease": ({"diseases": DISEASES}, {}),
    "response": ({"categories": CATEGORIES}, {"modality": MODALITY, "family": FAMILY}),
    "response_extreme": ({"extreme": EXTREME, "groups": GROUPS}, {"categories": CATEGORIES}),
    "response_by_disease_category": ({"category": DISEASE_CATEGORY, "categories": CATEGORIES}, {}),
    "pooled_duration": (
        {"measure": MEASURE, "statistic": STATISTIC},
        {"modality": MODALITY, "family": FAMILY},
    ),
    "adverse_event_patients": ({}, {"events": EVENTS, "modality": MODALITY}),
    "adverse_event_proportion": ({"events": EVENTS}, {"modality": MODALITY, "family": FAMILY}),
    "largest_diameter": ({"refs": STUDY_REFS}, {}),
    "largest_diameter_complete_response": ({}, {}),
    "total_sessions": ({}, {"refs": STUDY_REFS, "modalities": MODALITIES}),
    "n_cited": ({"refs": REFERENCE_REFS}, {}),
    "rule_constant": ({"rule": RULE}, {}),
    "response_after_sessions": (
        {"categories": CATEGORIES, "sessions": SESSIONS},
        {"modality": MODALITY, "family": FAMILY},
    ),
    "adverse_event_rank": ({"events": EVENTS}, {}),
    "event_kinds": ({"modality": MODALITY}, {}),
    "pain_relief_share": ({"families": FAMILIES}, {}),
    "sum_of_reported": ({"claims": CLAIM_IDS}, {}),
    "median_of_reported": ({"claims": CLAIM_IDS}, {}),
    "share_of_reported": ({"part": CLAIM_ID, "whole": CLAIM_ID}, {}),
    "cited_with": (
        {"refs": REFERENCE_REFS},
        {
            "exact": BOOLEAN,
            "categories": CATEGORIES,
            "events": EVENTS,
            "modalities": MODALITIES,
            "sessions": SESSIONS,
        },
    ),
    "unknown_by_lesion_reporting": ({}, {"modality": MODALITY}),
    "duration_rank": ({"modality": MODALITY, "measure": MEASURE}, {}),
    "pain_reporting_gap": ({"families": FAMILIES, "others": FAMILIES}, {}),
    "pain_outcome_patients": ({"modality": MODALITY}, {}),
    "title_concentration": ({"ref": STUDY_REF}, {}),
    "least_sessions_per_month": ({"ref": STUDY_REF}, {}),
    "median_share": ({}, {}),
    "response_in": ({"refs": STUDY_REFS, "categories": CATEGORIES}, {}),
    "summarised_smaller_groups": ({}, {}),
    "mean_imputed_share": ({"measure": MEASURE}, {}),
}
#: Computations over the numbers other claims print; the claims they name must exist and print a
#: count.
CLAIM_REFERENCES = {
    "sum_of_reported": ("claims",),
    "median_of_reported": ("claims",),
    "share_of_reported": ("part", "whole"),
}
#: The constants of the project's rules that a claim about the paper's methods can name
#: (:data:`helpers.analysis.claims.RULE_CONSTANTS` gives their values).
RULE_NAMES = ("rob_low_above_percent", "rob_high_below_percent", "response_categories")


#: What each computation returns: a count, a number, a proportion (events of a total) or a
#: range (two numbers). ``pooled_duration`` returns a range for ``statistic: range``;
#: ``rule_constant`` a percent for the rules named ``*_percent``, else a count.
COMPUTATION_RESULTS: dict[str, str] = {
    "n_studies": "count",
    "n_patients": "count",
    "patients_with_disease": "count",
    "adverse_event_patients": "count",
    "n_cited": "count",
    "largest_diameter": "number",
    "largest_diameter_complete_response": "number",
    "total_sessions": "number",
    "pooled_duration": "number",
    "rule_constant": "number",
    "response_after_sessions": "proportion",
    "adverse_event_rank": "count",
    "event_kinds": "count",
    "pain_relief_share": "proportion",
    "sum_of_reported": "number",
    "share_of_reported": "proportion",
    "median_of_reported": "number",
    "cited_with": "proportion",
    "unknown_by_lesion_reporting": "count",
    "duration_rank": "count",
    "pain_reporting_gap": "number",
    "pain_outcome_patients": "count",
    "title_concentration": "number",
    "least_sessions_per_month": "number",
    "median_share": "proportion",
    "response_in": "proportion",
    "summarised_smaller_groups": "count",
    "mean_imputed_share": "proportion",
    "response": "proportion",
    "response_extreme": "proportion",
    "response_by_disease_category": "proportion",
    "adverse_event_proportion": "proportion",
}
#: The printed forms a result can be compared with (:func:`parse_reported`'s kinds; a claim
#: with ``unit: percent`` is a percent).
PRINTED_FORMS = {
    "count": ("count",),
    "number": ("count", "number"),
    "proportion": ("count", "percent", "fraction"),
    "range": ("range",),
    "percent": ("percent",),
}


def result_kind(computation: str, args: dict) -> str:
    """What ``computation`` returns with these arguments (:data:`COMPUTATION_RESULTS`).

    Parameters
    ----------
    computation : str
        A key of :data:`COMPUTATION_RESULTS`.
    args : dict
        The claim's arguments; only ``statistic`` (of ``pooled_duration``) and ``rule`` (of
        ``rule_constant``) matter.

    Returns
    -------
    str
        A key of :data:`PRINTED_FORMS`: ``count``, ``number``, ``proportion``, ``range`` or
        ``percent``.

    Raises
    ------
    KeyError
        When ``computation`` is not known.
    """
    if computation == "pooled_duration" and args.get("statistic") == "range":
        return "range"
    if computation == "rule_constant":
        return "percent" if str(args.get("rule", "")).endswith("_percent") else "count"
    return COMPUTATION_RESULTS[computation]


def vocabularies(tables: dict[str, pd.DataFrame], descriptor: dict) -> dict[str, set]:
    """The values each kind of argument may take, from the tables and the data dictionary.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The typed tables by resource name, not indexed (as the loader's rules see them).
    descriptor : dict
        The data dictionary (:func:`helpers.data.dictionary.read_descriptor`), for the
        allowed designs and publication types.

    Returns
    -------
    dict
        By vocabulary name (``modalities``, ``families``, ``designs``, ``publication_types``,
        ``disease_categories``, ``diseases``, ``events``, ``studies``, ``references``,
        ``measures``, ``statistics``, ``extremes``, ``response_categories``, ``rules``): the
        set of allowed values (reference numbers as int). ``family_of`` is a dict instead,
        each modality's family.
    """

    fields = {
        (r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]
    }

    def enum(resource, column):
        return set(fields[(resource, column)].get("constraints", {}).get("enum", []))

    return {
        "modalities": set(tables["modalities"]["modality"]),
        "families": set(tables["families"]["family"]),
        "designs": enum("studies", "design"),
        "publication_types": enum("studies", "publication_type"),
        "disease_categories": set(tables["disease_categories"]["category"]),
        "diseases": set(tables["disease_vocabulary"]["disease"]),
        "events": set(tables["adverse_events"]["event_id"]),
        "studies": {int(r) for r in tables["studies"]["ref"]},
        "references": {int(r) for r in tables["references"]["ref"]},
        "measures": set(MEASURES),
        "statistics": {"median", "mean", "range"},
        "extremes": {"min", "max"},
        "response_categories": set(printed.RESPONSE_CATEGORIES),
        "rules": set(RULE_NAMES),
        "family_of": dict(
            zip(tables["modalities"]["modality"], tables["modalities"]["family"], strict=True)
        ),
    }


def _argument_problems(computation: str, args: dict, vocab: dict) -> list[tuple[str, str]]:
    """``(argument, message)`` for every argument of a computation that is missing, unknown or
    not allowed."""
    required, optional = COMPUTATION_ARGUMENTS[computation]
    allowed = required | optional
    missing = [name for name in required if name not in args]
    unknown = [name for name in args if not isinstance(name, str) or name not in allowed]
    if unknown:  # one message: a misspelt argument is usually also the missing one
        needs = f"; it needs {', '.join(map(repr, missing))}" if missing else ""
        return [
            (
                str(name),
                f"computation {computation!r} takes no argument {str(name)[:40]!r}; its arguments: "
                f"{', '.join(allowed) or 'none'}{needs}",
            )
            for name in unknown
        ]
    problems = [
        (name, f"computation {computation!r} needs the argument {name!r} ({required[name].name})")
        for name in missing
    ]
    for name, value in args.items():
        problem = allowed[name].check(value, vocab)
        if problem:
            problems.append((name, f"argument {name}: {problem}"))
    both = (
        not problems
        and isinstance(args.get("modality"), str)
        and isinstance(args.get("family"), str)
    )
    if both and vocab["family_of"].get(args["modality"]) != args["family"]:
        problems.append(
            (
                "family",
                (
                    f"modality {args['modality']!r} is not of family {args['family']!r}: "
                    "the selection would be empty"
                ),
            )
        )
    return problems


def check_claims(
    entries, node, vocab: dict, name: str = CLAIMS_FILE
) -> tuple[list[Claim], list[Problem]]:
    """Check the parsed claims register against the data; return the claims and every problem.

    Long: one pass over the entries in which each check runs only if the entry's checks before
    it found nothing (``before`` counts its problems so far); split, that count, the entry's
    lines and the ``bad`` closure would be passed between the parts.

    Parameters
    ----------
    entries : object
        The parsed register (:func:`helpers.data.readers.load_yaml`'s value); anything but a
        non-empty list is one problem.
    node : yaml.Node
        The composed YAML node of the same file, for the line of every entry and key.
    vocab : dict
        The allowed argument values (:func:`vocabularies`).
    name : str, optional
        The file's name in messages.

    Returns
    -------
    claims : list of Claim
        The entries whose own checks found nothing, in the file's order, ``reported`` as
        text; the checks across claims (:data:`CLAIM_REFERENCES`, the numbers of notes) add
        problems without removing claims.
    problems : list of Problem
        Every problem, with the line of the entry or key; empty when the register is valid.
    """
    if not isinstance(entries, list) or not entries:
        return [], [
            Problem(
                name,
                "list of claims",
                "the file must hold a non-empty list of claims, not " + describe(entries),
            )
        ]
    problems, claims, seen = [], [], {}
    for entry, item in zip(entries, node.value, strict=True):
        line = line_of(item)
        keys = key_lines(item)
        before = len(problems)
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    name,
                    "claim well formed",
                    f"each claim must be a mapping of keys, not {describe(entry)}",
                    row=line,
                )
            )
            continue
        cid = entry.get("id") if isinstance(entry.get("id"), str) else None
        label = f"claim {cid!r}" if cid else "claim"

        def bad(key, msg, rule="claim well formed", label=label, keys=keys, line=line):
            problems.append(
                Problem(name, rule, f"{label}: {msg}", row=keys.get(key, line), column=str(key))
            )

        for key in entry:
            if key not in _REQUIRED + _OPTIONAL:
                bad(key, f"unknown key; allowed: {', '.join(_REQUIRED + _OPTIONAL)}")
        for key in _REQUIRED:
            if entry.get(key) in (None, ""):
                bad(key, "is required")
        for key in _TEXT_KEYS:
            value = entry.get(key)
            if value is None or (
                key == "reported" and isinstance(value, int) and not isinstance(value, bool)
            ):
                continue  # a count may be written as a plain integer
            if not isinstance(value, str):
                bad(key, f"must be text, not {describe(value)}")
            elif text_problem(value):
                bad(key, text_problem(value), "clean text")
        if len(problems) > before:
            continue
        reported = entry["reported"]
        if isinstance(reported, bool) or not isinstance(reported, (str, int)):
            bad(
                "reported",
                "must be the number as printed, in quotes ('4.90' keeps its decimals), "
                f"not {describe(reported)}",
            )
        elif (
            entry.get("means") is not None
        ):  # words: the phrase is in the quote, `means` is its number
            try:
                parse_means(entry["means"])
            except ValueError as exc:
                bad("means", str(exc))
            if str(reported) not in str(entry["quote"]):
                bad("reported", "the words a claim checks are printed in its quote, verbatim")
            elif paper.numbers(str(reported)):
                bad(
                    "means",
                    "is for words that state a number; "
                    "a claim that prints a number checks that number",
                )
        else:
            try:
                parse_reported(str(reported))
            except ValueError as exc:
                bad("reported", str(exc) + " (words that state a number need `means`)")
        if not _CLAIM_ID.fullmatch(cid):
            bad(
                "id",
                "ids are lower-case letters, digits, '.' and '-' (like outcomes-topical-fraction)",
            )
        elif cid in seen:
            bad("id", f"duplicate id (first at line {seen[cid]})", "unique claim id")
        else:
            seen[cid] = line
        if entry["section"] not in SECTIONS:
            bad("section", f"unknown section {entry['section']!r}; sections: {'; '.join(SECTIONS)}")
        if entry["topic"] not in TOPICS:
            bad("topic", f"unknown topic {entry['topic']!r}; topics: {', '.join(TOPICS)}")
        if entry.get("unit") not in (None, "percent"):
            bad("unit", "the only unit is 'percent' (a percentage printed without %)")
        comp = entry.get("computation")
        args = entry.get("args")
        if args is not None and not isinstance(args, dict):
            bad("args", f"must be a mapping of argument names to values, not {describe(args)}")
        elif comp is None:
            if not entry.get("reason"):
                bad(
                    "reason",
                    "a claim without a computation needs the reason it cannot be recomputed",
                )
            if args:
                bad("args", "arguments without a computation")
        elif comp not in COMPUTATION_ARGUMENTS:
            bad(
                "computation",
                f"unknown computation {comp!r}; known: {', '.join(sorted(COMPUTATION_ARGUMENTS))}",
            )
        else:
            found = _argument_problems(comp, args or {}, vocab)
            for arg, message in found:
                problems.append(
                    Problem(
                        name,
                        "claim arguments exist",
                        f"{label}: {message}",
                        row=keys.get("args", line),
                        column=f"args.{arg}",
                    )
                )
            if not found and len(problems) == before:
                kind = result_kind(comp, args or {})
                form = (
                    "percent"
                    if entry.get("unit") == "percent"
                    else parse_means(entry["means"])[1].kind
                    if entry.get("means") is not None
                    else parse_reported(str(reported)).kind
                )
                if form not in PRINTED_FORMS[kind]:
                    bad(
                        "reported",
                        f"{reported!r} is printed as a {form}, but {comp} gives a {kind}; "
                        "it can be "
                        f"compared with a {' or a '.join(PRINTED_FORMS[kind])}",
                    )
        if len(problems) == before:
            where = paper.section_passage(entry["section"])
            quote = paper.fold(entry["quote"])
            if paper.is_cell_quote(entry["section"], quote):
                if problem := paper.cell_quote_problem(entry["section"], quote):
                    bad("quote", problem, "quote in the paper")
            elif quote not in paper.passage_text(where):
                bad(
                    "quote",
                    f"is not in the paper's {where} "
                    "(a quote is verbatim; only whitespace may differ)",
                    "quote in the paper",
                )
            elif entry.get("means") is None and paper.token_run(quote, str(reported)) is None:
                bad(
                    "reported",
                    f"{str(reported)!r} is not a number, or a run of numbers, of its quote",
                    "reported in the quote",
                )
        sources = None
        if len(problems) == before and entry.get("sources") is not None:
            sources, found = parse_sources(entry["sources"], vocab, own=comp is not None)
            for key, message, rule in found:
                bad(f"sources.{key}" if key else "sources", message, rule)
        if len(problems) == before:
            claims.append(
                Claim(
                    **{k: entry[k] for k in _REQUIRED + _OPTIONAL if entry.get(k) is not None}
                    | {"reported": str(reported), "sources": sources}
                )
            )
    problems += _claim_reference_problems(claims, entries, node, name)
    problems += _claim_note_problems(claims, entries, node, name)
    return claims, problems


def _claim_reference_problems(claims: list[Claim], entries, node, name: str) -> list[Problem]:
    """A claim computed from other claims' printed numbers names claims that exist and print a
    count."""
    kinds = {c.id: parse_reported(c.reported).kind for c in claims if c.means is None}
    counts = {cid for cid, kind in kinds.items() if kind == "count"}
    sums = counts | {cid for cid, kind in kinds.items() if kind == "ratio"}
    known = {c.id for c in claims}
    lines = {
        e["id"]: key_lines(item).get("args", line_of(item))
        for e, item in zip(entries, node.value, strict=True)
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    }
    refused = set(lines) - known  # refused already, with their own problem: not named again here
    problems = []
    for claim in claims:
        for arg in CLAIM_REFERENCES.get(claim.computation, ()):
            value = claim.args[arg]
            for ref in value if isinstance(value, list) else [value]:
                if ref not in (sums if arg == "claims" else counts) and ref not in refused:
                    why = "prints no count" if ref in known else "is not a claim of the register"
                    problems.append(
                        Problem(
                            name,
                            "claim arguments exist",
                            f"claim {claim.id!r}: argument {arg}: {ref!r} {why}",
                            row=lines.get(claim.id),
                            column=f"args.{arg}",
                        )
                    )
    return problems


# --------------------------------------------------------------------------- the numbers of notes

_SOURCE_KEYS = ("printed", "computed")
WELL = "claim well formed"
_CHECK_KEYS = ("says", "computation", "args")


def parse_sources(
    value, vocab: dict, own: bool
) -> tuple[NoteSources | None, list[tuple[str, str, str]]]:
    """Read a note's ``sources``: ``{printed: [claim ids or "Table N | row | column"],
    computed: [{says, computation, args}]}``; ``(sources, [(key, message, rule), ...])``, the
    rule ``claim well formed`` for a shape or a name that does not exist, ``claim arguments
    exist`` for a check's arguments. ``own``: the entry has a computation of its own, so a
    check may leave ``computation`` out.

    Long: the printed items and the computed checks are read into one list of problems, and a
    ``computed`` that is not a list ends the read with the problems so far; split, that list
    and that early end would cross from one function to the other.

    Parameters
    ----------
    value : object
        The parsed ``sources`` of a claim or a Table 2 note.
    vocab : dict
        The allowed argument values (:func:`vocabularies`), for the computed checks.
    own : bool
        Whether the entry has a computation of its own.

    Returns
    -------
    sources : NoteSources or None
        The printed items and the well-formed computed checks; None when ``value`` is not a
        mapping of ``printed`` and/or ``computed`` or its ``computed`` is not a list. Whether
        a printed claim id names a claim is left to the caller.
    problems : list of (str, str, str)
        ``(key, message, rule)``: key ``"printed"``, ``"computed"`` or ``""`` (the whole
        value); empty when the sources are valid.
    """
    if not isinstance(value, dict) or not value or set(value) - set(_SOURCE_KEYS):
        return None, [
            ("", f"must be a mapping with printed and/or computed, not {describe(value)}", WELL)
        ]
    problems: list[tuple[str, str, str]] = []
    printed_ = value.get("printed") or []
    if not isinstance(printed_, list) or not all(isinstance(p, str) and p for p in printed_):
        problems.append(
            (
                "printed",
                f"must be a list of claim ids or table cells, not {describe(printed_)}",
                WELL,
            )
        )
        printed_ = []
    for item in printed_:
        if item.count(paper.CELL_SEPARATOR) == 2 and paper.source_cell(item) is None:
            problems.append(
                (
                    "printed",
                    f"a cell is 'Table 1 | row | column' or 'Table 2 | row | column', not {item!r}",
                    WELL,
                )
            )
        elif paper.source_cell(item) is not None:
            table, row, column = paper.source_cell(item)
            if (table, row, column) not in paper.table_cells():
                problems.append(
                    ("printed", f"{table} has no cell in row {row!r}, column {column!r}", WELL)
                )
        elif not _CLAIM_ID.fullmatch(item):
            problems.append(("printed", f"{item!r} is neither a claim id nor a table cell", WELL))
    checks = []
    computed = value.get("computed") or []
    if not isinstance(computed, list):
        return None, [
            *problems,
            (
                "computed",
                f"must be a list of checks (says, computation, args), not {describe(computed)}",
                WELL,
            ),
        ]
    for check in computed:
        if not isinstance(check, dict) or "says" not in check or set(check) - set(_CHECK_KEYS):
            problems.append(
                (
                    "computed",
                    f"each check is a mapping of says, computation, args, not {describe(check)}",
                    WELL,
                )
            )
            continue
        says, comp, args = check["says"], check.get("computation"), check.get("args") or {}
        if not isinstance(says, str) or not paper.numbers(says):
            problems.append(
                (
                    "computed",
                    "says must be the number as the note prints it, in quotes, "
                    f"not {describe(says)}",
                    WELL,
                )
            )
            continue
        try:
            parse_reported(says)
        except ValueError as exc:
            problems.append(("computed", str(exc), WELL))
            continue
        if comp is None:
            if not own or args:
                problems.append(
                    (
                        "computed",
                        f"the check of {says!r} needs a computation (the entry has none of its own)"
                        if not own
                        else "arguments without a computation",
                        WELL,
                    )
                )
                continue
        elif comp not in COMPUTATION_ARGUMENTS:
            problems.append(
                (
                    "computed",
                    f"unknown computation {comp!r}; "
                    f"known: {', '.join(sorted(COMPUTATION_ARGUMENTS))}",
                    WELL,
                )
            )
            continue
        elif not isinstance(args, dict):
            problems.append(("computed", f"args must be a mapping, not {describe(args)}", WELL))
            continue
        else:
            found = _argument_problems(comp, args, vocab)
            if found:
                problems += [
                    ("computed", f"the check of {says!r}: {message}", "claim arguments exist")
                    for _, message in found
                ]
                continue
        checks.append(NoteCheck(says, comp, args))
    return NoteSources(tuple(printed_), tuple(checks)), problems


def _token(text: str) -> str:
    """A number token as notes and the paper are compared: number words as digits ("six" is "6"),
    numbers by value ("65.0" is "65", "100,000" is "100000")."""
    if paper.word_value(text) is not None:
        return str(paper.word_value(text))
    try:
        return f"{float(text.replace(',', '')):g}"
    except ValueError:
        return text.lower()


def _tokens(text: str) -> set[str]:
    return {_token(t) for _, t in paper.numbers(str(text))}


def _row_numbers(ref: int) -> set[str]:
    """The number tokens of a study's Table 1 row."""
    found: set[str] = set()
    for (table, row, _), cell in paper.table_cells().items():
        if table == "Table 1" and row.endswith(f"[{ref}]"):
            found |= _tokens(cell)
    return found


def unaccounted_numbers(
    note: str, own: str, sources: NoteSources | None, claims: dict[str, Claim]
) -> list[str]:
    """The numbers of a note that nothing accounts for.

    A number of a note is accounted for when it is printed in the entry's own quote or cell
    (``own``), in the Table 1 row of a study the same sentence of the note cites alone
    ("Ma [31] 7/28", not a list of references), in a claim or table cell its ``sources``
    name as printed, or it is what one of its computed checks says (and so is recomputed
    with the audit). Citation brackets and table numbers are not numbers.

    Parameters
    ----------
    note : str
        The note's text.
    own : str
        Text whose numbers the note may repeat: a claim's quote and reported value, or a
        Table 2 cell as printed and the part's name.
    sources : NoteSources or None
        The note's sources, if it names any.
    claims : dict of str to Claim
        The claims by id, for the printed values its sources name.

    Returns
    -------
    list of str
        The note's number tokens that nothing accounts for, as printed and in order
        (repeats kept); empty when every number is accounted for. Numbers are compared by
        value (``"six"`` is ``"6"``, ``"65.0"`` is ``"65"``).
    """
    allowed = _tokens(own)
    if sources is not None:
        for item in sources.printed:
            if paper.source_cell(item):
                allowed |= _tokens(paper.table_cells().get(paper.source_cell(item), ""))
            elif item in claims:
                allowed |= _tokens(claims[item].reported)
        for check in sources.computed:
            allowed |= _tokens(check.says)
    missing = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z(])", note):
        rows = set().union(*(_row_numbers(int(r)) for r in re.findall(r"\[(\d+)\]", sentence)))
        missing += [t for _, t in paper.numbers(sentence) if _token(t) not in allowed | rows]
    return missing


def _claim_note_problems(claims: list[Claim], entries, node, name: str) -> list[Problem]:
    """Every number of a claim's note is accounted for (:func:`unaccounted_numbers`); printed
    sources name claims."""
    by_id = {c.id: c for c in claims}
    lines = {
        e["id"]: (key_lines(item), line_of(item))
        for e, item in zip(entries, node.value, strict=True)
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    }
    refused = set(lines) - set(
        by_id
    )  # refused already, with their own problem: not named again here
    problems = []
    for claim in claims:
        keys, line = lines.get(claim.id, ({}, None))
        names = [
            item
            for item in (claim.sources.printed if claim.sources else ())
            if not paper.source_cell(item)
        ]
        for item in names:
            if item not in by_id and item not in refused:
                problems.append(
                    Problem(
                        name,
                        "note sources",
                        f"claim {claim.id!r}: sources.printed names {item!r}, "
                        "which is not a claim of the register",
                        row=keys.get("sources", line),
                        column="sources.printed",
                    )
                )
        if claim.note and not set(names) & refused:
            missing = unaccounted_numbers(
                claim.note, f"{claim.quote} {claim.reported}", claim.sources, by_id
            )
            if missing:
                problems.append(
                    Problem(
                        name,
                        "note numbers accounted for",
                        f"claim {claim.id!r}: the note states "
                        f"{', '.join(dict.fromkeys(missing))}, "
                        "which neither its quote, the Table 1 rows "
                        "it cites nor its sources give (add them to sources: printed or computed)",
                        row=keys.get("note", line),
                        column="note",
                    )
                )
    return problems


# --------------------------------------------------------------------------- Table 2 notes

_NOTE_KEYS = ("modality", "column", "part", "note")


def check_table2_notes(
    entries,
    node,
    tables: dict[str, pd.DataFrame],
    claims: list[Claim] | None = (),
    vocab: dict | None = None,
    name: str = NOTES_FILE,
) -> tuple[dict[tuple[str, str, str], str], dict[tuple[str, str, str], NoteSources], list[Problem]]:
    """Check the parsed Table 2 notes; return them and their sources keyed by (modality, column,
    part), and every problem.

    Each note must name a cell part of the printed Table 2 that exists: a row of
    ``paper_table2.csv``, one of its columns, and a part of that column
    (:data:`helpers.data.printed.PARTS`; for adverse events, an event the cell prints or the
    data list for the row). A cell part is explained once. Every number of a note is
    accounted for (:func:`unaccounted_numbers`: the printed cell is its own quote; an
    optional ``sources`` names the rest, ``computed`` checks without a computation being
    the recomputed cell part itself). ``claims`` ``None`` (the claims register has problems
    of its own) skips what needs it: the claims a note's sources name, and its numbers.

    Long: one pass over the entries in which each check needs the ones before it (a part
    needs its row and column, the numbers need the sources); split, the printed rows, the
    data's events, the cell parts seen and the problems would be passed between the parts.

    Parameters
    ----------
    entries : object
        The parsed register (:func:`helpers.data.readers.load_yaml`'s value); anything but a
        non-empty list is one problem.
    node : yaml.Node
        The composed YAML node of the same file, for the line of every entry and key.
    tables : dict of str to DataFrame
        The typed tables by resource name, not indexed; ``table2`` (the printed Table 2) and
        ``adverse_events`` are read.
    claims : list of Claim or None, optional
        The checked claims, which notes' sources may name; None skips the checks that need
        them.
    vocab : dict, optional
        The allowed argument values (:func:`vocabularies`) for the sources' computed checks;
        None is an empty mapping.
    name : str, optional
        The file's name in messages.

    Returns
    -------
    notes : dict
        ``(modality, column, part)`` to the note's text, for each note that passed its checks
        (one whose sources name an unknown claim is kept, beside that problem).
    sources : dict
        The same key to the note's :class:`NoteSources`, for those notes that name sources.
    problems : list of Problem
        Every problem, with the line of the entry or key; empty when the notes are valid.
    """
    if not isinstance(entries, list) or not entries:
        return (
            {},
            {},
            [
                Problem(
                    name,
                    "notes present",
                    "the file must hold a non-empty list of notes "
                    "(modality, column, part, note), not " + describe(entries),
                )
            ],
        )
    by_id = {c.id: c for c in claims or ()}
    sources_by_key: dict[tuple[str, str, str], NoteSources] = {}
    table2 = tables["table2"]
    rows = {
        r["modality"]: {k: (None if is_missing(v) else v) for k, v in r.items()}
        for r in table2.to_dict("records")
    }
    group = {m: (r["merged_into"] or m) for m, r in rows.items()}
    data_events = {}
    for ae in tables["adverse_events"].itertuples():
        data_events.setdefault(group.get(ae.modality, ae.modality), set()).add(
            str(ae.event).strip().lower()
        )
    notes, problems, seen = {}, [], {}
    for entry, item in zip(entries, node.value, strict=True):
        line = line_of(item)
        keys = key_lines(item)
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    name,
                    "note well formed",
                    f"each note must be a mapping of {', '.join(_NOTE_KEYS)}, "
                    f"not {describe(entry)}",
                    row=line,
                )
            )
            continue
        missing = [k for k in _NOTE_KEYS if entry.get(k) in (None, "")]
        unknown = [str(k) for k in entry if k not in (*_NOTE_KEYS, "sources")]
        if missing or unknown:
            what = "; ".join(
                filter(
                    None,
                    [
                        missing and f"missing {', '.join(missing)}",
                        unknown and f"unknown key(s) {', '.join(unknown)}",
                    ],
                )
            )
            problems.append(
                Problem(
                    name,
                    "note well formed",
                    f"a note needs exactly {', '.join(_NOTE_KEYS)} ({what})",
                    row=line,
                    column=(missing or unknown)[0],
                )
            )
            continue
        wrong = [
            (k, entry[k])
            for k in _NOTE_KEYS
            if not isinstance(entry[k], str)
            and not (k == "part" and isinstance(entry[k], int) and not isinstance(entry[k], bool))
        ]
        if wrong:
            k, v = wrong[0]
            problems.append(
                Problem(
                    name,
                    "note well formed",
                    f"{k} must be text, not {describe(v)}",
                    row=keys.get(k, line),
                    column=k,
                )
            )
            continue
        modality, column, part, note = (str(entry[k]) for k in _NOTE_KEYS)
        dirty = next(
            (
                (k, text_problem(v))
                for k, v in zip(_NOTE_KEYS, (modality, column, part, note), strict=True)
                if text_problem(v)
            ),
            None,
        )
        if dirty:
            problems.append(
                Problem(
                    name,
                    "clean text",
                    f"{dirty[0]} {dirty[1]}",
                    row=keys.get(dirty[0], line),
                    column=dirty[0],
                )
            )
            continue
        if modality not in rows:
            problems.append(
                Problem(
                    name,
                    "note names a Table 2 cell",
                    f"{modality!r} is not a row of paper_table2.csv; rows: {', '.join(rows)}",
                    row=keys.get("modality", line),
                    column="modality",
                )
            )
            continue
        parts = printed.parts_of(rows[modality], data_events.get(modality, set()))
        if column not in {c for c, _ in parts}:
            problems.append(
                Problem(
                    name,
                    "note names a Table 2 cell",
                    f"row {modality!r} has no printed column {column!r}; "
                    f"columns: {', '.join(sorted({c for c, _ in parts}))}",
                    row=keys.get("column", line),
                    column="column",
                )
            )
            continue
        if (column, part) not in parts:
            problems.append(
                Problem(
                    name,
                    "note names a Table 2 cell",
                    f"{modality}/{column} has no part {part!r}; parts: "
                    f"{', '.join(sorted(p for c, p in parts if c == column))}",
                    row=keys.get("part", line),
                    column="part",
                )
            )
            continue
        key = (modality, column, part)
        if key in seen:
            problems.append(
                Problem(
                    name,
                    "one note per cell",
                    f"{modality}/{column}/{part} already has a note (line {seen[key]})",
                    row=line,
                    column="part",
                )
            )
            continue
        seen[key] = line
        sources = None
        if entry.get("sources") is not None:
            sources, found = parse_sources(entry["sources"], vocab or {}, own=True)
            for sub, message, _ in found:
                problems.append(
                    Problem(
                        name,
                        "note well formed",
                        message,
                        row=keys.get("sources", line),
                        column=f"sources.{sub}" if sub else "sources",
                    )
                )
            if found:
                continue
            for item in sources.printed if claims is not None else ():
                if not paper.source_cell(item) and item not in by_id:
                    problems.append(
                        Problem(
                            name,
                            "note sources",
                            f"sources.printed names {item!r}, which is not a claim of the register",
                            row=keys.get("sources", line),
                            column="sources.printed",
                        )
                    )
        own = f"{rows[modality].get(column) or ''} {part}"
        missing_numbers = (
            unaccounted_numbers(note, own, sources, by_id) if claims is not None else []
        )
        if missing_numbers:
            problems.append(
                Problem(
                    name,
                    "note numbers accounted for",
                    f"{modality}/{column}/{part}: the note states "
                    f"{', '.join(dict.fromkeys(missing_numbers))}, "
                    "which neither its cell, the Table 1 "
                    "rows it cites nor its sources give (add them to sources: printed or computed)",
                    row=keys.get("note", line),
                    column="note",
                )
            )
            continue
        notes[key] = note
        if sources is not None:
            sources_by_key[key] = sources
    return notes, sources_by_key, problems


# --------------------------------------------------------------------------- declared non-claims

#: Why a number of the paper's text is not a claim: each kind with what it covers.
NON_CLAIM_KINDS = {
    "date": "a date of the article's history or copyright",
    "address": "part of a postal address",
    "identifier": "part of a registration number or other identifier",
    "licence": "the version of the article's licence",
}
_NON_CLAIM_KEYS = ("passage", "quote", "numbers", "kind", "reason")


@dataclass(frozen=True)
class NonClaim:
    """Numbers of the paper's text declared not to be claims, with the reason."""

    passage: str
    quote: str
    numbers: tuple[str, ...]
    kind: str
    reason: str


def check_non_claims(
    entries, node, claims: list[Claim], name: str = NON_CLAIMS_FILE
) -> tuple[list[NonClaim], list[Problem]]:
    """Check the parsed register of declared non-claims; return them and every problem.

    Each entry names a passage of the paper (:data:`helpers.data.paper.PASSAGES`), a quote that
    is in it, ``numbers``: exactly the number tokens of the quote, in order (so each token
    declared was looked at), a ``kind`` of :data:`NON_CLAIM_KINDS` and the ``reason``. A
    token may be declared once, and never when a claim checks it.

    Long: one pass over the entries in which each check runs only if the ones before it found
    nothing, and the tokens taken by claims and earlier entries carry from entry to entry;
    split, that state and the ``bad`` closure would be passed between the parts.

    Parameters
    ----------
    entries : object
        The parsed register (:func:`helpers.data.readers.load_yaml`'s value); anything but a
        non-empty list is one problem.
    node : yaml.Node
        The composed YAML node of the same file, for the line of every entry and key.
    claims : list of Claim
        The checked claims: a number they check cannot be declared.
    name : str, optional
        The file's name in messages.

    Returns
    -------
    non_claims : list of NonClaim
        The entries with no problem, in the file's order.
    problems : list of Problem
        Every problem, with the line of the entry or key; empty when the register is valid.
    """
    if not isinstance(entries, list) or not entries:
        return [], [
            Problem(
                name,
                "list of declarations",
                "the file must hold a non-empty list of declared "
                "non-claims (passage, quote, numbers, kind, reason), not " + describe(entries),
            )
        ]
    found, problems = [], []
    taken: dict[tuple[str, int], str] = {}
    for claim in claims:
        where = paper.section_passage(claim.section)
        for pos in paper.claimed_tokens(
            paper.passage_text(where), [(claim.id, claim.quote, claim.reported)]
        ):
            taken[(where, pos)] = f"claim {claim.id!r}"
    for entry, item in zip(entries, node.value, strict=True):
        line = line_of(item)
        keys = key_lines(item)

        def bad(key, msg, rule="declaration well formed", keys=keys, line=line):
            problems.append(Problem(name, rule, msg, row=keys.get(key, line), column=str(key)))

        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    name,
                    "declaration well formed",
                    f"each entry must be a mapping of {', '.join(_NON_CLAIM_KEYS)}, "
                    f"not {describe(entry)}",
                    row=line,
                )
            )
            continue
        before = len(problems)
        for key in entry:
            if key not in _NON_CLAIM_KEYS:
                bad(
                    key, f"unknown key {str(key)[:40]!r}; the keys are {', '.join(_NON_CLAIM_KEYS)}"
                )
        for key in _NON_CLAIM_KEYS:
            if entry.get(key) in (None, "", []):
                bad(key, "is required")
        if len(problems) > before:
            continue
        for key in ("passage", "quote", "kind", "reason"):
            value = entry[key]
            if not isinstance(value, str):
                bad(key, f"must be text, not {describe(value)}")
            elif text_problem(value):
                bad(key, text_problem(value), "clean text")
        numbers = entry["numbers"]
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            bad(
                "numbers",
                "must be a list of the quote's numbers as printed, in quotes, "
                f"not {describe(numbers)}",
            )
        if len(problems) > before:
            continue
        if entry["passage"] not in paper.PASSAGES:
            bad(
                "passage",
                f"unknown passage {entry['passage']!r}; passages: {', '.join(paper.PASSAGES)}",
            )
        elif entry["kind"] not in NON_CLAIM_KINDS:
            bad("kind", f"unknown kind {entry['kind']!r}; kinds: {', '.join(NON_CLAIM_KINDS)}")
        elif paper.fold(entry["quote"]) not in paper.passage_text(entry["passage"]):
            bad(
                "quote",
                f"is not in the paper's {entry['passage']} "
                "(a quote is verbatim; only whitespace may differ)",
                "quote in the paper",
            )
        else:
            quote = paper.fold(entry["quote"])
            tokens = [t for _, t in paper.numbers(quote)]
            if tokens != numbers:
                bad(
                    "numbers",
                    f"must list exactly the numbers of the quote, in order: {tokens}, "
                    f"not {numbers}",
                    "declared numbers",
                )
            else:
                body = paper.passage_text(entry["passage"])
                for pos in paper.claimed_tokens(body, [("", quote, " ".join(numbers))]):
                    other = taken.get((entry["passage"], pos))
                    if other:
                        number, context = (
                            body[pos : pos + 12].split()[0],
                            body[max(0, pos - 30) : pos + 10],
                        )
                        how = "checked by " if other.startswith("claim") else "declared at "
                        bad(
                            "numbers",
                            f'the number {number!r} at "...{context}..." is already {how}{other}',
                            "claimed or declared once",
                        )
                        break
                    taken[(entry["passage"], pos)] = f"line {line}"
        if len(problems) == before:
            found.append(
                NonClaim(
                    entry["passage"], entry["quote"], tuple(numbers), entry["kind"], entry["reason"]
                )
            )
    return found, problems
