"""A synthetic review, k times the size of the real one, for scale tests (fixed seed).

:func:`make_review` copies the project's data folder and adds ``factor - 1`` copies of
each study under new reference numbers, in an edition of their own (:data:`EDITION`,
searched when the last edition was, with its PRISMA counts not reported), or in the last
edition when that one is still open. Each copy keeps its study's modality, design, size
and durations; its responses are redrawn from the study's own proportions
(a multinomial with a fixed seed), and its disease becomes the study's first disease for
every patient. The paper's own studies stay, in the paper's edition, so the claims register
still evaluates the paper as it described it.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np

from helpers.data import paths
from helpers.data.printed import RESPONSE_COLUMNS

__all__ = ["EDITION", "FIRST_REF", "SEED", "make_review"]

SEED = 20210624
FIRST_REF = 1000
#: The edition the copies are added in.
EDITION = "synthetic-copies"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _append(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerows(rows)


def make_review(
    dest: Path | str, factor: int, seed: int = SEED, source: Path | None = None
) -> Path:
    """Write a data folder ``factor`` times the size of ``source`` (default: the project's
    data).

    Long: one loop over the copies and studies that writes each copy's rows of every table
    together under one new reference number; split, each table would repeat the loop and the
    numbering.

    Parameters
    ----------
    dest : Path or str
        The folder to write; an existing folder there is removed first.
    factor : int
        How many times the studies appear (at least 1; 1 is a plain copy of ``source``).
        Copies take reference numbers from :data:`FIRST_REF` on.
    seed : int, optional
        Seed of the random generator that redraws each copy's response counts.
    source : Path, optional
        The data folder to copy; None is the project's ``data/``.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    ValueError
        When ``factor`` is less than 1.
    """
    if factor < 1:
        raise ValueError("factor must be at least 1")
    source = Path(source or paths.DATA_DIR)
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    rng = np.random.default_rng(seed)
    tables = {
        name: _rows(dest / f"{name}.csv")
        for name in ("studies", "outcomes", "diseases", "durations", "references")
    }
    by_ref = {name: {} for name in tables}
    for name, (_, rows) in tables.items():
        for row in rows:
            by_ref[name].setdefault(row["ref"], []).append(row)
    new = {name: [] for name in tables}
    ref = FIRST_REF
    edition = _copies_edition(dest) if factor > 1 else EDITION
    categories = list(RESPONSE_COLUMNS)
    for copy in range(1, factor):
        for study in tables["studies"][1]:
            old = study["ref"]
            n = int(study["n_cases"])
            new["studies"].append(
                study
                | {
                    "ref": str(ref),
                    "edition": edition,
                    "first_author": f"Synthetic{copy}",
                    "provenance": f"synthetic copy {copy} of study {old}",
                    "note": "",
                }
            )
            new["references"].append(
                by_ref["references"][old][0]
                | {
                    "ref": str(ref),
                    "edition": edition,
                    "authors": f"Synthetic{copy} A",
                    "first_author": f"Synthetic{copy}",
                    "doi": "",
                    "title": f"Synthetic copy {copy} of reference {old}",
                    "note": "",
                    "provenance": "synthetic",
                }
            )
            o = by_ref["outcomes"][old][0]
            if o["response_unit"] == "patients":
                p = np.array([float(o[c]) for c in categories]) + 0.25
                counts = rng.multinomial(n, p / p.sum())
                o = (
                    o
                    | dict(zip(categories, map(str, counts), strict=True))
                    | {"response_source": "table1"}
                )
            new["outcomes"].append(
                o | {"ref": str(ref), "note": o["note"] or "synthetic", "provenance": "synthetic"}
            )
            first = by_ref["diseases"][old][0]
            new["diseases"].append(
                first
                | {
                    "ref": str(ref),
                    "n_patients": str(n),
                    "count_printed": "true",
                    "provenance": "synthetic",
                    "note": "",
                }
            )
            for d in by_ref["durations"][old]:
                new["durations"].append(d | {"ref": str(ref), "provenance": "synthetic"})
            ref += 1
    for name, (header, _) in tables.items():
        _append(dest / f"{name}.csv", header, new[name])
    return dest


def _copies_edition(dest: Path) -> str:
    """The edition the copies go in: the last, if it is open (only the last may be); else a
    new one after it (:data:`EDITION`), searched when the last was (or was published), so the
    copies' years, the originals', are within it, and its PRISMA flow not reported."""
    header, editions = _rows(dest / "editions.csv")
    last = max(editions, key=lambda e: int(e["order"]))
    if last["status"] == "open":
        return last["edition"]
    _append(
        dest / "editions.csv",
        header,
        [
            {
                "edition": EDITION,
                "order": str(int(last["order"]) + 1),
                "title": "Synthetic copies of the studies (a scale test)",
                "search_date": last["search_date"] or last["published"],
                "published": "",
                "status": "open",
                "provenance": "synthetic",
                "note": "",
            }
        ],
    )
    header, flow = _rows(dest / "prisma.csv")
    rows = [
        row | {"edition": EDITION, "count": "", "provenance": "synthetic", "note": ""}
        for row in flow
        if row["edition"] == last["edition"]
    ]
    _append(dest / "prisma.csv", header, rows)
    return EDITION
