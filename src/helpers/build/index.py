"""The index page, the report's front page: the findings first, then every run.

The page opens with what a reviewer asks first, each part read from the files this build's
runs wrote (never typed in): the claims audit's headline (:func:`audit_headline`, from
``claims_audit.csv``), each group's pooled response in the primary analysis
(:func:`pooled_estimates`, from the ``sensitivity/<run>.csv`` whose ``analysis`` says
primary), the sensitivity comparison (:func:`sensitivity_table`), the Summary of Findings
with its GRADE certainty (:func:`summary_of_findings_section`), the multiverse per group
(:func:`multiverse_section`) and what changed since the paper
(:func:`since_the_paper_sections`); then the list of reports. A part no run wrote is
said to be missing, in words."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from helpers.analysis.changes import WHEN
from helpers.analysis.claims import AUDIT_COLUMNS, AUDIT_CSV, STATUSES
from helpers.analysis.pooling import SINGLE_STUDY, interval_text, percent_text, range_text
from helpers.build.config import Run
from helpers.build.execute import RunResult
from helpers.build.files import inside, write_file
from helpers.data.errors import SetupError
from helpers.data.escape import csv_value
from helpers.data.printed import IMPROVEMENT
from helpers.data.values import is_missing
from helpers.report import wording
from helpers.report.headline import (
    HEADLINE_GROUPS,
    PRIMARY,
    SENSITIVITY_FOLDER,
    read_headline,
)
from helpers.report.multiverse import FRONT_PAGE_COLUMNS as MULTIVERSE_COLUMNS
from helpers.report.multiverse import MULTIVERSE_CSV, MULTIVERSE_SUMMARY_CSV, read_summary
from helpers.report.multiverse import front_page_rows as multiverse_rows
from helpers.report.paper_page import PAGE_NAME
from helpers.report.params import parameters_in_words
from helpers.report.since_the_paper import SINCE_THE_PAPER_CSV, read_since_the_paper
from helpers.report.summary_of_findings import SOF_FILE
from helpers.report.summary_of_findings import front_page_rows as summary_of_findings_rows

if TYPE_CHECKING:  # for annotations only: the module is imported where it is used
    import pandas as pd

__all__ = [
    "QUOTE_CHARS",
    "SINCE_COLUMNS",
    "STATUS_MEANINGS",
    "VERSION_WORDS",
    "audit_headline",
    "multiverse_section",
    "pooled_estimates",
    "sensitivity_table",
    "since_the_paper_sections",
    "summary_of_findings_section",
    "write_index",
]

#: What each of the audit's statuses means, as the front page explains it (the words of
#: notebook 06's introduction; each status's own words are helpers.report.wording').
STATUS_MEANINGS = {
    "reproduced": "the data give the printed number",
    "circular": "the data give it only through a value inferred from the paper itself",
    "discrepancy": "the data give a different number",
    "not_computable": "the paper does not give the data needed",
}

#: The longest quote the front page prints in a discrepancy's line (the whole is its title).
QUOTE_CHARS = 110


def _artifacts(output_dir: Path, results: list[RunResult], name: str):
    """Each (run, path) of a file called ``name`` among the runs' artifacts, in build order.

    A path outside the output folder is left out.
    """
    for r in results:
        for artifact in (r.files or {}).get("artifacts", []):
            if artifact.rsplit("/", 1)[-1] != name:
                continue
            try:
                yield r, artifact, inside(output_dir, output_dir / artifact)
            except SetupError:
                continue


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut at the last word boundary before ``limit`` characters, with "…".

    >>> _shorten("one two three", 9)
    'one two…'
    """
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"


def _text(value) -> str:
    """A cell read back from a file of this project, as the text it held ("" when empty)."""
    return "" if is_missing(value) else str(csv_value(value))


