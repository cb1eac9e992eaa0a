"""The certainty register (``certainty.yaml``): the GRADE judgments that need a reviewer, read
and checked.

Three of GRADE's five domains cannot follow from the numbers: risk of bias, indirectness and
publication bias. They are the project's judgments, held as data: each entry names its
``domain``, the ``scope`` it applies to (``all``, or a mapping of ``modalities``, ``families``
and ``outcomes``, each a list of vocabulary keys: ``modalities`` and ``families`` list the
groups the scope holds, a scope naming neither holding every group and one naming only
modalities no family, and only families no modality; ``outcomes`` left out means every
outcome), the ``judgment`` (:data:`JUDGMENTS`), the ``rationale`` in words and the ``quote``:
the paper's sentence it rests on, which must be in the paper's text (only white space may
differ) and at least :data:`MIN_QUOTE_WORDS` words long (a fragment of a word or two is in the
paper whatever it is taken from). The other two domains (imprecision, inconsistency) are rules
of :mod:`helpers.analysis.certainty`.

Which entry applies to a cell of the Summary of Findings (a modality or family, and an
outcome of :data:`OUTCOMES`) is decided by precedence: among the entries of a domain whose
scope holds the cell, the most specific wins, specificity being the number of dimensions
the scope lists (``all`` is 0; a scope listing groups and outcomes is 2). Two entries of one
domain with the same specificity whose scopes share a cell are refused (neither would be
the judgment), and so is a cell of :func:`cells` with no entry for a domain: every cell the
table could show is judged on every judgment domain.

The register is the project's judgment, not the paper's: no closed edition seals it
(:data:`helpers.data.registers.SEALED_REGISTERS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpers.data import paper
from helpers.data.errors import Problem
from helpers.data.readers import describe, key_lines, line_of
from helpers.data.registers import CERTAINTY_FILE
from helpers.data.values import count_noun, text_problem

__all__ = [
    "DOMAINS",
    "FAMILY_OUTCOMES",
    "JUDGMENTS",
    "JUDGMENT_KEYS",
    "MIN_QUOTE_WORDS",
    "OUTCOMES",
    "SCOPE_ALL",
    "SCOPE_KEYS",
    "Judgment",
    "cells",
    "check_certainty",
    "judgment_for",
]

#: The GRADE domains the register judges (the other two are rules of the analysis).
DOMAINS = ("risk_of_bias", "indirectness", "publication_bias")
#: The judgments a domain may have, from none to two levels down.
JUDGMENTS = ("not serious", "serious", "very serious")
#: The outcomes of the Summary of Findings a scope may name.
OUTCOMES = ("response", "complete", "recurrence", "adverse_events")
#: The outcomes a family of modalities has rows for (recurrence and adverse events are counted
#: per modality only).
FAMILY_OUTCOMES = ("response", "complete")
#: The scope of an entry that applies to every cell.
SCOPE_ALL = "all"
#: The keys a scope mapping may hold: each lists keys of its vocabulary (or of :data:`OUTCOMES`).
SCOPE_KEYS = ("modalities", "families", "outcomes")
#: The fewest words a quote may have: a word or two are in the paper whatever they are
#: taken from, and rest a judgment on nothing.
MIN_QUOTE_WORDS = 8
#: An entry's keys, every one required.
JUDGMENT_KEYS = ("id", "domain", "scope", "judgment", "rationale", "quote")
_ID = re.compile(r"[a-z0-9][a-z0-9.-]*", re.ASCII)
_WELL = "judgment well formed"


@dataclass(frozen=True)
class Judgment:
    """One entry of the certainty register.

    Attributes
    ----------
    id, domain, judgment, rationale, quote : str
        As in the file.
    modalities, families, outcomes : tuple of str or None
        The scope's lists; None where the scope does not restrict that dimension.
    line : int or None
        The entry's line in the file (for messages; not part of the judgment's equality).
    """

    id: str
    domain: str
    modalities: tuple[str, ...] | None
    families: tuple[str, ...] | None
    outcomes: tuple[str, ...] | None
    judgment: str
    rationale: str
    quote: str
    line: int | None = field(default=None, compare=False)

    @property
    def specificity(self) -> int:
        """How many dimensions the scope lists: 0 (``all``) to 2 (groups and outcomes)."""
        groups = self.modalities is not None or self.families is not None
        return int(groups) + int(self.outcomes is not None)

    @property
    def scope_text(self) -> str:
        """The scope in words: ``"all"`` or ``"modalities: eswl; outcomes: response"``."""
        parts = [
            f"{name}: {', '.join(values)}"
            for name, values in (
                ("modalities", self.modalities),
                ("families", self.families),
                ("outcomes", self.outcomes),
            )
            if values is not None
        ]
        return "; ".join(parts) or SCOPE_ALL

    def holds(self, kind: str, key: str, outcome: str) -> bool:
        """Whether the scope holds a cell.

        Parameters
        ----------
        kind : {"modality", "family"}
            The group's kind.
        key : str
            The modality's or family's key.
        outcome : str
            One of :data:`OUTCOMES`.

        Returns
        -------
        bool
        """
        if self.outcomes is not None and outcome not in self.outcomes:
            return False
        if self.modalities is None and self.families is None:
            return True
        listed = self.modalities if kind == "modality" else self.families
        return listed is not None and key in listed


def cells(vocab: dict) -> list[tuple[str, str, str]]:
    """Every cell of the Summary of Findings a judgment must cover.

    Parameters
    ----------
    vocab : dict
        :func:`helpers.data.registers.vocabularies`' value (``modalities``, ``family_of``).

    Returns
    -------
    list of tuple of str
        ``(kind, key, outcome)``: each modality with every outcome of :data:`OUTCOMES`, each
        family of more than one modality with :data:`FAMILY_OUTCOMES`, sorted.
    """
    family_of = vocab["family_of"]
    families = sorted({f for f in family_of.values() if list(family_of.values()).count(f) > 1})
    return [("modality", m, o) for m in sorted(vocab["modalities"]) for o in OUTCOMES] + [
        ("family", f, o) for f in families for o in FAMILY_OUTCOMES
    ]


def judgment_for(
    judgments: list[Judgment], domain: str, kind: str, key: str, outcome: str
) -> Judgment | None:
    """The entry that applies to a cell on a domain: the most specific whose scope holds it.

    Parameters
    ----------
    judgments : list of Judgment
        The checked register (``review.certainty``).
    domain : str
        One of :data:`DOMAINS`.
    kind, key, outcome : str
        The cell (:meth:`Judgment.holds`).

    Returns
    -------
    Judgment or None
        None when no entry holds the cell (a checked register covers every cell of
        :func:`cells`).
    """
    found = [j for j in judgments if j.domain == domain and j.holds(kind, key, outcome)]
    return max(found, key=lambda j: j.specificity) if found else None


def _scope(value, vocab) -> tuple[dict | None, str | None]:
    """``(lists, message)``: the scope's lists by key, or why it is not one."""
    if value == SCOPE_ALL:
        return {}, None
    if not isinstance(value, dict) or not value:
        return (
            None,
            f"must be {SCOPE_ALL!r} or a mapping of {', '.join(SCOPE_KEYS)} "
            f"(lists of keys), not {describe(value)}",
        )
    lists = {}
    allowed = {
        "modalities": vocab["modalities"],
        "families": vocab["families"],
        "outcomes": set(OUTCOMES),
    }
    for key, items in value.items():
        if key not in SCOPE_KEYS:
            return None, f"unknown scope key {str(key)[:40]!r}; keys: {', '.join(SCOPE_KEYS)}"
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            return None, f"{key} must be a non-empty list of keys, not {describe(items)}"
        unknown = [i for i in items if i not in allowed[key]]
        if unknown:
            return (
                None,
                f"{key}: {str(unknown[0])[:40]!r} is not one of {', '.join(sorted(allowed[key]))}",
            )
        if len(set(items)) != len(items):
            return None, f"{key} lists a key twice"
        lists[key] = tuple(items)
    return lists, None


