"""Build the reports: execute every notebook with papermill, convert to HTML, write the index.

Usage::

    python -m helpers.build                   # every run in reports.yaml (what `make report` does)
    python -m helpers.build --only 01_extraction
    python -m helpers.build --wait            # wait for a build already running in the folder
    python -m helpers.build --refresh-notebooks   # re-execute notebooks/ in place (stored outputs for nbval)

``reports.yaml`` lists the report runs (:mod:`helpers.config` checks it: run names, the
notebooks' declared parameters, their values). Notebooks execute with the project root as
working directory, so a relative path among the parameters (``data_dir: tests/fixtures/...``)
is relative to the project root. Each run has a folder of its own,
``reports/runs/<name>/``, holding everything the run wrote:

- ``<name>.ipynb``: the executed notebook;
- ``<name>.html``: the full report, code shown;
- ``<name>-reviewer.html``: the reviewer's report, code hidden;
- what the notebook writes to its ``output_dir`` (``claims_audit.csv``, ``figures/``,
  ``sensitivity/``), which the build points at the run's folder;

and ``reports/index.html`` links them all, with each run's parameters and status, the
data checksum and the build time (``SOURCE_DATE_EPOCH`` when set, for reproducible
builds). ``reports/build.json`` records the same for tools.

Nothing is lost, nothing is half-written:

- one build at a time: the build holds a lock on the output folder
  (:mod:`helpers.lock`); a second build exits naming the running one, or waits
  (``--wait``); a lock left by a killed build is found stale and cleared;
- the data of every run are validated once, before any notebook executes
  (:func:`helpers.load_review`); a run whose data are invalid fails with the problems
  listed, and executes nothing;
- a run is executed in a staging folder (``reports/.staging/new/<name>``) and replaces its
  folder only when everything succeeded; a failing run keeps its last good report, its
  failed execution is saved as ``runs/<name>/<name>.failed.ipynb``, the index marks it
  failed with the reason, the other runs are still built, and the command exits 1
  naming the notebook and the failing cell;
- every path the build deletes or replaces is checked to lie inside the output folder.

Exit status: 0 when every run is built; 1 when a run failed (bad data, a failing cell);
2 for a bad ``reports.yaml``, option or environment (``SOURCE_DATE_EPOCH``, an output
folder that cannot be written); 3 when another build holds the folder. No traceback.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from . import escape, paths
from .config import ConfigError, Run, load_config
from .errors import SetupError, output_closed, robust_output
from .kernel import KERNEL_NAME
from .loader import data_checksum, helpers_digest
from .lock import FolderBusy, FolderLock

if TYPE_CHECKING:  # pandas is imported where it is used, to keep the build's start-up light
    import pandas as pd

__all__ = ["ConfigError", "Run", "RunResult", "build", "build_time", "load_config", "main"]

#: Notebook and cell metadata that change on every execution and carry no meaning.
_VOLATILE_CELL_KEYS = ("execution", "papermill")
_VOLATILE_NB_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "exception", "input_path", "output_path")
STAGING = ".staging"
RUNS = "runs"


@dataclass
class RunResult:
    """What happened to a run in this build."""

    name: str
    notebook: str
    title: str
    parameters: dict
    status: str  # "ok" or "failed"
    seconds: float
    error: str = ""
    files: dict = field(default_factory=dict)
    data_checksum: str = ""
    fingerprint: str = ""
    rebuilt: bool = True  # False: carried over from an earlier build (``--only`` built other runs)


def build_time() -> _dt.datetime:
    """The build's timestamp: ``SOURCE_DATE_EPOCH`` when set, else now (UTC).

    Raises
    ------
    SetupError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds since 1970.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch != "":
        if not (epoch.isascii() and epoch.isdigit() and len(epoch) <= 11):
            raise SetupError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 "
                f"(like 1624492800), not {epoch[:40]!r}"
            )
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise SetupError(f"SOURCE_DATE_EPOCH {epoch!r} is out of range") from None
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)