def audit_headline(output_dir: Path, results: list[RunResult]) -> dict:
    """The claims audit's headline: counts by status and each discrepancy in one line.

    Read from the first ``claims_audit.csv`` (:data:`helpers.analysis.claims.AUDIT_CSV`)
    among the runs' artifacts, in build order.

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order.

    Returns
    -------
    dict
        ``state``: ``"ok"``, ``"missing"`` (no run wrote the file) or ``"unreadable"``
        (with ``problem``). When ok: ``title`` (the run's title), ``report`` (a link to its
        reviewer page), ``csv`` (a link to the file), ``total``, ``counts`` (one dict per
        status of :data:`~helpers.analysis.claims.STATUSES`, in that order, then any other
        status the file holds: ``status``, ``words``, ``meaning``, ``count``) and
        ``discrepancies`` (one dict per discrepancy in the audit's order: ``section``,
        ``reported``, ``recomputed``, ``quote`` shortened, ``full_quote``, ``href`` to its
        row ``#claim-<claim_id>`` of the reviewer page, ``sentence`` to its sentence on the
        paper's page, or "" where the file or the page lacks it). Texts are not escaped: the
        template escapes them.
    """
    import pandas as pd  # imported here: the command line starts without it

    for r, artifact, path in _artifacts(output_dir, results, AUDIT_CSV):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            return {"state": "unreadable", "problem": f"{artifact}: {exc}"}
        missing = [c for c in AUDIT_COLUMNS if c not in frame.columns]
        if missing:
            return {
                "state": "unreadable",
                "problem": f"{artifact} has no column(s) {', '.join(missing)}",
            }
        frame = frame.map(_text)
        order = list(STATUSES) + [s for s in dict.fromkeys(frame["status"]) if s not in STATUSES]
        counts = frame["status"].value_counts()
        report = _href((r.files or {}).get("reviewer", ""))
        return {
            "state": "ok",
            "title": r.title or r.name,
            "report": report,
            "csv": _href(artifact),
            "paper": PAGE_NAME if (output_dir / PAGE_NAME).is_file() else "",
            "total": len(frame),
            "counts": [
                {
                    "status": status,
                    "words": wording.spell_out(str(wording.term(status))),
                    "meaning": STATUS_MEANINGS.get(status, ""),
                    "count": int(counts.get(status, 0)),
                }
                for status in order
            ],
            "discrepancies": [
                {
                    "section": row.section,
                    "reported": row.reported,
                    "recomputed": row.recomputed,
                    "quote": _shorten(row.quote),
                    "full_quote": row.quote,
                    "href": f"{report}#{quote('claim-' + row.claim_id, safe='')}" if report else "",
                    "sentence": f"{PAGE_NAME}#{quote(row.sentence, safe='')}"
                    if getattr(row, "sentence", "") and (output_dir / PAGE_NAME).is_file()
                    else "",
                }
                for row in frame[frame["status"] == "discrepancy"].itertuples(index=False)
            ],
        }
    return {"state": "missing"}


def _headlines(output_dir: Path, results: list[RunResult]):
    """Each (run, frame) of the runs' sensitivity summaries that can be read and pool a group."""
    for r in results:
        for artifact in (r.files or {}).get("artifacts", []):
            if f"/{SENSITIVITY_FOLDER}/" not in artifact or not artifact.endswith(".csv"):
                continue
            try:
                # every text as written ("NA" or "None" is a label, not a missing value)
                frame = read_headline(inside(output_dir, output_dir / artifact))
            except (OSError, ValueError, SetupError):
                continue
            if frame.empty:  # the run pooled no group
                continue
            # the file is neutralised for spreadsheets; the index shows the text
            yield r, frame.map(csv_value)


def _counts(row) -> str:
    """``"9 studies, 39/53"``: a row's studies and events out of patients."""
    k = int(row["k"])
    return f"{k} stud{'y' if k == 1 else 'ies'}, {int(row['events'])}/{int(row['n'])}"


