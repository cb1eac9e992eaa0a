"""Appraisal files: a reviewer's JBI answers per study and question, read and checked.

The per-study appraisals are in the paper's supplement, which is not available, so the
project ships none. A reviewer who has them (or makes them) writes an appraisal file, one
row per study and question (``ref,question,answer``, optionally ``note``), and passes its
path to notebook 02.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.data.errors import DataValidationError, Problem
from helpers.data.loader import Review
from helpers.data.paths import project_path
from helpers.data.readers import MAX_TABLE_BYTES, read_csv, read_text
from helpers.data.values import cell_problem, text_problem

__all__ = ["ANSWERS", "APPRAISAL_COLUMNS", "CHECKLIST_FOR_DESIGN", "load_appraisals"]

ANSWERS = ("yes", "no", "unclear", "not_applicable")


#: The checklist for each study design.
CHECKLIST_FOR_DESIGN = {
    "case_report": "case_report",
    "case_series": "case_series",
    "controlled_trial": "controlled_trial",
}


APPRAISAL_COLUMNS = ("ref", "question", "answer")


def load_appraisals(path: Path | str, review: Review) -> pd.DataFrame:
    """Read and check an appraisal file: ``ref,question,answer`` (and optionally ``note``).

    Every row names an included study, a question of that study's checklist and one of
    :data:`ANSWERS`; every appraised study answers each question of its checklist exactly
    once.

    Long: one pass from the file to the checked table that collects every problem (file,
    columns, each row, each study's missing answers) into the one list raised at the end;
    split, that list and the file's name would be passed between the parts.

    Parameters
    ----------
    path : Path or str
        The appraisal file (UTF-8 CSV, at most :data:`~helpers.data.readers.MAX_TABLE_BYTES`),
        relative to the project root or absolute (:func:`helpers.data.paths.project_path`),
        whatever the current directory.
    review : Review
        The loaded review: its studies' ``design`` picks each study's checklist
        (:data:`CHECKLIST_FOR_DESIGN`), its ``jbi_questions`` the questions.

    Returns
    -------
    DataFrame
        One row per answer, in the file's order, with columns ``ref`` (int), ``checklist``,
        ``question`` (int) and ``answer`` (one of :data:`ANSWERS`: the file's answer lower
        case, spaces as underscores). A ``note`` column is read and checked but not kept.

    Raises
    ------
    DataValidationError
        Naming file, row, study and column of every problem.
    """

    path = project_path(path)
    name = path.name
    text, problem = read_text(path, name, MAX_TABLE_BYTES)
    if problem:
        raise DataValidationError([problem], source="appraisals")
    table, problems = read_csv(text, name)
    if table is None or problems:
        raise DataValidationError(problems, source="appraisals")
    missing = [c for c in APPRAISAL_COLUMNS if c not in table.header]
    unknown = [c for c in table.header if c not in APPRAISAL_COLUMNS + ("note",)]
    repeated = [c for c in dict.fromkeys(table.header) if table.header.count(c) > 1]
    if missing or unknown or repeated or not table.rows:
        what = (
            f"column {missing[0]!r} is missing"
            if missing
            else f"column {unknown[0]!r} is not one of {', '.join(APPRAISAL_COLUMNS + ('note',))}"
            if unknown
            else f"column {repeated[0]!r} appears more than once"
            if repeated
            else "the file has no rows"
        )
        raise DataValidationError(
            [
                Problem(
                    name,
                    "columns",
                    f"needs a header with {', '.join(APPRAISAL_COLUMNS)} and rows: {what}",
                    row=1,
                    column=(missing or unknown or repeated or [None])[0],
                )
            ],
            source="appraisals",
        )
    rows = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        if len(cells) != len(table.header):
            problems.append(
                Problem(
                    name,
                    "row as long as the header",
                    f"row has {len(cells)} cells, the header {len(table.header)} columns",
                    number,
                )
            )
            continue
        r = dict(zip(table.header, cells, strict=True))
        dirty = next(((c, text_problem(v)) for c, v in r.items() if text_problem(v)), None)
        if dirty:
            problems.append(
                Problem(name, "clean text", f"value {dirty[1]}", number, None, dirty[0])
            )
            continue
        rows.append((number, r))
    qs = review.jbi_questions
    design = review.studies["design"]
    seen, clean = set(), []
    for i, r in rows:
        ref_text = r["ref"]
        ref = int(ref_text) if ref_text and cell_problem(ref_text, "integer") is None else None
        if ref is None or ref not in design.index:
            problems.append(
                Problem(
                    name, "study included", f"{ref_text!r} is not an included study", i, ref, "ref"
                )
            )
            continue
        checklist = CHECKLIST_FOR_DESIGN[design[ref]]
        q_text = r["question"]
        q = int(q_text) if q_text and cell_problem(q_text, "integer") is None else None
        if q is None or (checklist, q) not in qs.index:
            n = len(qs.loc[checklist])
            problems.append(
                Problem(
                    name,
                    "question of the checklist",
                    f"{q_text!r} is not a question of the {checklist} checklist (1 to {n})",
                    i,
                    ref,
                    "question",
                )
            )
            continue
        answer = r["answer"].lower().replace(" ", "_")
        if answer not in ANSWERS:
            problems.append(
                Problem(
                    name,
                    "answer allowed",
                    f"{r['answer']!r} is not one of {', '.join(ANSWERS)}",
                    i,
                    ref,
                    "answer",
                )
            )
            continue
        if (ref, q) in seen:
            problems.append(
                Problem(
                    name,
                    "one answer per question",
                    f"question {q} is answered twice",
                    i,
                    ref,
                    "question",
                )
            )
            continue
        seen.add((ref, q))
        clean.append({"ref": ref, "checklist": checklist, "question": q, "answer": answer})
    table = pd.DataFrame(clean, columns=["ref", "checklist", "question", "answer"])
    for ref, part in table.groupby("ref"):
        checklist = part["checklist"].iloc[0]
        expected = set(qs.loc[checklist].index)
        lacking = sorted(int(q) for q in expected - set(part["question"]))
        if lacking:
            problems.append(
                Problem(
                    name,
                    "every question answered",
                    f"questions {lacking} of the {checklist} checklist have no answer",
                    None,
                    int(ref),
                    "question",
                )
            )
    if problems:
        raise DataValidationError(problems, source="appraisals")
    return table
