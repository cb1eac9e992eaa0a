"""The one loader: read a data folder, validate it, return the review as DataFrames.

>>> from helpers import load_review
>>> review = load_review()          # the project's data/
>>> review.studies.loc[59, "first_author"]
'Abbott'

This is the one gate: everything a report depends on is checked here, so that data that
load can never fail later inside a notebook. Validation runs in five stages and stops at
the first stage that finds problems, reporting every problem of that stage in one
:class:`~helpers.data.errors.DataValidationError` (file, row, study, column and rule):

1. files: every table and register is present, readable, within its size limit and
   UTF-8 (a byte order mark and CRLF line endings are accepted); every table is
   well-formed CSV with the dictionary's columns (:mod:`helpers.data.readers`);
2. cells: every cell is a plain value of its column's type, with no control characters
   and no spaces at its ends (:mod:`helpers.data.values`);
3. no table is empty; then the data dictionary (``data/datapackage.yaml``, by
   Frictionless): allowed values, keys, references between tables;
4. the cross-table rules of :mod:`helpers.data.rules` (outcome counts add up, every
   study is described, the PRISMA flow adds up, Table 2's printed cells can be read...);
5. the registers (:mod:`helpers.data.registers`): strict YAML; every claim's quote is in the
   paper and its computation and arguments name things that exist; every Table 2 note
   names a real cell; every declared non-claim names numbers of the paper no claim checks.

Only then are the tables converted to typed DataFrames and the derived columns added
(months, sessions per month, the study's year and DOI from the reference list).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers.data import cache as data_cache
from helpers.data import escape, paths
from helpers.data.dictionary import TABLES, read_descriptor
from helpers.data.digests import data_checksum
from helpers.data.editions import (
    LATEST,
    closed_editions_unchanged,
    placeholder_problems,
    registers_unchanged,
)
from helpers.data.errors import DataValidationError, Problem
from helpers.data.judgments import Judgment, check_certainty
from helpers.data.readers import (
    MAX_TABLE_BYTES,
    MAX_YAML_BYTES,
    CsvTable,
    YamlProblem,
    load_yaml,
    read_csv,
    read_text,
)
from helpers.data.registers import (
    CERTAINTY_FILE,
    CLAIMS_FILE,
    NON_CLAIMS_FILE,
    NOTES_FILE,
    REGISTER_FILES,
    Claim,
    NonClaim,
    check_claims,
    check_non_claims,
    check_table2_notes,
    vocabularies,
)
from helpers.data.rules import check_rules, findings
from helpers.data.units import parse_frequency, to_months
from helpers.data.values import cell_problem, count_noun, is_missing, parse_cell, text_problem

__all__ = ["Review", "load_review", "typed_tables"]


@dataclass
class Review:
    """The review's data, validated, as DataFrames.

    Attributes
    ----------
    studies : DataFrame
        One row per included study, indexed by ``ref``; Table 1's study-level columns
        plus ``family``, ``year``, ``journal``, ``doi`` (from the reference list),
        ``lesion_locations`` as a list and the normalised frequency.
    outcomes : DataFrame
        Response and pain/mobility counts per study, indexed by ``ref``.
    diseases : DataFrame
        Underlying diseases, one row per (study, disease), indexed by ``ref``, with
        the disease's full name and category.
    durations : DataFrame
        Treatment duration, time to first improvement and follow-up, three rows per
        study, indexed by ``ref``, with ``value_months``, ``low_months``, ``high_months``.
    adverse_events : DataFrame
        Adverse events per modality (Table 2 and the text), indexed by ``event_id``;
        ``refs`` lists the studies the text names.
    references : DataFrame
        The paper's 65 references, indexed by ``ref``.
    modalities, families, disease_vocabulary, disease_categories : DataFrame
        The vocabularies.
    title_terms : DataFrame
        Words of reference titles that name a treatment, diagnosis or design, indexed by
        ``term``, with what each means (``means`` as a list); see
        :func:`helpers.data.rules.findings`.
    paper_table2 : DataFrame
        The paper's Table 2 as printed, indexed by ``modality`` (for comparison only).
    jbi_questions : DataFrame
        The JBI checklist questions, indexed by (checklist, question).
    prisma : DataFrame
        The PRISMA 2020 flow counts of this edition's search (for the paper's edition, those
        the paper gives), indexed by ``box`` (see :mod:`helpers.analysis.prisma`).
    editions : DataFrame
        Every edition of the review in order (``editions.csv``), indexed by ``edition``,
        with ``n_studies`` and ``n_patients``: the studies each added, and their patients.
    edition_name : str
        The edition this review shows: its studies and every earlier edition's
        (:meth:`edition`); as loaded, the last.
    prisma_by_edition : DataFrame
        The PRISMA counts of every edition, indexed by (``edition``, ``box``).
    claims : list of Claim
        The claims register (``claims.yaml``), checked against the tables
        (:mod:`helpers.data.registers`).
    table2_notes : dict
        Why Table 2 and the data disagree (``table2_notes.yaml``), keyed by
        (modality, column, part).
    table2_note_sources : dict
        Where the numbers of those notes come from (:class:`helpers.data.registers.NoteSources`),
        by the same key, for the notes that name sources.
    non_claims : list of NonClaim
        The numbers of the paper's text declared not to be claims, with the reason
        (``non_claims.yaml``; see :mod:`helpers.data.paper`).
    certainty : list of Judgment
        The project's GRADE judgments of risk of bias, indirectness and publication bias
        (``certainty.yaml``; see :mod:`helpers.data.judgments`).
    findings : DataFrame
        Places where the paper disagrees with itself that the data make visible
        (they do not stop loading; see :func:`helpers.data.rules.findings`).
    data_dir : Path
        The folder the data were read from.
    checksum : str
        :func:`data_checksum` of that folder.
    readings : frozenset of str, optional
        The project's readings the analyses apply (:mod:`helpers.analysis.readings`); ``None``,
        as loaded, is all of them. :func:`helpers.analysis.readings.using` sets it.
    whole : Review, optional
        Every edition's data, which :meth:`edition` selects from (None on that review itself).
    """

    studies: pd.DataFrame
    outcomes: pd.DataFrame
    diseases: pd.DataFrame
    durations: pd.DataFrame
    adverse_events: pd.DataFrame
    references: pd.DataFrame
    modalities: pd.DataFrame
    families: pd.DataFrame
    disease_vocabulary: pd.DataFrame
    disease_categories: pd.DataFrame
    title_terms: pd.DataFrame
    paper_table2: pd.DataFrame
    jbi_questions: pd.DataFrame
    prisma: pd.DataFrame
    editions: pd.DataFrame = field(repr=False)
    edition_name: str = field(repr=False)
    prisma_by_edition: pd.DataFrame = field(repr=False)
    claims: list[Claim] = field(repr=False)
    table2_notes: dict = field(repr=False)
    table2_note_sources: dict = field(repr=False)
    non_claims: list[NonClaim] = field(repr=False)
    certainty: list[Judgment] = field(repr=False)
    findings: pd.DataFrame = field(repr=False)
    data_dir: Path = field(repr=False)
    checksum: str = field(repr=False)
    readings: frozenset | None = field(default=None, repr=False)
    whole: Review | None = field(default=None, repr=False, compare=False)

    @property
    def n_studies(self) -> int:
        """Number of included studies."""
        return len(self.studies)

    @property
    def n_patients(self) -> int:
        """Number of patients (sum of Table 1's "No of cases")."""
        return int(self.studies["n_cases"].sum())

    @property
    def paper_edition_name(self) -> str:
        """The name of the edition the paper describes: the first."""
        return str(self.editions.index[0])

    def edition(self, name: str | None = None) -> Review:
        """The review as it stood at an edition: that edition's studies and every earlier
        one's, with the tables that describe them and that edition's PRISMA flow.

        Parameters
        ----------
        name : str, optional
            An edition's name (``review.editions.index``); None or ``"latest"`` is the last.

        Returns
        -------
        Review
            A new review; this one is unchanged.

        Raises
        ------
        DataValidationError
            When no edition has that name (the message lists the editions).
        """
        whole = self.whole if self.whole is not None else self
        names = [str(x) for x in whole.editions.index]
        name = names[-1] if name is None or name == LATEST else name
        if name not in names:
            raise DataValidationError(
                [
                    Problem(
                        "editions.csv",
                        "edition exists",
                        f"no edition {str(name)[:60]!r}; the editions are "
                        + ", ".join(repr(n) for n in names)
                        + f" (or {LATEST!r}, the last)",
                        column="edition",
                    )
                ],
                source="edition parameter",
            )
        kept = names[: names.index(name) + 1]
        # An earlier edition is selected from this review, so that what was done to it (a
        # reading, an inference withdrawn) stays; a later one needs the whole review.
        position = {n: i for i, n in enumerate(names)}
        base = self if position.get(self.edition_name, -1) >= position[name] else whole
        refs = base.studies.index[base.studies["edition"].isin(kept)]

        def of_studies(table: pd.DataFrame) -> pd.DataFrame:
            return table[table.index.isin(refs)]

        flow = whole.prisma_by_edition.xs(name, level="edition")
        finding_refs = base.findings["ref"] if "ref" in base.findings.columns else None
        findings = (
            base.findings
            if finding_refs is None
            else base.findings[finding_refs.isna() | finding_refs.isin(refs)]
        )
        return replace(
            base,
            studies=of_studies(base.studies),
            outcomes=of_studies(base.outcomes),
            diseases=of_studies(base.diseases),
            durations=of_studies(base.durations),
            adverse_events=base.adverse_events[base.adverse_events["edition"].isin(kept)],
            references=base.references[base.references["edition"].isin(kept)],
            prisma=flow,
            findings=findings,
            edition_name=name,
            readings=self.readings,
            whole=whole,
        )

    def paper_edition(self) -> Review:
        """The review as the paper describes it: its first edition (:meth:`edition`).

        Returns
        -------
        Review
        """
        return self.edition(self.paper_edition_name)

    def _repr_markdown_(self) -> str:
        """The review in one sentence, for notebooks and reports (no path, no repr)."""
        title = self.editions["title"].get(self.edition_name)
        name = title if isinstance(title, str) and title else self.edition_name
        return (
            f"**The review:** {escape.markdown(name)}: "
            f"{count_noun(self.n_studies, 'study', 'studies')} with "
            f"{count_noun(self.n_patients, 'patient')}; data checksum (SHA-256) "
            f"`{self.checksum[:16]}`."
        )

    def __repr__(self) -> str:
        # The project's own data print as a relative path, so the repr is the same on
        # every machine (notebooks store it; nbval compares it).
        try:
            where = Path(self.data_dir).resolve().relative_to(paths.PROJECT_ROOT.resolve())
        except ValueError:
            where = self.data_dir
        return (
            f"Review(edition {self.edition_name!r}: {self.n_studies} studies, "
            f"{self.n_patients} patients, "
            f"{len(self.modalities)} modalities, {len(self.references)} references; "
            f"from {where}, data sha256 {self.checksum[:12]})"
        )


# --------------------------------------------------------------------------- stage 1: files


@dataclass
class _Source:
    """One table as read from its file: the cells, before any typing."""

    rel: str
    resource: dict
    table: CsvTable

    @property
    def fields(self) -> list[dict]:
        return self.resource["schema"]["fields"]


def _read_sources(
    data_dir: Path, resources: dict[str, dict]
) -> tuple[dict[str, _Source], list[Problem]]:
    """Read every table once (stage 1): present, readable, UTF-8, CSV, a header with the
    dictionary's columns."""
    problems, sources = [], {}
    for name in TABLES:
        if name not in resources:
            problems.append(
                Problem(
                    "datapackage.yaml",
                    "table described",
                    f"the data dictionary has no table '{name}'",
                )
            )
            continue
        rel = resources[name]["path"]
        text, problem = read_text(data_dir / rel, rel, MAX_TABLE_BYTES)
        if problem:
            problems.append(problem)
            continue
        table, found = read_csv(text, rel)
        problems += found
        if table is None:
            continue
        header_problems = _check_header(rel, table.header, resources[name])
        problems += header_problems
        if not header_problems:
            sources[name] = _Source(rel, resources[name], table)
    return sources, problems


def _check_header(rel: str, header: list[str], resource: dict) -> list[Problem]:
    """Columns are matched by name: report missing, unknown, repeated and space-padded columns,
    one problem each."""
    expected = [f["name"] for f in resource["schema"]["fields"]]
    rule = "columns as in the data dictionary"
    problems = []
    padded = {
        h.strip(): h
        for h in header
        if h != h.strip() and h.strip() in expected and h.strip() not in header
    }
    for h in dict.fromkeys(header):
        if h in padded.values():
            problems.append(
                Problem(
                    rel,
                    rule,
                    f"column name {h!r} has spaces around it; write {h.strip()!r}",
                    row=1,
                    column=h.strip(),
                )
            )
        elif text_problem(h) and h.strip() != h:
            problems.append(Problem(rel, rule, f"column name {text_problem(h)}", row=1, column=h))
        elif h not in expected:
            what = (
                "an empty column name"
                if h == ""
                else "column is not in the data dictionary "
                "(add it to data/datapackage.yaml, or remove it)"
            )
            problems.append(Problem(rel, rule, what, row=1, column=h or None))
    problems += [
        Problem(rel, rule, "column is missing from the header", row=1, column=c)
        for c in expected
        if c not in header and c not in padded
    ]
    problems += [
        Problem(rel, rule, "column appears more than once in the header", row=1, column=c)
        for c in dict.fromkeys(header)
        if header.count(c) > 1
    ]
    return problems


# --------------------------------------------------------------------------- stage 2: cells

_TYPE_RULE = {
    "integer": "plain integer",
    "number": "plain number",
    "boolean": "true or false",
    "string": "clean text",
}


def _ref_of(source: _Source, cells: list[str]) -> int | None:
    if "ref" not in source.table.header:
        return None
    value = (
        cells[source.table.header.index("ref")]
        if source.table.header.index("ref") < len(cells)
        else ""
    )
    return int(value) if cell_problem(value, "integer") is None and value else None


def _cell_problems(sources: dict[str, _Source]) -> list[Problem]:
    """Every cell holds a plain value of its column's type (stage 2; :mod:`helpers.data.values`)."""
    problems = []
    for source in sources.values():
        header = source.table.header
        position = {f["name"]: header.index(f["name"]) for f in source.fields}
        for number, cells in zip(source.table.row_numbers, source.table.rows, strict=True):
            ref = _ref_of(source, cells)
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        source.rel,
                        "row as long as the header",
                        f"row has {len(cells)} cells, the header {len(header)} columns"
                        + (
                            " (a comma too many, or a text with a comma not in quotes?)"
                            if len(cells) > len(header)
                            else ""
                        ),
                        row=number,
                        ref=ref,
                    )
                )
                continue
            for f in source.fields:
                cell = cells[position[f["name"]]]
                problem = cell_problem(cell, f["type"])
                if problem:
                    rule = (
                        "clean text"
                        if text_problem(cell)
                        else _TYPE_RULE.get(f["type"], "value of its type")
                    )
                    message = (
                        f"value {problem}"
                        if problem.startswith(("has ", "contains ", "is "))
                        else problem
                    )
                    problems.append(
                        Problem(source.rel, rule, message, row=number, ref=ref, column=f["name"])
                    )
    return problems