def pooled_estimates(output_dir: Path, results: list[RunResult]) -> dict:
    """Each group's pooled response in the primary analysis, for the front page.

    The primary analysis is the first run, in build order, whose sensitivity summary says
    so (``analysis`` :data:`helpers.report.headline.PRIMARY`: every choice the paper's and
    the default model), never a run known by its name.

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order.

    Returns
    -------
    dict
        ``state`` ``"ok"`` or ``"missing"``. When ok: ``title`` and ``report`` (the run's
        title and a link to its reviewer page) and ``rows``, one per group in the file's
        order (modalities, then families): ``group``, ``family`` (whether it is a family of
        modalities), ``studies``, ``patients``, ``responders``, ``crude`` (a percentage),
        ``estimate`` ("73.1% (60.2–83.0%)": the estimate and its 95% CI), ``pi`` (the
        prediction interval), ``model`` and ``mark`` (the number of its note, or None);
        percentages have one decimal, "–" where there is none. A single study says
        "single study, not pooled", a model not estimable "not estimable". ``notes``: one
        dict per fit's note (``mark``, ``group``, ``note``), single studies aside.
    """
    for r, frame in _headlines(output_dir, results):
        if "analysis" not in frame.columns or not (frame["analysis"] == PRIMARY).any():
            continue
        rows, notes = [], []
        for (_kind, _key), part in frame.groupby(["kind", "key"], sort=False):
            crude = part[part["method"] == "crude"]
            model = part[part["method"] != "crude"]
            if model.empty:
                continue
            m = model.iloc[0]
            single = m["model"] == SINGLE_STUDY
            estimable = not single and str(m["converged"]) == "True"
            note = "" if single else _text(m.get("note", ""))
            if note:
                notes.append({"mark": len(notes) + 1, "group": str(m["group"]), "note": note})
            rows.append(
                {
                    "group": str(m["group"]),
                    "family": m["kind"] == "family",
                    "studies": int(m["k"]),
                    "patients": int(m["n"]),
                    "responders": int(m["events"]),
                    "crude": percent_text(crude.iloc[0]["proportion"]) if not crude.empty else "–",
                    "estimate": interval_text(m["proportion"], m["ci_low"], m["ci_high"])
                    if estimable
                    else ("single study, not pooled" if single else "not estimable"),
                    "pi": range_text(m["pi_low"], m["pi_high"]) if estimable else "–",
                    "model": "–" if single else str(m["model"]),
                    "mark": notes[-1]["mark"] if note else None,
                }
            )
        return {
            "state": "ok",
            "title": r.title or r.name,
            "report": _href((r.files or {}).get("reviewer", "")),
            "rows": rows,
            "notes": notes,
        }
    return {"state": "missing"}


def sensitivity_table(output_dir: Path, results: list[RunResult]) -> pd.DataFrame | None:
    """The headline estimates of every run that wrote ``sensitivity/<run>.csv``, side by side.

    Rows are (group, method) for the groups of :data:`helpers.report.headline.HEADLINE_GROUPS`
    in that order, columns the runs in build order, cells a percentage with its 95% CI
    (one decimal), the studies and events/n, and the model where it is not the crude one;
    or "single study, not pooled", or "not estimable".

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order; a file that cannot be read is left out.

    Returns
    -------
    DataFrame or None
        Index (``group``, ``method``): the group's label and the role of the row (crude or
        primary model); one column per run that pooled a group, named after the run (its
        report name, unique in a build); each cell the text shown, e.g.
        ``"73.6% (59.7–84.7%); 9 studies, 39/53; GLMM"``. None when no run wrote a
        sensitivity summary with a headline group.
    """
    import pandas as pd  # imported here: the command line starts without it

    wanted = {g: i for i, g in enumerate(HEADLINE_GROUPS)}
    frames = []
    # one column per report run: its name is unique, a notebook's run_name need not be
    for r, frame in _headlines(output_dir, results):
        keep = [(k, g) in wanted for k, g in zip(frame["kind"], frame["key"], strict=True)]
        if any(keep):
            frames.append(frame[keep].assign(run=r.name))
    if not frames:
        return None
    data = pd.concat(frames, ignore_index=True)

    def cell(r):
        model = r.get("model", "")
        model = f"; {model}" if isinstance(model, str) and model and model not in ("crude",) else ""
        if r.get("model") == SINGLE_STUDY:
            return f"single study, not pooled; {_counts(r)}"
        if str(r["converged"]) != "True" or is_missing(r["proportion"]):
            return f"not estimable; {_counts(r)}{model}"
        return f"{interval_text(r['proportion'], r['ci_low'], r['ci_high'])}; {_counts(r)}{model}"

    data["cell"] = data.apply(cell, axis=1)
    # rows by the group's key (labels need not be unique), shown by its label
    table = data.pivot_table(
        index=["kind", "key", "method"], columns="run", values="cell", aggfunc="first", sort=False
    )
    # the groups in the order of HEADLINE_GROUPS, each group's rows in the files' order
    roles = list(dict.fromkeys(data["method"]))
    table = table.iloc[
        sorted(
            range(len(table)),
            key=lambda i: (wanted[table.index[i][:2]], roles.index(table.index[i][2])),
        )
    ]
    labels = data.drop_duplicates(["kind", "key"]).set_index(["kind", "key"])["group"]
    table.index = pd.MultiIndex.from_tuples(
        [(labels[(k, g)], m) for k, g, m in table.index], names=["group", "method"]
    )
    return table[list(dict.fromkeys(data["run"]))]