def _entry(entry, item, vocab, name, seen) -> tuple[Judgment | None, list[Problem]]:
    """One entry checked: the judgment, or its problems (one per broken field, the first).

    Long: the fields are checked in the order a reader fixes them (keys, types, clean text,
    known values, scope, quote), each check returning the entry's one problem.
    """
    line = line_of(item)
    keys = key_lines(item)
    if not isinstance(entry, dict):
        return None, [
            Problem(
                name,
                _WELL,
                f"each entry must be a mapping of {', '.join(JUDGMENT_KEYS)}, "
                f"not {describe(entry)}",
                row=line,
            )
        ]
    ident = entry.get("id")
    who = f"entry {ident!r}: " if isinstance(ident, str) and _ID.fullmatch(ident) else ""

    def bad(key, message, rule=_WELL):
        where = keys.get(key, line) if isinstance(key, str) else line
        return None, [Problem(name, rule, who + message, row=where, column=str(key))]

    for key in entry:
        if key not in JUDGMENT_KEYS:
            return bad(
                key, f"unknown key {str(key)[:40]!r}; the keys are {', '.join(JUDGMENT_KEYS)}"
            )
    for key in JUDGMENT_KEYS:
        if entry.get(key) in (None, "", [], {}):
            return bad(key, "is required")
    for key in ("id", "domain", "judgment", "rationale", "quote"):
        if not isinstance(entry[key], str):
            return bad(key, f"must be text, not {describe(entry[key])}")
        if text_problem(entry[key]):
            return bad(key, text_problem(entry[key]), "clean text")
    if not _ID.fullmatch(entry["id"]):
        return bad("id", f"{entry['id'][:40]!r} is not an id (lower-case letters, digits, . and -)")
    if entry["id"] in seen:
        return bad(
            "id", f"the id {entry['id']!r} is used twice (first at line {seen[entry['id']]})"
        )
    if entry["domain"] not in DOMAINS:
        return bad(
            "domain", f"unknown domain {entry['domain'][:40]!r}; domains: {', '.join(DOMAINS)}"
        )
    if entry["judgment"] not in JUDGMENTS:
        return bad(
            "judgment",
            f"unknown judgment {entry['judgment'][:40]!r}; judgments: {', '.join(JUDGMENTS)}",
        )
    if isinstance(entry["scope"], str) and text_problem(entry["scope"]):
        return bad("scope", text_problem(entry["scope"]), "clean text")
    lists, message = _scope(entry["scope"], vocab)
    if message:
        return bad("scope", message)
    quote = paper.fold(entry["quote"])
    if len(quote.split()) < MIN_QUOTE_WORDS:
        return bad(
            "quote",
            f"has {count_noun(len(quote.split()), 'word')}; a quote is the paper's sentence a "
            f"judgment rests on, at least {MIN_QUOTE_WORDS} words, not a fragment",
            "quote in the paper",
        )
    if not any(quote in paper.passage_text(p) for p in paper.PASSAGES):
        return bad(
            "quote",
            "is not in the paper's text (a quote is verbatim; only white space may differ)",
            "quote in the paper",
        )
    seen[entry["id"]] = line
    return Judgment(
        entry["id"],
        entry["domain"],
        lists.get("modalities"),
        lists.get("families"),
        lists.get("outcomes"),
        entry["judgment"],
        entry["rationale"],
        entry["quote"],
        line,
    ), []