def _empty_tables(sources: dict[str, _Source]) -> list[Problem]:
    return [
        Problem(
            s.rel,
            "table not empty",
            "the table has a header but no rows; every table of the review needs at least one",
        )
        for name, s in sources.items()
        if not s.table.rows and name not in _MAY_BE_EMPTY
    ]


#: Tables that may have no rows: a review whose editions are all open has no seals.
_MAY_BE_EMPTY = ("edition_seals",)


# --------------------------------------------------------------------- stage 3: the data dictionary

_ERROR_TEXT = {
    "type-error": "value {cell!r} is not of type {type}",
    "missing-cell": "row has fewer cells than the header",
    "extra-cell": "row has more cells than the header",
    "blank-row": "row is empty",
    "primary-key": "duplicate key: {note}",
    "foreign-key": "{note}",
    "unique-error": "value {cell!r} must be unique in this column: {note}",
}


def _constraint_text(note: str, cell) -> str:
    if '"required"' in note:
        return "value is required but the cell is empty"
    if '"enum"' in note:
        return f"value {cell!r} is not allowed; {note}"
    if '"pattern"' in note:
        return f"value {cell!r} does not match the expected form; {note}"
    return f"value {cell!r} breaks a constraint: {note}"


def _inline_rows(source: _Source) -> list[list[str]]:
    """The table in the dictionary's column order, booleans in the one spelling Frictionless
    reads."""
    header = source.table.header
    names = [f["name"] for f in source.fields]
    order = [header.index(n) for n in names]
    booleans = {i for i, f in enumerate(source.fields) if f["type"] == "boolean"}
    rows = [
        [cells[j].lower() if i in booleans else cells[j] for i, j in enumerate(order)]
        for cells in source.table.rows
    ]
    return [names, *rows]