#: The columns of the front page's then-and-now table.
SINCE_COLUMNS = [
    "Therapy",
    "Studies",
    "Patients",
    "Responders",
    "Pooled response (95% CI), paper",
    "Pooled response (95% CI), now",
    "Added since the paper",
]


def _then_now(then, now) -> str:
    """``"13"`` when nothing changed, else ``"13 → 16 (+3)"``."""
    if then == now:
        return str(then)
    return f"{then} → {now}" + (
        f" ({int(now) - int(then):+d})" if str(then).isdigit() and str(now).isdigit() else ""
    )


def _pooled_then(row, when: str) -> str:
    """A modality's pooled response at one edition, as the front page prints it."""
    model = _text(row[f"model_{when}"])
    if not model:
        return "–"
    if model == SINGLE_STUDY:
        return "single study, not pooled"
    if is_missing(row[f"proportion_{when}"]):
        return f"not estimable ({model})"
    estimate = interval_text(
        row[f"proportion_{when}"], row[f"ci_low_{when}"], row[f"ci_high_{when}"]
    )
    return f"{estimate}; {model}"


def since_the_paper_sections(output_dir: Path, results: list[RunResult]) -> list[dict]:
    """The then-and-now table of every run that wrote ``since_the_paper.csv`` (notebook 07).

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order; a file that cannot be read is left out.

    Returns
    -------
    list of dict
        One per such run, in build order: ``run`` and ``title`` (its name and title),
        ``paper`` and ``now`` (the editions compared), ``same`` (whether they are one
        edition, so nothing was added), ``columns`` (:data:`SINCE_COLUMNS`) and ``rows``
        (per modality: its label, studies, patients and responders at the paper's edition
        and now, "13 → 16 (+3)" where they changed; the pooled response at each, as
        percentages with one decimal; the studies added). Texts are not escaped: the
        template escapes them. Empty when no run wrote the file.
    """
    sections = []
    for r, _, path in _artifacts(output_dir, results, SINCE_THE_PAPER_CSV):
        try:
            frame = read_since_the_paper(path)
        except (OSError, ValueError, SetupError):
            continue
        if frame.empty:
            continue
        paper, now = WHEN
        rows = []
        for _, row in frame.iterrows():
            responders = {
                w: f"{sum(int(row[f'{k}_{w}']) for k in IMPROVEMENT)}/{int(row[f'patients_{w}'])}"
                for w in WHEN
            }
            rows.append(
                [
                    _text(row["label"]),
                    _then_now(int(row[f"studies_{paper}"]), int(row[f"studies_{now}"])),
                    _then_now(int(row[f"patients_{paper}"]), int(row[f"patients_{now}"])),
                    _then_now(responders[paper], responders[now]),
                    _pooled_then(row, paper),
                    _pooled_then(row, now),
                    _text(row["added"]),
                ]
            )
        sections.append(
            {
                "run": r.name,
                "title": r.title or r.name,
                "paper": _text(frame[f"edition_{paper}"].iloc[0]),
                "now": _text(frame[f"edition_{now}"].iloc[0]),
                "same": frame[f"edition_{paper}"].iloc[0] == frame[f"edition_{now}"].iloc[0],
                "columns": SINCE_COLUMNS,
                "rows": rows,
            }
        )
    return sections