def strip_volatile(nb) -> None:
    """Remove execution timestamps, absolute paths and random ids from a notebook, in place."""
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in _VOLATILE_NB_PAPERMILL_KEYS:
            pm.pop(key, None)
        pm.pop("environment_variables", None)


def _header_cell(run: Run, checksum: str):
    import nbformat

    def code(text) -> str:  # shown as typed: escaped for HTML and Markdown alike
        return f"<code>{escape.markdown(text)}</code>"

    params = ", ".join(code(f"{k} = {v!r}") for k, v in run.parameters.items()) or "defaults"
    text = (
        f"**Report** {code(run.name)} · notebook {code(run.notebook.name)} · parameters: {params} · "
        f"data checksum (SHA-256) {code(checksum[:16])}…"
    )
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["report-header"]})
    cell.id = "report-header"
    return cell


TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"


#: An HTML tag, quoted attribute values included.
TAG = r"""<(?:[^>"']|"[^"]*"|'[^']*')*>"""


def add_toc(html: str) -> str:
    """Insert a table of contents built from the report's own h2/h3 headings and their ids."""
    import re

    headings = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', html, flags=re.S)
    if not headings:
        return html
    # h3 headings nest in a list inside the h2 item before them, so the numbers count h2 only
    items, open_sub = [], False
    for level, anchor, text in headings:
        # the heading's text without its tags (a quoted attribute may hold a ">")
        link = f'<a href="#{anchor}">{re.sub(TAG, "", text)}</a>'
        if level == "3" and items:
            items.append(("" if open_sub else "<ul>") + f'<li class="level-3">{link}</li>')
            open_sub = True
            continue
        items.append(("</ul>" if open_sub else "") + ("</li>" if items else "") + f'<li class="level-{level}">{link}')
        open_sub = False
    items.append(("</ul>" if open_sub else "") + "</li>")
    nav = f'<nav class="report-toc" aria-label="Contents"><strong>Contents</strong><ol>{"".join(items)}</ol></nav>'
    return html.replace("<main>", "<main>\n" + nav, 1)


