"""The one loader: read a data folder, validate it, return the review as DataFrames.

>>> from helpers import load_review
>>> review = load_review()          # the project's data/
>>> review.studies.loc[59, "first_author"]
'Abbott'

Validation runs in three stages and stops at the first stage that finds problems,
reporting every problem of that stage in one :class:`~helpers.errors.DataValidationError`:

1. files: each table named in the data dictionary exists, is not empty and is UTF-8;
2. schema: the Frictionless data package (``data/datapackage.yaml``) checks columns,
   types, allowed values, keys and references between tables;
3. rules: the cross-table rules of :mod:`helpers.validation` (outcome counts add up,
   disease counts add up, every study has its outcomes and durations, ...).

Only then are the tables converted to typed DataFrames and the derived columns added
(months, sessions per month, the study's year and DOI from the reference list).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .errors import DataValidationError, Problem
from .units import parse_frequency, to_months

#: Tables every data folder must hold, by resource name in the data dictionary.
TABLES = (
    "studies",
    "outcomes",
    "diseases",
    "durations",
    "adverse_events",
    "references",
    "modalities",
    "families",
    "disease_vocabulary",
    "disease_categories",
    "table2",
    "jbi_questions",
    "prisma",
)


def read_descriptor(path: Path | None = None) -> dict:
    """Read the data dictionary (a Frictionless data package descriptor) as a dict."""
    path = Path(path or paths.DATA_PACKAGE)
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def data_checksum(data_dir: Path | str | None = None) -> str:
    """SHA-256 over every file of a data folder (names and bytes, in sorted order).

    Two folders with the same files give the same checksum; any changed byte, added
    or renamed file changes it. Hidden files and ``__pycache__`` are ignored.
    """
    root = Path(data_dir or paths.DATA_DIR)
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


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
    paper_table2 : DataFrame
        The paper's Table 2 as printed, indexed by ``modality`` (for comparison only).
    jbi_questions : DataFrame
        The JBI checklist questions, indexed by (checklist, question).
    prisma : DataFrame
        The PRISMA 2020 flow counts the paper gives, indexed by ``box`` (see :mod:`helpers.prisma`).
    findings : DataFrame
        Places where the paper disagrees with itself that the data make visible
        (they do not stop loading; see :func:`helpers.validation.findings`).
    data_dir : Path
        The folder the data were read from.
    checksum : str
        :func:`data_checksum` of that folder.
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
    paper_table2: pd.DataFrame
    jbi_questions: pd.DataFrame
    prisma: pd.DataFrame
    findings: pd.DataFrame = field(repr=False)
    data_dir: Path = field(repr=False)
    checksum: str = field(repr=False)

    @property
    def n_studies(self) -> int:
        """Number of included studies."""
        return len(self.studies)

    @property
    def n_patients(self) -> int:
        """Number of patients (sum of Table 1's "No of cases")."""
        return int(self.studies["n_cases"].sum())

    def __repr__(self) -> str:
        # The project's own data print as a relative path, so the repr is the same on
        # every machine (notebooks store it; nbval compares it).
        try:
            where = Path(self.data_dir).resolve().relative_to(paths.PROJECT_ROOT.resolve())
        except ValueError:
            where = self.data_dir
        return (
            f"Review({self.n_studies} studies, {self.n_patients} patients, "
            f"{len(self.modalities)} modalities, {len(self.references)} references; "
            f"from {where}, data sha256 {self.checksum[:12]})"
        )


# --------------------------------------------------------------------------- stage 1


def _check_files(data_dir: Path, resources: dict[str, dict]) -> list[Problem]:
    problems = []
    for name in TABLES:
        if name not in resources:
            problems.append(Problem("datapackage.yaml", "table described", f"the data dictionary has no table '{name}'"))
            continue
        rel = resources[name]["path"]
        path = data_dir / rel
        if not path.is_file():
            problems.append(Problem(rel, "file present", f"file is missing from {data_dir}"))
            continue
        raw = path.read_bytes()
        if not raw.strip():
            problems.append(Problem(rel, "file not empty", "file is empty (expected a header row and data rows)"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(
                Problem(rel, "UTF-8 encoding", f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; save the file as UTF-8", row=line)
            )
            continue
        problems += _check_header(rel, text, resources[name])
    return problems


def _check_header(rel: str, text: str, resource: dict) -> list[Problem]:
    """Columns are matched by name: report missing, unknown and repeated columns."""
    header = next(csv.reader(io.StringIO(text)), [])
    expected = [f["name"] for f in resource["schema"]["fields"]]
    problems = [Problem(rel, "columns as in the data dictionary", "column is missing from the header", row=1, column=c)
                for c in expected if c not in header]
    problems += [Problem(rel, "columns as in the data dictionary",
                         "column is not in the data dictionary (add it to data/datapackage.yaml, or remove it)", row=1, column=c)
                 for c in dict.fromkeys(header) if c not in expected]
    problems += [Problem(rel, "columns as in the data dictionary", "column appears more than once in the header", row=1, column=c)
                 for c in dict.fromkeys(header) if header.count(c) > 1]
    return problems


# --------------------------------------------------------------------------- stage 2

_ERROR_TEXT = {
    "type-error": "value {cell!r} is not of type {type}",
    "missing-label": "column is missing from the header",
    "extra-label": "column is not in the data dictionary",
    "incorrect-label": "header does not match the data dictionary here (expected '{field}')",
    "duplicate-label": "column name appears twice in the header",
    "blank-label": "header has an empty column name",
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


def _schema_problems(data_dir: Path, descriptor: dict) -> list[Problem]:
    from frictionless import Package  # imported here: it is only needed to validate

    # Columns are matched by name (fieldsMatch: equal; the header was checked in stage 1).
    package = Package(descriptor, basepath=str(data_dir))
    report = package.validate()
    problems = []
    resources = {r["name"]: r for r in descriptor["resources"]}
    for task in report.tasks:
        rel = resources.get(task.name, {}).get("path", task.name)
        fields = [f["name"] for f in resources.get(task.name, {}).get("schema", {}).get("fields", [])]
        for err in task.errors:
            d = err.to_dict()
            cells = d.get("cells") or []
            ref = None
            if "ref" in fields and fields.index("ref") < len(cells):
                try:
                    ref = int(cells[fields.index("ref")])
                except (TypeError, ValueError):
                    ref = None
            column = d.get("fieldName") or d.get("label") or None
            if err.type == "foreign-key":
                column = ", ".join(f["fields"][0] for f in resources[task.name]["schema"].get("foreignKeys", [])
                                   if f["fields"][0] in d.get("note", "")) or None
            if err.type == "constraint-error":
                text = _constraint_text(d.get("note", ""), d.get("cell"))
            elif err.type in _ERROR_TEXT:
                ftype = ""
                if column in fields:
                    ftype = resources[task.name]["schema"]["fields"][fields.index(column)]["type"]
                text = _ERROR_TEXT[err.type].format(cell=d.get("cell"), type=ftype, note=d.get("note", ""), field=column)
            else:
                text = d.get("message", err.type)
            problems.append(Problem(rel, err.type, text, row=d.get("rowNumber"), ref=ref, column=column))
    return problems


# --------------------------------------------------------------------------- stage 3 input


def _read_table(data_dir: Path, resource: dict) -> pd.DataFrame:
    """Read one CSV as typed columns, as the data dictionary declares them."""
    path = data_dir / resource["path"]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for f in resource["schema"]["fields"]:
        name, ftype = f["name"], f["type"]
        cells = [None if v == "" else v for v in df[name].tolist()]
        if ftype == "integer":
            df[name] = pd.array([None if v is None else int(v) for v in cells], dtype="Int64")
        elif ftype == "number":
            df[name] = pd.array([None if v is None else float(v) for v in cells], dtype="float64")
        elif ftype == "boolean":
            df[name] = pd.array([None if v is None else v.strip().lower() in ("true", "1") for v in cells], dtype="boolean")
        else:
            df[name] = pd.Series(cells, index=df.index, dtype="str")
    # Spreadsheet row numbers, for messages from the cross-table rules.
    df["csv_row"] = range(2, len(df) + 2)
    return df


def _split_list(value, convert=str):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return [convert(v.strip()) for v in str(value).split(";")]


def _derive(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add the derived columns and set each table's key as its index."""
    studies = tables["studies"].copy()
    refs = tables["references"]
    mods = tables["modalities"]
    studies = studies.merge(mods[["modality", "family"]], on="modality", how="left", validate="m:1")
    studies = studies.merge(
        refs[["ref", "year", "journal", "doi", "first_author"]].rename(columns={"first_author": "reference_first_author"}),
        on="ref",
        how="left",
        validate="1:1",
    )
    studies["lesion_locations"] = studies["lesion_locations"].map(_split_list)
    freq = [parse_frequency(t) for t in studies["frequency"]]
    for attr in ("sessions_per_month_low", "sessions_per_month_high", "total_sessions_low", "total_sessions_high"):
        studies[attr] = [getattr(f, attr) for f in freq]

    durations = tables["durations"].copy()
    for col in ("value", "low", "high"):
        durations[f"{col}_months"] = [to_months(v, u) if u == u and u is not None else math.nan
                                      for v, u in zip(durations[col], durations["unit"], strict=True)]

    diseases = tables["diseases"].merge(
        tables["disease_vocabulary"][["disease", "name", "category"]], on="disease", how="left", validate="m:1"
    )
    adverse = tables["adverse_events"].copy()
    adverse["refs"] = adverse["refs"].map(lambda v: _split_list(v, int) or [])

    out = dict(tables)
    out.update(studies=studies, durations=durations, diseases=diseases, adverse_events=adverse)
    keys = {
        "studies": "ref", "outcomes": "ref", "diseases": "ref", "durations": "ref", "references": "ref",
        "adverse_events": "event_id", "modalities": "modality", "families": "family",
        "disease_vocabulary": "disease", "disease_categories": "category", "table2": "modality",
        "jbi_questions": ["checklist", "question"],
        "prisma": "box",
    }
    for name, key in keys.items():
        out[name] = out[name].drop(columns="csv_row").set_index(key)
    return out


CACHE_DIR = paths.PROJECT_ROOT / ".cache"


def helpers_digest() -> str:
    """SHA-256 of the helpers package's code and templates: changes whenever any of them does."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".json") and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _cache_key(data_dir: Path) -> str:
    """Data checksum + the helpers' code + the library versions: any change gives a new key."""
    import pandas
    import sys

    h = hashlib.sha256()
    h.update(data_checksum(data_dir).encode())
    h.update(paths.DATA_PACKAGE.read_bytes())
    h.update(helpers_digest().encode())
    h.update(f"{sys.version}|{pandas.__version__}".encode())
    return h.hexdigest()


def load_review(data_dir: Path | str | None = None, cache: bool = True) -> Review:
    """Load and validate the review's data (cached: see ``cache``).

    ``cache=True`` keeps the validated review in ``.cache/`` under a key made of the data
    checksum, the data dictionary, the helpers' code and the library versions, so that
    the report's notebooks validate a data folder once, not once each. Any change to any of
    these gives a new key, and the data are validated again.
    """
    import pickle

    resolved = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    if cache and resolved.is_dir():
        key = _cache_key(resolved)
        entry = CACHE_DIR / f"review-{key[:32]}.pickle"
        if entry.is_file():
            try:
                review = pickle.loads(entry.read_bytes())
                review.data_dir = resolved
                return review
            except Exception:  # a stale or unreadable entry is rebuilt below
                entry.unlink(missing_ok=True)
        review = _load_review(resolved)
        try:
            CACHE_DIR.mkdir(exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(review))
            os.replace(tmp, entry)
        except OSError:
            pass
        return review
    return _load_review(resolved)


def _load_review(data_dir: Path | str | None = None) -> Review:
    """Load and validate the review's data.

    Parameters
    ----------
    data_dir : path-like, optional
        Folder holding the tables the data dictionary describes (``studies.csv``,
        ``outcomes.csv``, ...). Defaults to the project's ``data/``. The folder is
        always validated against the project's data dictionary
        (``data/datapackage.yaml``); a folder with a different copy of the dictionary is
        rejected, so a data folder cannot loosen its own rules.

    Returns
    -------
    Review
        The validated tables as DataFrames, each keyed by ``ref`` where it describes
        studies.

    Raises
    ------
    DataValidationError
        When the folder is missing, a file is missing, empty or not UTF-8, a value
        breaks the data dictionary, or a cross-table rule is broken. The message names
        the file, row, study, column and rule of every problem found.
    """
    from .validation import check_rules, findings

    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    if not data_dir.is_dir():
        raise DataValidationError(
            [Problem(str(data_dir), "data folder exists", "no such folder; pass the folder holding studies.csv and the other tables")]
        )
    descriptor = read_descriptor()
    own = data_dir / "datapackage.yaml"
    if own.is_file() and own.resolve() != paths.DATA_PACKAGE.resolve() and own.read_bytes() != paths.DATA_PACKAGE.read_bytes():
        raise DataValidationError(
            [Problem("datapackage.yaml", "one data dictionary",
                     f"differs from the project's data dictionary ({paths.DATA_PACKAGE}); "
                     "change the project's dictionary, or remove this copy")]
        )
    resources = {r["name"]: r for r in descriptor["resources"]}

    for stage in (lambda: _check_files(data_dir, resources), lambda: _schema_problems(data_dir, descriptor)):
        problems = stage()
        if problems:
            raise DataValidationError(problems, source=f"data in {data_dir}")

    tables = {name: _read_table(data_dir, resources[name]) for name in TABLES}
    problems = check_rules(tables, resources)
    if problems:
        raise DataValidationError(problems, source=f"data in {data_dir}")

    derived = _derive(tables)
    return Review(
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
        paper_table2=derived["table2"],
        jbi_questions=derived["jbi_questions"],
        prisma=derived["prisma"],
        findings=findings(tables),
        data_dir=data_dir,
        checksum=data_checksum(data_dir),
    )