def _first_table(output_dir: Path, results: list[RunResult], name: str, read) -> dict:
    """The first readable file called ``name`` among the runs' artifacts, as the page's table.

    ``read(path)`` turns the file into ``(columns, rows)``; a file it cannot read (a
    ``ValueError``, a file gone) is passed over for the next run's. Returns ``state``
    ``"missing"`` when no run wrote one it can read; else ``state`` ``"ok"``, ``title`` and
    ``report`` (the run's title and a link to its reviewer page), ``csv`` (a link to the
    file), ``artifact`` (its path in the output folder), ``columns`` and ``rows`` (texts,
    not escaped: the template escapes them).
    """
    for r, artifact, path in _artifacts(output_dir, results, name):
        try:
            columns, rows = read(path)
        except (OSError, ValueError, KeyError, SetupError):
            continue
        return {
            "state": "ok",
            "title": r.title or r.name,
            "report": _href((r.files or {}).get("reviewer", "")),
            "csv": _href(artifact),
            "artifact": artifact,
            "columns": [str(c) for c in columns],
            "rows": [[_text(v) for v in row] for row in rows],
        }
    return {"state": "missing"}


def summary_of_findings_section(output_dir: Path, results: list[RunResult]) -> dict:
    """The Summary of Findings' response rows with their GRADE certainty, for the front page.

    Read from the first ``summary_of_findings.csv``
    (:data:`helpers.report.summary_of_findings.SOF_FILE`, notebook 08) among the runs'
    artifacts, in build order, by
    :func:`helpers.report.summary_of_findings.front_page_rows`: one row per therapy and
    outcome (response and complete response), with its studies and patients, the estimate
    with its 95% CI and the certainty with the domains rated down.

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order.

    Returns
    -------
    dict
        See :func:`_first_table`.
    """

    def read(path):
        frame = summary_of_findings_rows(path)
        return list(frame.columns), frame.itertuples(index=False)

    return _first_table(output_dir, results, SOF_FILE, read)


def multiverse_section(output_dir: Path, results: list[RunResult]) -> dict:
    """The multiverse's summary per group, for the front page.

    Read from the first ``multiverse_summary.csv``
    (:data:`helpers.report.multiverse.MULTIVERSE_SUMMARY_CSV`, notebook 09) among the runs'
    artifacts, in build order, by :func:`helpers.report.multiverse.front_page_rows`: one
    row per group with its specifications, those not estimable, the median estimate with its
    range, the shares of intervals above and below 50% and the choice that moves the
    estimate most.

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order.

    Returns
    -------
    dict
        See :func:`_first_table`; ``table`` links the table of every specification
        (:data:`helpers.report.multiverse.MULTIVERSE_CSV`) beside it.
    """
    section = _first_table(
        output_dir,
        results,
        MULTIVERSE_SUMMARY_CSV,
        lambda path: (MULTIVERSE_COLUMNS, multiverse_rows(read_summary(path))),
    )
    if section["state"] == "ok":
        table = f"{section.pop('artifact').rsplit('/', 1)[0]}/{MULTIVERSE_CSV}"
        section["table"] = _href(table) if (output_dir / table).is_file() else ""
    return section


def _href(relative: str) -> str:
    """A link to a file of the output folder (each path component percent-encoded)."""
    return "/".join(quote(part) for part in relative.split("/"))


#: How the page names each file of a run (:attr:`helpers.build.config.Run.files`).
VERSION_WORDS = {
    "reviewer": "reviewer version",
    "full": "full version (with code)",
    "notebook": "notebook",
    "pdf": "PDF",
}


def _comparison(table: pd.DataFrame, results: list[RunResult]) -> dict:
    """The sensitivity table as the page shows it: one row per run (its title, a link to its
    report), one column per group, each cell the primary model's estimate over the crude one."""
    by_name = {r.name: r for r in results}
    groups = list(dict.fromkeys(table.index.get_level_values("group")))
    runs = []
    for name in table.columns:
        r = by_name[name]
        cells = []
        for group in groups:
            cell = {}
            for (g, method), value in table[name].items():
                if g == group and isinstance(value, str):
                    cell["crude" if method == "crude" else "model"] = value
            cells.append(cell)
        runs.append(
            {
                "title": r.title or r.name,
                "report": _href((r.files or {}).get("reviewer", "")),
                "settings": parameters_in_words(r.parameters),
                "cells": cells,
            }
        )
    return {"groups": groups, "runs": runs}


