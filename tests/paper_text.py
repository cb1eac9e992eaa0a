"""Read Table 1 and the reference list straight from the paper's text.

Independent of ``helpers`` on purpose: the transcription tests compare what this
parser finds in ``data/raw/nowaczyk-2021-full-text.txt`` with the structured data, so a
transcription error cannot hide behind shared code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "nowaczyk-2021-full-text.txt"


@dataclass
class Table1Row:
    heading: str
    author: str
    ref: int
    cells: list[str]
    footnotes: list[str] = field(default_factory=list)


def text() -> str:
    return RAW.read_text(encoding="utf-8")


def table1_rows() -> list[Table1Row]:
    """Every study row of Table 1, in printed order, with its group heading."""
    lines = text().splitlines()
    rows: list[Table1Row] = []
    heading = None
    inside = False
    for line in lines:
        if line.startswith("First author (publication year)\t"):
            inside = True
            continue
        if line.startswith("CR complete response"):
            break
        if line.startswith("Table 1 (continued)"):
            inside = False
        if not inside or not line.strip():
            continue
        cells = line.split("\t")
        if not cells[0].strip():  # the wrapped "1/2 pain reduction" line
            extra = [c for c in cells if c.strip()]
            rows[-1].cells[8] += " " + " ".join(extra)
            continue
        if all(not c.strip() for c in cells[1:]):
            heading = cells[0].strip()
            continue
        m = re.fullmatch(r"(.+?) \[(\d+)\]((?: \^[a-z])*)", cells[0].strip())
        assert m, f"cannot read the first cell of {line!r}"
        rows.append(
            Table1Row(
                heading,
                m.group(1),
                int(m.group(2)),
                [c.strip() for c in cells],
                re.findall(r"\^([a-z])", m.group(3)),
            )
        )
    return rows


def reference_entries() -> dict[int, str]:
    """The 65 reference entries by number (1-33 are unnumbered bullets, in order)."""
    body = text().split("\nReferences\n", 1)[1]
    entries: dict[int, str] = {}
    bullet = 0
    for line in body.splitlines():
        if line.startswith("- "):
            bullet += 1
            entries[bullet] = line[2:]
        elif m := re.match(r"(\d+)\. (.*)", line):
            entries[int(m.group(1))] = m.group(2)
    return entries


def normalise_cell(cell: str) -> str:
    """Compare cells by meaning, not typography.

    Drops footnote markers and the word "range", ignores case and the space after
    "<"/">", prints numbers without trailing zeros ("4.0" is "4"), and drops a unit
    repeated inside a range's brackets ("1 week (3–4 weeks)" is "1 week (3–4)").
    """
    c = re.sub(r"\s*\^[a-z]\b", "", cell)
    c = c.replace("range ", "").lower()
    c = re.sub(r"([<>]) ", r"\1", c)
    c = re.sub(r"\d+(?:\.\d+)?", lambda m: f"{float(m.group()):g}", c)
    c = re.sub(r"^(.*\b(?:weeks?|years?)\b.*\([^()]*?) (?:weeks|years)\)$", r"\1)", c)
    return " ".join(c.split())


_RESPONSE = {
    "CR": "complete_response",
    "PR": "partial_response",
    "NR": "no_response",
    "UR": "unknown_response",
}


def outcome_facts(cell: str, n_cases: int) -> dict[str, object]:
    """The facts an outcomes cell states: counts per category, pain and mobility.

    A response label without a count ("NR" for a 7-case study) counts for every case;
    a pain or mobility label without a count counts 1 in a single-patient study and is
    "uncounted" otherwise.
    """
    facts: dict[str, object] = {}
    rest = cell
    for num, den, lesion, label in re.findall(r"(\d+)/(\d+) (lesions )?(CR|PR|NR|UR)", rest):
        key = ("lesions_" if lesion else "") + _RESPONSE[label]
        facts[key] = int(num)
        if lesion:
            facts["lesions"] = int(den)
    rest = re.sub(r"\d+/\d+ (lesions )?(CR|PR|NR|UR),?", "", rest)
    for label in re.findall(r"\b(CR|PR|NR|UR)\b", rest):
        facts[_RESPONSE[label]] = n_cases
    rest = re.sub(r"\b(CR|PR|NR|UR)\b", "", rest)
    for label, col in (
        ("pain free", "pain_free"),
        ("pain reduction", "pain_reduction"),
        ("regained mobility", "regained_mobility"),
    ):
        if m := re.search(rf"(\d+)/(\d+) {label}", rest):
            facts[col] = int(m.group(1))
            facts["pain_assessed"] = int(m.group(2))
        elif m := re.search(rf"{label}×(\d+)", rest):
            facts[col] = int(m.group(1))
        elif label in rest:
            facts[col] = 1 if n_cases == 1 else "uncounted"
    return facts


def prose(section: str) -> str:
    """The running text of a section (Abstract, Results, Discussion), whitespace folded.

    Table rows, table headings and footnotes, and figure captions are left out, so a
    sentence broken by a table reads as one.
    """
    lines = text().splitlines()
    if section == "Abstract":
        body = [lines[lines.index("Abstract") + 2]]
    else:
        start = lines.index(section)
        end = lines.index({"Results": "Discussion", "Discussion": "Limitations"}[section])
        body = lines[start + 1 : end]
    skip = (
        "Table ",
        "Fig. ",
        "First author",
        "Treatment modality",
        "CR complete",
        "Er:YAG erbium",
        "^",
        "✉",
        "¹",
    )
    kept = [
        ln
        for ln in body
        if ln.strip()
        and "\t" not in ln
        and not ln.startswith(skip)
        and not re.fullmatch(
            r"[A-Z][a-z' ]+|\s*|[\w.]+@[\w.]+|Medical University.*|02-006 Warsaw.*|piotr.*",
            ln.strip(),
        )
    ]
    return " ".join(" ".join(kept).split())


NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"


def numbers(section_text: str):
    """Every number in a text, with its position: digits (9.27, 2500–3000, 81%) and number words.

    Citation brackets ([4, 10, 17]) and references to tables and figures are not numbers
    the paper states.
    """
    masked = re.sub(r"\[[\d,\s–-]+\]", lambda m: " " * len(m.group()), section_text)
    masked = re.sub(r"\b(?:Table|Fig\.) \d+", lambda m: " " * len(m.group()), masked)
    for m in re.finditer(rf"\d+(?:[.,]\d+)*|\b(?:{NUMBER_WORDS})\b", masked, re.I):
        yield m.start(), m.group()