def _schema_problems(sources: dict[str, _Source], descriptor: dict) -> list[Problem]:
    """Types, allowed values, keys and references between tables (stage 3), by Frictionless,
    on the cells already read (the files are not read a second time)."""
    from frictionless import Package  # imported here: it is only needed to validate

    package_descriptor = copy.deepcopy({k: v for k, v in descriptor.items() if k != "resources"})
    package_descriptor["resources"] = []
    for r in descriptor["resources"]:
        if r["name"] not in sources:
            continue
        resource = {k: v for k, v in copy.deepcopy(r).items() if k not in ("path", "encoding")}
        resource["data"] = _inline_rows(sources[r["name"]])
        package_descriptor["resources"].append(resource)
    report = Package(package_descriptor).validate()
    problems = []
    resources = {r["name"]: r for r in descriptor["resources"]}
    for task in report.tasks:
        source = sources[task.name]
        fields = [f["name"] for f in source.fields]
        for err in task.errors:
            d = err.to_dict()
            cells = d.get("cells") or []
            ref = None
            if "ref" in fields and fields.index("ref") < len(cells):
                ref = (
                    int(cells[fields.index("ref")])
                    if str(cells[fields.index("ref")]).lstrip("-").isdigit()
                    else None
                )
            column = d.get("fieldName") or d.get("label") or None
            if err.type == "foreign-key":
                column = (
                    ", ".join(
                        f["fields"][0]
                        for f in resources[task.name]["schema"].get("foreignKeys", [])
                        if f["fields"][0] in d.get("note", "")
                    )
                    or None
                )
            if err.type == "constraint-error":
                text = _constraint_text(d.get("note", ""), d.get("cell"))
            elif err.type in _ERROR_TEXT:
                ftype = source.fields[fields.index(column)]["type"] if column in fields else ""
                text = _ERROR_TEXT[err.type].format(
                    cell=d.get("cell"), type=ftype, note=d.get("note", ""), field=column
                )
            else:
                text = d.get("message", err.type)
            problems.append(
                Problem(source.rel, err.type, text, row=d.get("rowNumber"), ref=ref, column=column)
            )
    return problems