def write_index(
    results: list[RunResult], output_dir: Path, checksum: str, built: _dt.datetime
) -> Path:
    """Write ``index.html`` and ``build.json`` (atomically) for a build's results.

    The page opens with the findings: the claims audit's headline (:func:`audit_headline`),
    the primary analysis's pooled response per therapy (:func:`pooled_estimates`), the
    sensitivity comparison (:func:`sensitivity_table`), the Summary of Findings
    (:func:`summary_of_findings_section`), the multiverse (:func:`multiverse_section`) and
    what changed since the paper (:func:`since_the_paper_sections`), each part that no run
    wrote said to be missing; then it lists each run by its title, with its settings in words
    (:func:`parameters_in_words`), status, reports, files and figures (and, for a failed
    run, the last good reports and the failed notebook). ``build.json`` records the build
    time, the data checksum and each run's result (without its seconds and ``rebuilt``),
    for the next build's :func:`~helpers.build.fingerprints.earlier_results`.

    Parameters
    ----------
    results : list of RunResult
        The runs to list: this build's, built or skipped, and any carried over from the
        last build (``--only``).
    output_dir : Path
        The output folder.
    checksum : str
        The SHA-256 of the project's data folder, shown on the page.
    built : datetime
        The build time, in UTC (written as ISO 8601 with ``Z``).

    Returns
    -------
    Path
        The written ``index.html``.

    Long: the page's rows and ``build.json`` are made from the same results and written one
    after the other; most of the length is the one dict per run the template reads, which
    ruff format spreads over many lines.
    """
    from jinja2 import (  # imported here: the command line starts without it
        Environment,
        PackageLoader,
        select_autoescape,
    )

    env = Environment(
        loader=PackageLoader("helpers.build", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    rows = []
    for r in results:
        files = r.files or {}
        run = Run(r.name, Path(r.notebook))
        rows.append(
            asdict(r)
            | {
                "params": parameters_in_words(r.parameters),
                "previous": {}
                if r.status == "ok"
                else {
                    kind: _href(name)
                    for kind, name in run.files.items()
                    if (output_dir / name).is_file()
                }
                | (
                    {"failed": _href(f"{run.folder}/{r.name}.failed.ipynb")}
                    if (output_dir / run.folder / f"{r.name}.failed.ipynb").is_file()
                    else {}
                ),
                "href": {k: _href(v) for k, v in files.items() if k != "artifacts"},
                "versions": [
                    (VERSION_WORDS.get(k, k), _href(files[k]))
                    for k in sorted(
                        (k for k, v in files.items() if k != "artifacts" and isinstance(v, str)),
                        key=lambda k: list(VERSION_WORDS).index(k) if k in VERSION_WORDS else 99,
                    )
                ],
                "links": [
                    (_href(a), a.split("/", 2)[-1])
                    for a in files.get("artifacts", [])
                    if "/figures/" not in a
                ],
                "figures": sum(
                    "/figures/" in a and a.endswith(".svg") for a in files.get("artifacts", [])
                ),
                "folder": run.folder,
            }
        )
    sensitivity = sensitivity_table(output_dir, results)
    html = env.get_template("index.html.j2").render(
        runs=rows,
        checksum=checksum,
        built=built.isoformat().replace("+00:00", "Z"),
        failed=sum(r.status != "ok" for r in results),
        audit=audit_headline(output_dir, results),
        pooled=pooled_estimates(output_dir, results),
        since_the_paper=since_the_paper_sections(output_dir, results),
        summary_of_findings=summary_of_findings_section(output_dir, results),
        multiverse=multiverse_section(output_dir, results),
        sensitivity=None if sensitivity is None else _comparison(sensitivity, results),
    )
    manifest = {
        "built": built.isoformat().replace("+00:00", "Z"),
        "data_checksum": checksum,
        "runs": [
            {k: v for k, v in asdict(r).items() if k not in ("seconds", "rebuilt")} for r in results
        ],
    }
    write_file(output_dir, output_dir / "index.html", html)
    write_file(
        output_dir, output_dir / "build.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    )
    return output_dir / "index.html"