def _cell_text(cell: tuple[str, str, str]) -> str:
    kind, key, outcome = cell
    return f"{kind} {key!r}, outcome {outcome!r}"


def _coverage(judgments: list[Judgment], vocab: dict, name: str) -> list[Problem]:
    """Two equally specific entries of a domain sharing a cell; a cell a domain leaves out."""
    problems = []
    every = cells(vocab)
    for domain in DOMAINS:
        of_domain = [j for j in judgments if j.domain == domain]
        for i, a in enumerate(of_domain):
            for b in of_domain[i + 1 :]:
                shared = [c for c in every if a.holds(*c) and b.holds(*c)]
                if a.specificity == b.specificity and shared:
                    problems.append(
                        Problem(
                            name,
                            "one judgment per cell",
                            f"entry {b.id!r}: its scope ({b.scope_text}) and entry {a.id!r}'s "
                            f"({a.scope_text}) are equally specific and both hold "
                            f"{_cell_text(shared[0])} on {domain}; narrow one of them",
                            row=b.line,
                            column="scope",
                        )
                    )
        for cell in every:
            if not any(j.holds(*cell) for j in of_domain):
                problems.append(
                    Problem(
                        name,
                        "judgments cover every cell",
                        f"no entry judges {domain} for {_cell_text(cell)}; add an entry with "
                        f"scope {SCOPE_ALL!r} or one that lists it",
                        column="scope",
                    )
                )
    return problems


def check_certainty(entries, node, vocab: dict, name: str = CERTAINTY_FILE):
    """Check the parsed certainty register; return its judgments and every problem.

    Each entry is checked field by field (the first broken field of an entry is its one
    problem, naming the file, the entry's id and line, and the field); when every entry is
    well formed, the register as a whole is checked: no two equally specific entries of a
    domain share a cell, and every cell of :func:`cells` has an entry on every domain of
    :data:`DOMAINS`.

    Parameters
    ----------
    entries : object
        The parsed register (:func:`helpers.data.readers.load_yaml`'s value); anything but a
        non-empty list is one problem.
    node : yaml.Node
        The composed YAML node of the same file, for the line of every entry and key.
    vocab : dict
        :func:`helpers.data.registers.vocabularies`' value.
    name : str, optional
        The file's name in messages.

    Returns
    -------
    judgments : list of Judgment
        The entries, in the file's order (empty when there is any problem).
    problems : list of Problem
        Every problem; empty when the register is valid.
    """
    if not isinstance(entries, list) or not entries:
        return [], [
            Problem(
                name,
                "list of judgments",
                "the file must hold a non-empty list of judgments "
                f"({', '.join(JUDGMENT_KEYS)}), not {describe(entries)}",
            )
        ]
    judgments, problems, seen = [], [], {}
    for entry, item in zip(entries, node.value, strict=True):
        judgment, found = _entry(entry, item, vocab, name, seen)
        problems += found
        if judgment is not None:
            judgments.append(judgment)
    if problems:
        return [], problems
    problems = _coverage(judgments, vocab, name)
    return ([], problems) if problems else (judgments, [])
