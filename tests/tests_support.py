"""Test helpers that write data: a synthetic study in an update of a copy of the data folder,
the paper's edition sealed again after a test changed it."""

from __future__ import annotations

import csv
from pathlib import Path

#: The edition the tests add synthetic studies to (created when first needed).
TEST_EDITION = "test-update"


def fill(path: Path, values: dict, where: dict | None = None) -> int:
    """Replace each cell still to fill (``TO FILL``) in the rows matching ``where`` with
    ``values`` (empty where a column is not given: not reported); return the rows touched."""
    from helpers.data.editions import PLACEHOLDER

    rows = read_rows(path)
    header = rows[0]
    touched = 0
    for row in rows[1:]:
        if where and any(row[header.index(c)] != str(v) for c, v in where.items()):
            continue
        if PLACEHOLDER in row:
            touched += 1
            for i, column in enumerate(header):
                if row[i] == PLACEHOLDER:
                    row[i] = str(values.get(column, ""))
    write_rows(path, rows)
    return touched


def close_open_edition(folder: Path) -> None:
    """Close the last edition if it is open (as before starting a new update)."""
    from helpers.data.curation import close_edition

    rows = read_rows(folder / "editions.csv")
    h = rows[0]
    last = max(rows[1:], key=lambda r: int(r[h.index("order")]))
    if last[h.index("status")] == "open":
        close_edition(last[0], folder)


def open_edition(folder: Path, name: str = TEST_EDITION, search_date: str = "2025-12-31") -> str:
    """An open edition of the data folder for new studies (default :data:`TEST_EDITION`),
    created if it is not there by the project's own command function (its PRISMA counts not
    reported), after closing the last edition if that one is open."""
    from helpers.data.curation import new_edition

    rows = read_rows(folder / "editions.csv")
    if name not in [row[0] for row in rows[1:]]:
        close_open_edition(folder)
        new_edition(
            name, f"Synthetic update {name}", search_date, folder, provenance="synthetic test data"
        )
        fill(folder / "prisma.csv", {"provenance": "synthetic test data"}, {"edition": name})
    return name


def reseal(folder: Path, reason: str = "a test changes the paper's rows") -> None:
    """Seal the paper's edition again after a test changed its rows (as a correction would)."""
    from helpers.data.curation import close_edition
    from helpers.data.errors import DataValidationError

    try:
        close_edition(read_rows(folder / "editions.csv")[1][0], folder, reseal=reason)
    except DataValidationError as exc:
        if not all(p.message.startswith("nothing to reseal") for p in exc.problems):
            raise


def fill_study(
    folder: Path,
    ref: int,
    n_cases: int,
    complete: int,
    year: int,
    first_author: str = "Synthetic",
    treatment_duration_months: float | None = None,
    diameter_cm: float | None = None,
) -> None:
    """Fill the cells ``add-study`` left to fill for one synthetic study, as a reviewer would
    from its publication: ``complete`` complete responders, the rest partial; durations not
    reported unless a treatment duration is given."""
    at = {"ref": ref}
    fill(
        folder / "references.csv",
        {
            "authors": f"{first_author} A",
            "first_author": first_author,
            "year": year,
            "title": "A synthetic study for testing",
            "journal": "Test J",
            "provenance": "synthetic test data",
        },
        at,
    )
    fill(
        folder / "studies.csv",
        {
            "first_author": first_author,
            "n_cases": n_cases,
            "publication_type": "full_article",
            "design": "case_series" if n_cases > 1 else "case_report",
            "design_stated": "true",  # its own publication states it
            "control_lesion": "false",
            "frequency": "Once a week",
            "largest_diameter_cm": "" if diameter_cm is None else diameter_cm,
            "provenance": "synthetic test data",
        },
        at,
    )
    fill(
        folder / "outcomes.csv",
        {
            "response_unit": "patients",
            "complete_response": complete,
            "partial_response": n_cases - complete,
            "no_response": 0,
            "unknown_response": 0,
            "response_source": "table1",
            "provenance": "synthetic test data",
        },
        at,
    )
    fill(
        folder / "diseases.csv",
        {
            "disease": "SSc",
            "n_patients": n_cases,
            "count_printed": "true",
            "provenance": "synthetic test data",
        },
        at,
    )
    for measure in ("treatment_duration", "time_to_first_improvement", "follow_up"):
        row = {"status": "not_reported", "provenance": "synthetic test data"}
        if measure == "treatment_duration" and treatment_duration_months is not None:
            row |= {
                "status": "reported",
                "statistic": "median" if n_cases > 1 else "value",
                "value": treatment_duration_months,
                "unit": "months",
            }
        fill(folder / "durations.csv", row, at | {"measure": measure})


def add_study(
    folder: Path,
    modality: str,
    n_cases: int,
    complete: int | None = None,
    treatment_duration_months: float | None = None,
    diameter_cm: float | None = None,
    edition: str = TEST_EDITION,
    year: int = 2025,
) -> int:
    """Add a synthetic study to an update of the review (all patients partial responders
    unless ``complete`` is given); return its reference number.

    As a researcher updating the review would: ``helpers.update``'s functions open the
    edition and write the study's rows in every table, then each cell to fill is filled.
    """
    from helpers.data.curation import add_study as write_study

    complete = 0 if complete is None else complete
    edition = open_edition(folder, edition)
    ref = write_study(edition, folder, modality=modality, first_author="Synthetic")
    fill_study(
        folder, ref, n_cases, complete, year, "Synthetic", treatment_duration_months, diameter_cm
    )
    return ref


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