def _to_html(nb, title: str, reviewer: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    if reviewer:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return add_toc(body)


def _describe_failure(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first = str(exc.evalue).strip().splitlines()
        detail = "\n".join(first[:12]) + ("\n  …" if len(first) > 12 else "")
        return f"cell {exc.cell_index} (execution count {exc.exec_count}) raised {exc.ename}: {detail}"
    return f"{type(exc).__name__}: {exc}"


def inside(output_dir: Path, path: Path) -> Path:
    """``path``, checked to lie inside ``output_dir`` (its last component is not resolved, so a
    symbolic link there is the link itself, never its target).

    Raises
    ------
    SetupError
        When the path would leave the output folder (every path the build deletes,
        replaces or writes goes through here).
    """
    root = Path(os.path.realpath(output_dir))
    target = Path(os.path.realpath(path.parent)) / path.name
    if path.name in ("", ".", "..") or not target.is_relative_to(root) or target == root:
        raise SetupError(f"refusing to touch {path}: it is not inside the output folder {output_dir}")
    return target


def _remove(output_dir: Path, path: Path) -> None:
    """Delete a file, a link or a folder inside the output folder (a link is removed, never followed)."""
    path = inside(output_dir, path)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def execute_run(run: Run, output_dir: Path, checksum: str, progress: bool = False) -> RunResult:
    """Execute one run and, only if everything succeeds, make its staging folder the run's folder.

    The run works in ``<output_dir>/.staging/new/<name>/``: the executed notebook, both HTML
    files, and whatever the notebook writes to its ``output_dir`` parameter (when it
    declares one, the build points it there). Nothing in ``<output_dir>/runs/<name>/``
    changes until the whole run has succeeded; then the staging folder replaces it (the old
    folder moves to ``.staging/old/<name>`` and is deleted).
    """
    import nbformat
    import papermill as pm

    from .config import declared_parameters

    start = time.perf_counter()
    title = run.title or run.name
    staging = inside(output_dir, output_dir / STAGING / "new" / run.name)
    final = inside(output_dir, output_dir / RUNS / run.name)
    failed_path = final / f"{run.name}.failed.ipynb"

    def failed(error: str) -> RunResult:
        return RunResult(
            run.name, run.notebook.name, title, run.parameters, "failed", time.perf_counter() - start, error
        )

    try:
        _remove(output_dir, staging)
        staging.mkdir(parents=True)
        parameters = copy.deepcopy(run.parameters)
        if "output_dir" in declared_parameters(run.notebook):
            root = paths.PROJECT_ROOT.resolve()
            parameters["output_dir"] = str(staging.relative_to(root) if staging.is_relative_to(root) else staging)
        executed = staging / f"{run.name}.ipynb"
        try:
            pm.execute_notebook(
                str(run.notebook),
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                cwd=str(paths.PROJECT_ROOT),
                progress_bar=progress,
                log_output=False,
                request_save_on_cell_execute=False,
            )
        except Exception as exc:  # papermill raises on a failing cell; keep the failed notebook aside
            if executed.exists():
                nb = nbformat.read(executed, as_version=4)
                strip_volatile(nb)
                inside(output_dir, final).mkdir(parents=True, exist_ok=True)
                write_file(output_dir, failed_path, nbformat.writes(nb) + "\n")
            return failed(_describe_failure(exc))
        nb = nbformat.read(executed, as_version=4)
        strip_volatile(nb)
        nbformat.write(nb, executed)
        shown = copy.deepcopy(nb)
        shown.cells.insert(0, _header_cell(run, checksum))
        for key, reviewer in (("full", False), ("reviewer", True)):
            target = staging / Path(run.files[key]).name
            if target.exists():
                return failed(
                    f"the notebook wrote {target.name} into its output folder, where the build writes the report"
                )
            target.write_text(_to_html(shown, title, reviewer=reviewer), encoding="utf-8")
        artifacts = sorted(
            p.relative_to(staging).as_posix()
            for p in staging.rglob("*")
            if p.is_file() and p.name not in {Path(f).name for f in run.files.values()}
        )
        # The swap: the old folder is moved aside, the new one takes its place, the old one goes.
        old = inside(output_dir, output_dir / STAGING / "old" / run.name)
        _remove(output_dir, old)
        old.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() or final.is_symlink():
            os.replace(final, old)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)
        _remove(output_dir, old)
        files = dict(run.files) | {"artifacts": [f"{run.folder}/{a}" for a in artifacts]}
        return RunResult(
            run.name, run.notebook.name, title, run.parameters, "ok", time.perf_counter() - start, files=files
        )
    except Exception as exc:
        return failed(_describe_failure(exc))
    finally:
        try:
            _remove(output_dir, staging)
        except (OSError, SetupError):
            pass


def sensitivity_table(output_dir: Path, results: list[RunResult]) -> pd.DataFrame | None:
    """The headline estimates of every run that wrote ``sensitivity/<run>.csv``, side by side.

    Rows are (group, method), columns the runs in build order, cells "p [low, high]" with
    k and events/n, or "not estimable".
    """
    import pandas as pd

    from .escape import csv_value

    frames = []
    for r in results:  # one column per report run: its name is unique, a notebook's run_name need not be
        for artifact in (r.files or {}).get("artifacts", []):
            if "/sensitivity/" not in artifact or not artifact.endswith(".csv"):
                continue
            try:
                # every text as written ("NA" or "None" is a label, not a missing value)
                frame = pd.read_csv(inside(output_dir, output_dir / artifact), keep_default_na=False, na_values=[""])
            except (OSError, ValueError, SetupError):
                continue
            if frame.empty:  # the run pooled no group
                continue
            frame = frame.map(csv_value)  # the file is neutralised for spreadsheets; the index shows the text
            frames.append(frame.assign(run=r.name))
    if not frames:
        return None
    data = pd.concat(frames, ignore_index=True)

    def cell(r):
        model = r.get("model", "")
        model = f"; {model}" if isinstance(model, str) and model and model != r["method"] else ""
        if r.get("model") == "single study":
            return f"single study, not pooled (k 1, {r['events']}/{r['n']})"
        if not r["converged"] or pd.isna(r["proportion"]):
            return f"not estimable (k {r['k']}, {r['events']}/{r['n']}{model})"
        return (
            f"{r['proportion']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}] (k {r['k']}, {r['events']}/{r['n']}{model})"
        )

    data["cell"] = data.apply(cell, axis=1)
    # rows by the group's key (labels need not be unique), shown by its label
    table = data.pivot_table(index=["kind", "key", "method"], columns="run", values="cell", aggfunc="first", sort=False)
    labels = data.drop_duplicates(["kind", "key"]).set_index(["kind", "key"])["group"]
    table.index = pd.MultiIndex.from_tuples([(labels[(k, g)], m) for k, g, m in table.index], names=["group", "method"])
    return table[list(dict.fromkeys(data["run"]))]


def _href(relative: str) -> str:
    """A link to a file of the output folder (each path component percent-encoded)."""
    return "/".join(quote(part) for part in relative.split("/"))


def write_file(output_dir: Path, path: Path, content: str) -> None:
    """Write a file of the output folder atomically: a new temporary file (created, never
    opened through a link) replaces it when complete, so the old file stays whole until then."""
    import tempfile

    target = inside(output_dir, path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_index(results: list[RunResult], output_dir: Path, checksum: str, built: _dt.datetime) -> Path:
    """Write ``index.html`` and ``build.json`` (atomically) for a build's results."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("helpers", "templates"), autoescape=select_autoescape(["html", "j2"]))
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
                else {kind: _href(name) for kind, name in run.files.items() if (output_dir / name).is_file()}
                | (
                    {"failed": _href(f"{run.folder}/{r.name}.failed.ipynb")}
                    if (output_dir / run.folder / f"{r.name}.failed.ipynb").is_file()
                    else {}
                ),
                "href": {k: _href(v) for k, v in files.items() if k != "artifacts"},
                "links": [(_href(a), a.split("/", 2)[-1]) for a in files.get("artifacts", []) if "/figures/" not in a],
                "figures": sum("/figures/" in a and a.endswith(".svg") for a in files.get("artifacts", [])),
                "folder": run.folder,
            }
        )
    sensitivity = sensitivity_table(output_dir, results)
    html = env.get_template("index.html.j2").render(
        runs=rows,
        checksum=checksum,
        built=built.isoformat().replace("+00:00", "Z"),
        failed=sum(r.status != "ok" for r in results),
        sensitivity=None
        if sensitivity is None
        else {
            "runs": list(sensitivity.columns),
            "rows": [(group, method, list(values)) for (group, method), values in sensitivity.iterrows()],
        },
    )
    manifest = {
        "built": built.isoformat().replace("+00:00", "Z"),
        "data_checksum": checksum,
        "runs": [{k: v for k, v in asdict(r).items() if k not in ("seconds", "rebuilt")} for r in results],
    }
    write_file(output_dir, output_dir / "index.html", html)
    write_file(output_dir, output_dir / "build.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return output_dir / "index.html"


def _data_dir(run: Run) -> Path:
    """The data folder a run reads (its ``data_dir`` parameter, relative to the project root)."""
    value = run.parameters.get("data_dir")
    return paths.DATA_DIR if value is None else paths.project_path(value)


def _content_digest(path: Path) -> str:
    """What a file or folder named by a parameter holds (a folder: :func:`data_checksum`)."""
    try:
        if path.is_dir():
            return "folder " + data_checksum(path)
        if path.is_file():
            return "file " + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable {exc.errno}"
    return "missing"


def fingerprint(run: Run, data_checksum_: str, code_digest: str) -> str:
    """What a run's output depends on: notebook, title, parameters and the content of every file or
    folder they name, the data, the helpers and the locked environment."""
    from .params import PATH_PARAMETERS

    h = hashlib.sha256()
    h.update(run.notebook.read_bytes())
    h.update(json.dumps({"title": run.title, "parameters": run.parameters}, sort_keys=True, default=str).encode())
    h.update(data_checksum_.encode())
    for name in PATH_PARAMETERS:
        value = run.parameters.get(name)
        if isinstance(value, str):
            h.update(f"{name}: {_content_digest(paths.project_path(value))}".encode())
    h.update(code_digest.encode())
    lock = paths.PROJECT_ROOT / "requirements.lock"
    if lock.is_file():
        h.update(lock.read_bytes())
    return h.hexdigest()


def _earlier(output_dir: Path) -> dict:
    """The runs recorded by the last build in this folder (nothing when its manifest is unreadable)."""
    manifest = output_dir / "build.json"
    try:
        runs = json.loads(manifest.read_text(encoding="utf-8"))["runs"]
        entries = {r["name"]: r for r in runs if isinstance(r, dict) and isinstance(r.get("name"), str)}
        return {name: r for name, r in entries.items() if _from_manifest(r) is not None}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _worker_start() -> None:
    """In each worker: end when the build's process ends (Linux), however it ends."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still end when their queue closes
        pass


def _execute(args):
    """Worker: one run in a separate process (each run starts its own kernel)."""
    run, output_dir, checksum = args
    return execute_run(run, output_dir, checksum)


def check_output_dir(output_dir: Path) -> Path:
    """The output folder, checked: a folder (or absent), not the project or one of its sources.

    Raises
    ------
    SetupError
        When it is a file, or is (or holds) the project root, or lies inside the data,
        notebooks, sources, tests, ``.git`` or ``.venv``.
    """
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise SetupError(f"the output folder {output_dir} is a file, not a folder")
    real = Path(os.path.realpath(output_dir))
    root = Path(os.path.realpath(paths.PROJECT_ROOT))
    if root.is_relative_to(real):
        raise SetupError(
            f"the output folder {output_dir} holds the project itself; choose a folder of its own "
            "(the default is reports/)"
        )
    for part in ("data", "notebooks", "src", "tests", ".git", ".venv"):
        if real.is_relative_to(root / part):
            raise SetupError(
                f"the output folder {output_dir} lies inside the project's {part}/; choose a folder "
                "of its own (the default is reports/)"
            )
    return output_dir


def build(
    runs: list[Run] | None = None,
    output_dir: Path | None = None,
    only: list[str] | None = None,
    log=print,
    force: bool = False,
    jobs: int | None = None,
    wait: bool = False,
) -> list[RunResult]:
    """Execute the runs, write their reports and the index; return the results.

    Runs are independent (each reads the data itself), so they execute in parallel, one
    kernel per worker (``jobs``, default: the machine's cores). A run whose fingerprint
    (notebook, title, parameters and the files they name, data, helpers, lock file)
    matches the last good build, and whose files are all still there, is skipped and said
    to be; ``force=True`` rebuilds everything. The output folder is locked for the whole
    build (``wait=True`` waits for a build already running there).

    Raises
    ------
    ConfigError
        For a bad runs file or ``only`` naming no run.
    SetupError
        For a bad ``SOURCE_DATE_EPOCH`` or an output folder the build cannot use.
    FolderBusy
        When another build holds the output folder and ``wait`` is False.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    output_dir = check_output_dir(Path(output_dir or paths.REPORTS_DIR))
    built = build_time()  # checked before anything runs
    all_runs = load_config() if runs is None else runs
    runs = all_runs
    if only:
        unknown = sorted(set(only) - {r.name for r in all_runs})
        if unknown:
            raise ConfigError(
                f"no run named {', '.join(map(repr, unknown))}; runs: {', '.join(r.name for r in all_runs)}"
            )
        runs = [r for r in all_runs if r.name in only]
    if not runs:
        raise ConfigError("no report runs: reports.yaml lists none and notebooks/ holds no notebook")
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be 1 or more, not {jobs}")
    with FolderLock(output_dir, wait=wait, log=log):
        _remove(output_dir, output_dir / STAGING)  # what a killed build left behind
        # Same inputs, same bytes: kernels inherit a fixed hash seed (set and dict-of-set orders).
        os.environ["PYTHONHASHSEED"] = "0"
        checksum = data_checksum()
        code = helpers_digest()
        run_checksums = {r.name: data_checksum(_data_dir(r)) for r in runs}
        prints = {r.name: fingerprint(r, run_checksums[r.name], code) for r in runs}
        earlier = _earlier(output_dir)
        results: dict[str, RunResult] = {}
        todo = []
        for run in runs:
            before = earlier.get(run.name, {})
            files = before.get("files") or {}
            present = all((output_dir / f).is_file() for k, f in files.items() if k != "artifacts") and all(
                (output_dir / a).is_file() for a in files.get("artifacts", [])
            )
            if (
                not force
                and before.get("status") == "ok"
                and before.get("fingerprint") == prints[run.name]
                and files
                and present
            ):
                results[run.name] = _from_manifest(before)
                log(f"[skip] {run.name}: unchanged since the last good build", flush=True)
            else:
                todo.append(run)
        # The data of the runs to build are validated first (the gate, once per folder); a run
        # whose data are invalid fails here, and executes nothing.
        invalid = _invalid_data(todo)
        for run in [r for r in todo if r.name in invalid]:
            todo.remove(run)
            results[run.name] = RunResult(
                run.name, run.notebook.name, run.title or run.name, run.parameters, "failed", 0.0, invalid[run.name]
            )
            log(
                f"[fail] {run.name}: its input is invalid; nothing executed\n    {_indent(invalid[run.name])}",
                flush=True,
            )
        jobs = max(1, min(jobs or (os.cpu_count() or 1), len(todo) or 1))
        done = 0
        if todo:
            log(f"building {len(todo)} run(s) on {jobs} worker(s) ...", flush=True)
            # Workers are started fresh ("spawn"), so they do not inherit the folder's lock, and
            # they end with the build (_worker_start): a killed build leaves no worker holding the
            # lock or still replacing run folders.
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
            ) as pool:
                futures = {pool.submit(_execute, (run, output_dir, run_checksums[run.name])): run for run in todo}
                for future in as_completed(futures):
                    run = futures[future]
                    result = future.result()
                    result.data_checksum = run_checksums[run.name]
                    result.fingerprint = prints[run.name] if result.status == "ok" else ""
                    results[run.name] = result
                    done += 1
                    if result.status == "ok":
                        log(f"[{done}/{len(todo)}] {run.name}: ok ({result.seconds:.1f} s)", flush=True)
                    else:
                        log(
                            f"[{done}/{len(todo)}] {run.name}: FAILED ({result.seconds:.1f} s)\n"
                            f"    {run.notebook.name}: "
                            f"{result.error}",
                            flush=True,
                        )
        _remove(output_dir, output_dir / STAGING)
        ordered = [results[r.name] for r in runs]
        index = write_index(_with_earlier_results(ordered, all_runs, output_dir), output_dir, checksum, built)
    log(f"index: {index}")
    return ordered


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _invalid_data(runs: list[Run]) -> dict[str, str]:
    """Validate each data folder the runs read, once (:func:`helpers.load_review`, cached for the
    kernels), and each appraisal file a run names (:func:`helpers.rob.load_appraisals`); return,
    for each run whose input is invalid, the problems."""
    from .errors import DataValidationError
    from .loader import load_review

    problems: dict[Path, str] = {}
    out = {}
    for run in runs:
        folder = _data_dir(run)
        if folder not in problems:
            try:
                load_review(folder)
                problems[folder] = ""
            except DataValidationError as exc:
                problems[folder] = str(exc)
        if problems[folder]:
            out[run.name] = problems[folder]
        elif run.parameters.get("appraisal_path") is not None:  # an input file of its own, checked the same way
            from .rob import load_appraisals

            try:
                load_appraisals(paths.project_path(run.parameters["appraisal_path"]), load_review(folder))
            except DataValidationError as exc:
                out[run.name] = str(exc)
    return out


def _with_earlier_results(results: list[RunResult], runs: list[Run], output_dir: Path) -> list[RunResult]:
    """This build's results, plus the last recorded result of each run it did not rebuild."""
    done = {r.name: r for r in results}
    earlier = _earlier(output_dir)
    merged = []
    for run in runs:
        if run.name in done:
            merged.append(done[run.name])
        elif run.name in earlier:
            merged.append(_from_manifest(earlier[run.name]))
    return merged


def _from_manifest(entry: dict) -> RunResult | None:
    """A run recorded in ``build.json``, or None when the entry is not one this build wrote."""
    fields = {k: v for k, v in entry.items() if k in RunResult.__dataclass_fields__}
    try:
        result = RunResult(**({"seconds": 0.0} | fields | {"rebuilt": False}))
    except TypeError:
        return None
    ok = (
        isinstance(result.parameters, dict)
        and isinstance(result.files, dict)
        and all(isinstance(v, str) for k, v in result.files.items() if k != "artifacts")
        and all(isinstance(a, str) for a in result.files.get("artifacts", []))
        and all(isinstance(getattr(result, k), str) for k in ("name", "notebook", "title", "status", "error"))
    )
    return result if ok else None


class RefreshFailed(RuntimeError):
    """A notebook failed while its stored outputs were refreshed (it is left as it was)."""


def refresh_notebooks(notebooks_dir: Path | None = None, log=print, wait: bool = False) -> None:
    """Re-execute each notebook in place with its default parameters, for nbval's stored outputs.

    A notebook whose execution fails is left as it was, and :class:`RefreshFailed` names it
    and the failing cell.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    folder = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    with FolderLock(folder, wait=wait, log=log, what="notebook refresh"):
        for nb_path in sorted(folder.glob("*.ipynb")):
            log(f"executing {nb_path.name} in place ...", flush=True)
            nb = nbformat.read(nb_path, as_version=4)
            try:
                NotebookClient(
                    nb, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(nb_path.parent)}}
                ).execute()
            except CellExecutionError as exc:
                detail = "\n".join(str(exc.evalue or exc).strip().splitlines()[:12])
                raise RefreshFailed(
                    f"{nb_path.name}: a cell raised {exc.ename}: {detail}; the notebook is left as it was"
                ) from None
            strip_volatile(nb)
            tmp = nb_path.with_name(f".{nb_path.name}.tmp")
            nbformat.write(nb, tmp)
            os.replace(tmp, nb_path)


def _jobs(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="RUN", help="build only these runs")
    parser.add_argument("--config", type=Path, help="runs file (default: reports.yaml)")
    parser.add_argument("--output-dir", type=Path, help="where reports go (default: reports/)")
    parser.add_argument("--refresh-notebooks", action="store_true", help="re-execute notebooks/ in place instead")
    parser.add_argument(
        "--force", action="store_true", help="rebuild every run, even those unchanged since the last build"
    )
    parser.add_argument("--jobs", type=_jobs, help="parallel workers (default: the machine's cores)")
    parser.add_argument("--wait", action="store_true", help="wait for a build already running in the output folder")
    args = parser.parse_args(argv)
    robust_output()
    try:
        if args.refresh_notebooks:
            refresh_notebooks(wait=args.wait)
            return 0
        results = build(
            load_config(args.config) if args.config else None,
            args.output_dir,
            args.only,
            force=args.force,
            jobs=args.jobs,
            wait=args.wait,
        )
    except (ConfigError, SetupError, FolderBusy, RefreshFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, FolderBusy) else 1 if isinstance(exc, RefreshFailed) else 2
    except BrokenPipeError:  # the reader of the progress lines went away (| head)
        output_closed()
        return 1
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the last good reports are kept; the next build clears what this one left", file=sys.stderr)
        return 130
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(f"\n{len(failed)} of {len(results)} report run(s) failed:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.name} ({r.notebook}): {_indent(r.error)}", file=sys.stderr)
        return 1
    rebuilt = sum(r.rebuilt for r in results)
    print(f"{rebuilt} report run(s) built, {len(results) - rebuilt} unchanged and skipped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