# --------------------------------------------------------------------------- typed tables


def _typed_table(source: _Source) -> pd.DataFrame:
    """One table as typed columns, as the data dictionary declares them."""
    header = source.table.header
    df = pd.DataFrame(index=range(len(source.table.rows)))
    for f in source.fields:
        i = header.index(f["name"])
        cells = [parse_cell(row[i], f["type"]) for row in source.table.rows]
        if f["type"] == "integer":
            df[f["name"]] = pd.array(cells, dtype="Int64")
        elif f["type"] == "number":
            df[f["name"]] = pd.array([math.nan if v is None else v for v in cells], dtype="float64")
        elif f["type"] == "boolean":
            df[f["name"]] = pd.array(cells, dtype="boolean")
        else:
            df[f["name"]] = pd.Series(cells, index=df.index, dtype="str")
    # Spreadsheet row numbers, for messages from the cross-table rules.
    df["csv_row"] = source.table.row_numbers
    return df


def _split_list(value, convert=str):
    if is_missing(value):
        return None
    return [convert(v.strip()) for v in str(value).split(";")]


def _derive(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add the derived columns and set each table's key as its index.

    Long: one derived column after another on the same tables; split, each part
    would pass every table along.
    """
    studies = tables["studies"].copy()
    refs = tables["references"]
    mods = tables["modalities"]
    studies = studies.merge(mods[["modality", "family"]], on="modality", how="left", validate="m:1")
    studies = studies.merge(
        refs[["ref", "year", "journal", "doi", "first_author"]].rename(
            columns={"first_author": "reference_first_author"}
        ),
        on="ref",
        how="left",
        validate="1:1",
    )
    studies["lesion_locations"] = studies["lesion_locations"].map(_split_list)
    freq = [parse_frequency(t) for t in studies["frequency"]]
    for attr in (
        "sessions_per_month_low",
        "sessions_per_month_high",
        "total_sessions_low",
        "total_sessions_high",
    ):
        studies[attr] = [getattr(f, attr) for f in freq]

    durations = tables["durations"].copy()
    for col in ("value", "low", "high"):
        durations[f"{col}_months"] = [
            to_months(v, u) if u == u and u is not None else math.nan
            for v, u in zip(durations[col], durations["unit"], strict=True)
        ]

    diseases = tables["diseases"].merge(
        tables["disease_vocabulary"][["disease", "name", "category"]],
        on="disease",
        how="left",
        validate="m:1",
    )
    adverse = tables["adverse_events"].copy()
    adverse["refs"] = adverse["refs"].map(lambda v: _split_list(v, int) or [])
    terms = tables["title_terms"].copy()
    terms["means"] = terms["means"].map(lambda v: _split_list(v) or [])

    editions = tables["editions"].copy()
    added = tables["studies"].groupby("edition")["n_cases"]
    editions["n_studies"] = [int(added.size().get(e, 0)) for e in editions["edition"]]
    editions["n_patients"] = [int(added.sum().get(e, 0)) for e in editions["edition"]]

    out = dict(tables)
    out.update(
        editions=editions,
        studies=studies,
        durations=durations,
        diseases=diseases,
        adverse_events=adverse,
        title_terms=terms,
    )
    keys = {
        "studies": "ref",
        "outcomes": "ref",
        "diseases": "ref",
        "durations": "ref",
        "references": "ref",
        "adverse_events": "event_id",
        "modalities": "modality",
        "families": "family",
        "disease_vocabulary": "disease",
        "disease_categories": "category",
        "title_terms": "term",
        "table2": "modality",
        "jbi_questions": ["checklist", "question"],
        "prisma": ["edition", "box"],
        "editions": "edition",
        "edition_seals": ["edition", "table", "key"],
    }
    for name, key in keys.items():
        table = out[name].drop(columns="csv_row").set_index(key)
        # A vocabulary with an ``order`` column is sorted here, once: every table and figure
        # follows it.
        out[name] = table.sort_values("order", kind="stable") if "order" in table.columns else table
    return out


def typed_tables(data_dir: Path | str) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table of a data folder as typed columns, after the first three stages of
    validation (files, cells, the data dictionary), for writing rather than analysis
    (:mod:`helpers.data.curation` seals an edition from them).

    Parameters
    ----------
    data_dir : path-like
        The data folder.

    Returns
    -------
    tables : dict of str to DataFrame
        By resource name, not indexed, each with its ``csv_row``.
    resources : dict
        The data dictionary's resources by name.

    Raises
    ------
    DataValidationError
        The problems of the first stage that finds any.
    """
    descriptor = read_descriptor()
    resources = {r["name"]: r for r in descriptor["resources"]}
    sources, problems = _read_sources(Path(data_dir), resources)
    stages = (
        lambda: problems,
        lambda: placeholder_problems(
            (s.rel, s.table.header, s.table.row_numbers, s.table.rows) for s in sources.values()
        ),
        lambda: _cell_problems(sources),
        lambda: _empty_tables(sources),
        lambda: _schema_problems(sources, descriptor),
    )
    for stage in stages:
        found = stage()
        if found:
            raise DataValidationError(found, source=f"data in {data_dir}")
    return {name: _typed_table(sources[name]) for name in TABLES}, resources


def load_review(data_dir: Path | str | None = None, cache: bool = True) -> Review:
    """Load and validate the review's data.

    Parameters
    ----------
    data_dir : path-like, optional
        The data folder (default: the project's ``data/``); a relative path is relative to
        the project root, whatever the current directory (in JupyterLab, ``notebooks/``):
        ``load_review("data")`` is the project's data everywhere
        (:func:`helpers.data.paths.data_folder`). See :func:`_load_review`.
    cache : bool, default True
        Keep the validated review in the data cache (:mod:`helpers.data.cache`) under a key
        made of the data checksum, the data dictionary, the helpers' code and the library
        versions, so that the report's notebooks validate a data folder once, not once each.

    Returns
    -------
    Review
        The validated tables.

    Raises
    ------
    DataValidationError
        When anything a report depends on is wrong (see :func:`_load_review`).
    """
    resolved = paths.data_folder(data_dir)
    try:
        cache = cache and resolved.is_dir()
    except (OSError, ValueError):
        cache = False
    if not cache:
        return _load_review(resolved)
    key = data_cache.cache_key(resolved)
    review = data_cache.lookup(key)
    if review is not None:
        review.data_dir = resolved
        return review
    review = _load_review(resolved)
    data_cache.store(key, review)
    return review


def _load_review(data_dir: Path | str | None = None) -> Review:
    """Load and validate the review's data: the one gate every report passes through.

    Parameters
    ----------
    data_dir : path-like, optional
        Folder holding the tables the data dictionary describes (``studies.csv``,
        ``outcomes.csv``, ...) and the registers (``claims.yaml``,
        ``table2_notes.yaml``). Defaults to the project's ``data/``; a relative path is
        relative to the project root (:func:`helpers.data.paths.data_folder`). The folder is
        always validated against the project's data dictionary
        (``data/datapackage.yaml``); a folder with a different copy of the dictionary is
        rejected, so a data folder cannot loosen its own rules.

    Returns
    -------
    Review
        The validated tables as DataFrames, each keyed by ``ref`` where it describes
        studies, with the claims register and the Table 2 notes.

    Raises
    ------
    DataValidationError
        When anything a report depends on is wrong. Validation runs in stages and stops
        at the first stage that finds problems, reporting all of that stage's problems:

        1. files: present, readable, UTF-8, CSV with the dictionary's columns;
        2. cells: a plain value of the column's type (:mod:`helpers.data.values`);
        3. no empty table; then the data dictionary: allowed values, keys, references
           between tables (Frictionless);
        4. the cross-table rules (:data:`helpers.data.rules.RULES`);
        5. the registers: strict YAML; every claim's quote, computation and arguments,
           every Table 2 note's cell, every declared non-claim (:mod:`helpers.data.registers`),
           every certainty judgment (:mod:`helpers.data.judgments`).
    Long: the validation stages in their order, each stopping the load; the order is
    the method (see the module docstring).
    """
    descriptor = (
        read_descriptor()
    )  # the project's own dictionary first: without it, nothing can be checked
    given = data_dir
    data_dir = paths.data_folder(data_dir)
    try:
        is_folder = data_dir.is_dir()
    except (OSError, ValueError) as exc:
        raise DataValidationError(
            [Problem(str(data_dir)[:200], "data folder exists", f"cannot read the folder: {exc}")]
        ) from None
    if not is_folder:
        raise DataValidationError(
            [
                Problem(
                    str(data_dir)[:200],
                    "data folder exists",
                    "no such folder; pass the folder holding studies.csv and the other tables"
                    + (
                        f" (a relative path is relative to the project root, {paths.PROJECT_ROOT})"
                        if given is not None and not Path(given).is_absolute()
                        else ""
                    ),
                )
            ]
        )
    own = data_dir / "datapackage.yaml"
    if own.exists() and own.resolve() != paths.DATA_PACKAGE.resolve():
        text, problem = read_text(own, "datapackage.yaml", MAX_YAML_BYTES)
        if problem or text != paths.DATA_PACKAGE.read_text(encoding="utf-8"):
            raise DataValidationError(
                [
                    Problem(
                        "datapackage.yaml",
                        "one data dictionary",
                        f"differs from the project's data dictionary ({paths.DATA_PACKAGE}); "
                        "change the project's dictionary, or remove this copy",
                    )
                ],
                source=f"data in {data_dir}",
            )
    resources = {r["name"]: r for r in descriptor["resources"]}

    def stop_if(problems):
        if problems:
            raise DataValidationError(problems, source=f"data in {data_dir}")

    sources, problems = _read_sources(data_dir, resources)
    texts = {}
    for name in REGISTER_FILES:
        texts[name], problem = read_text(data_dir / name, name, MAX_YAML_BYTES)
        problems += [problem] if problem else []
    stop_if(problems)
    stop_if(
        placeholder_problems(
            (s.rel, s.table.header, s.table.row_numbers, s.table.rows) for s in sources.values()
        )
    )
    stop_if(_cell_problems(sources))
    stop_if(_empty_tables(sources))
    stop_if(_schema_problems(sources, descriptor))
    tables = {name: _typed_table(sources[name]) for name in TABLES}
    stop_if(check_rules(tables, resources))
    stop_if(closed_editions_unchanged(tables, resources))
    registers, problems = {}, []
    for name in REGISTER_FILES:
        try:
            registers[name] = load_yaml(texts[name])
        except YamlProblem as exc:
            problems.append(Problem(name, "valid YAML", exc.message, row=exc.line))
    stop_if(problems)
    vocab = vocabularies(tables, descriptor)
    claims, found = check_claims(*registers[CLAIMS_FILE], vocab)
    notes, note_sources, more = check_table2_notes(
        *registers[NOTES_FILE], tables, None if found else claims, vocab
    )
    stop_if(found + more)
    non_claims, found = check_non_claims(*registers[NON_CLAIMS_FILE], claims)
    stop_if(found)
    certainty, found = check_certainty(*registers[CERTAINTY_FILE], vocab)
    stop_if(found)
    stop_if(registers_unchanged(tables, resources, {n: v for n, (v, _) in registers.items()}))

    derived = _derive(tables)
    editions = derived["editions"]  # in order: sorted by its order column, as the vocabularies
    full = Review(
        studies=derived["studies"],
        outcomes=derived["outcomes"],
        diseases=derived["diseases"],
        durations=derived["durations"],
        adverse_events=derived["adverse_events"],
        references=derived["references"],
        modalities=derived["modalities"],
        families=derived["families"],
        disease_vocabulary=derived["disease_vocabulary"],
        disease_categories=derived["disease_categories"],
        title_terms=derived["title_terms"],
        paper_table2=derived["table2"],
        jbi_questions=derived["jbi_questions"],
        prisma=derived["prisma"],
        editions=editions,
        edition_name=str(editions.index[-1]),
        prisma_by_edition=derived["prisma"],
        claims=claims,
        table2_notes=notes,
        table2_note_sources=note_sources,
        non_claims=non_claims,
        certainty=certainty,
        findings=findings(tables),
        data_dir=data_dir,
        checksum=data_checksum(data_dir),
    )
    return full.edition(LATEST)
