"""The index page: every run, its reports and status, and the sensitivity comparison."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from helpers.build.config import Run
from helpers.build.execute import RunResult
from helpers.build.files import inside, write_file
from helpers.data.errors import SetupError
from helpers.data.escape import csv_value
from helpers.data.values import is_missing
from helpers.report.headline import SENSITIVITY_FOLDER, read_headline
from helpers.report.since_the_paper import (
    SINCE_THE_PAPER_CSV,
    read_since_the_paper,
    side_by_side,
)

if TYPE_CHECKING:  # for annotations only: the module is imported where it is used
    import pandas as pd

__all__ = ["sensitivity_table", "since_the_paper_sections", "write_index"]


def sensitivity_table(output_dir: Path, results: list[RunResult]) -> pd.DataFrame | None:
    """The headline estimates of every run that wrote ``sensitivity/<run>.csv``, side by side.

    Rows are (group, method), columns the runs in build order, cells "p [low, high]" with
    k and events/n, or "not estimable".

    Parameters
    ----------
    output_dir : Path
        The output folder the runs' artifacts are relative to.
    results : list of RunResult
        The build's runs, in build order; a file that cannot be read is left out.

    Returns
    -------
    DataFrame or None
        Index (``group``, ``method``): the group's label and the pooling method; one column
        per run that pooled a group, named after the run; each cell the text shown (a
        proportion with its interval to 2 decimals, "single study, not pooled" or "not
        estimable", with k, events/n and a model differing from the method). None when no
        run wrote a sensitivity summary with a group.
    """
    import pandas as pd  # imported here: the command line starts without it

    frames = []
    # one column per report run: its name is unique, a notebook's run_name need not be
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
            frame = frame.map(csv_value)
            frames.append(frame.assign(run=r.name))
    if not frames:
        return None
    data = pd.concat(frames, ignore_index=True)

    def cell(r):
        model = r.get("model", "")
        model = f"; {model}" if isinstance(model, str) and model and model != r["method"] else ""
        if r.get("model") == "single study":
            return f"single study, not pooled (k 1, {r['events']}/{r['n']})"
        if not r["converged"] or is_missing(r["proportion"]):
            return f"not estimable (k {r['k']}, {r['events']}/{r['n']}{model})"
        return (
            f"{r['proportion']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}] "
            f"(k {r['k']}, {r['events']}/{r['n']}{model})"
        )

    data["cell"] = data.apply(cell, axis=1)
    # rows by the group's key (labels need not be unique), shown by its label
    table = data.pivot_table(
        index=["kind", "key", "method"], columns="run", values="cell", aggfunc="first", sort=False
    )
    labels = data.drop_duplicates(["kind", "key"]).set_index(["kind", "key"])["group"]
    table.index = pd.MultiIndex.from_tuples(
        [(labels[(k, g)], m) for k, g, m in table.index], names=["group", "method"]
    )
    return table[list(dict.fromkeys(data["run"]))]


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
        One per such run, in build order: ``run`` (its name), ``paper`` and ``now`` (the
        editions compared), ``columns`` and ``rows`` (the text of
        :func:`helpers.report.since_the_paper.side_by_side`, not yet escaped: the template
        escapes it). Empty when no run wrote the file.
    """
    sections = []
    for r in results:
        for artifact in (r.files or {}).get("artifacts", []):
            if artifact.rsplit("/", 1)[-1] != SINCE_THE_PAPER_CSV:
                continue
            try:
                frame = read_since_the_paper(inside(output_dir, output_dir / artifact))
            except (OSError, ValueError, SetupError):
                continue
            if frame.empty:
                continue
            table = side_by_side(frame)
            sections.append(
                {
                    "run": r.name,
                    "paper": str(frame["edition_paper"].iloc[0]),
                    "now": str(frame["edition_now"].iloc[0]),
                    "columns": list(table.columns),
                    "rows": [list(row) for row in table.itertuples(index=False)],
                }
            )
    return sections


def _href(relative: str) -> str:
    """A link to a file of the output folder (each path component percent-encoded)."""
    return "/".join(quote(part) for part in relative.split("/"))


def write_index(
    results: list[RunResult], output_dir: Path, checksum: str, built: _dt.datetime
) -> Path:
    """Write ``index.html`` and ``build.json`` (atomically) for a build's results.

    The page lists each run with its parameters, status, reports, files and figures (and,
    for a failed run, the last good reports and the failed notebook), then the
    sensitivity comparison (:func:`sensitivity_table`) and what changed since the paper
    (:func:`since_the_paper_sections`). ``build.json`` records the build
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
                "params": ", ".join(f"{k} = {v!r}" for k, v in r.parameters.items()) or "defaults",
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
    since = since_the_paper_sections(output_dir, results)
    html = env.get_template("index.html.j2").render(
        runs=rows,
        checksum=checksum,
        built=built.isoformat().replace("+00:00", "Z"),
        failed=sum(r.status != "ok" for r in results),
        since_the_paper=since,
        sensitivity=None
        if sensitivity is None
        else {
            "runs": list(sensitivity.columns),
            "rows": [
                (group, method, list(values)) for (group, method), values in sensitivity.iterrows()
            ],
        },
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
