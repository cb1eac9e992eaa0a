"""Test helpers that write data: a synthetic extra study in a copy of the data folder."""

from __future__ import annotations

import csv
from pathlib import Path


def _append(path: Path, row: dict) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerow(row)


def add_study(
    folder: Path,
    ref: int,
    modality: str,
    n_cases: int,
    complete: int | None = None,
    treatment_duration_months: float | None = None,
    diameter_cm: float | None = None,
) -> None:
    """Add a synthetic study (all patients partial responders unless ``complete`` is given).

    Writes one row to each table a study needs: references, studies, outcomes,
    diseases and the three durations, as a researcher updating the review would.
    """
    complete = 0 if complete is None else complete
    _append(
        folder / "references.csv",
        {
            "ref": ref,
            "authors": "Synthetic A",
            "first_author": "Synthetic",
            "year": 2021,
            "title": "A synthetic study for testing",
            "journal": "Test J",
            "provenance": "synthetic test data",
        },
    )
    _append(
        folder / "studies.csv",
        {
            "ref": ref,
            "first_author": "Synthetic",
            "modality": modality,
            "n_cases": n_cases,
            "publication_type": "full_article",
            "design": "case_series" if n_cases > 1 else "case_report",
            "design_stated": "false",
            "control_lesion": "false",
            "frequency": "Once a week",
            "largest_diameter_cm": "" if diameter_cm is None else diameter_cm,
            "provenance": "synthetic test data",
        },
    )
    _append(
        folder / "outcomes.csv",
        {
            "ref": ref,
            "response_unit": "patients",
            "complete_response": complete,
            "partial_response": n_cases - complete,
            "no_response": 0,
            "unknown_response": 0,
            "response_source": "table1",
            "provenance": "synthetic test data",
        },
    )
    _append(
        folder / "diseases.csv",
        {
            "ref": ref,
            "disease": "SSc",
            "n_patients": n_cases,
            "count_printed": "true",
            "provenance": "synthetic test data",
        },
    )
    for measure in ("treatment_duration", "time_to_first_improvement", "follow_up"):
        row = {
            "ref": ref,
            "measure": measure,
            "status": "not_reported",
            "provenance": "synthetic test data",
        }
        if measure == "treatment_duration" and treatment_duration_months is not None:
            row |= {
                "status": "reported",
                "statistic": "median" if n_cases > 1 else "value",
                "value": treatment_duration_months,
                "unit": "months",
            }
        _append(folder / "durations.csv", row)


def read_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows, header first, as text."""
    import io

    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write rows as CSV (UTF-8, LF), quoting where needed."""
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def typed_tables(folder: Path | None = None) -> tuple[dict, dict]:
    """A data folder's valid tables as the loader's last stages see them, and
    the data dictionary."""
    from helpers.data import loader
    from helpers.data.dictionary import TABLES, read_descriptor
    from helpers.data.paths import DATA_DIR

    descriptor = read_descriptor()
    resources = {r["name"]: r for r in descriptor["resources"]}
    sources, problems = loader._read_sources(folder or DATA_DIR, resources)
    assert not problems, problems
    return {name: loader._typed_table(sources[name]) for name in TABLES}, descriptor


def allowed(values) -> str:
    """The end of a choice's message, from the constant that defines the choices."""
    return "allowed values: " + ", ".join(map(repr, values))
