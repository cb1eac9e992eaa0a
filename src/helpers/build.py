"""Build the reports: execute every notebook with papermill, convert to HTML, write the index.

Usage::

    python -m helpers.build                   # every run in reports.yaml (what `make report` does)
    python -m helpers.build --only 01_extraction
    python -m helpers.build --refresh-notebooks   # re-execute notebooks/ in place (stored outputs for nbval)

``reports.yaml`` lists the report runs: a name, the notebook, its parameters and a title.
Notebooks execute with the project root as working directory, so a relative path among
the parameters (``data_dir: tests/fixtures/...``) is relative to the project root. A notebook in ``notebooks/`` that no run names gets one run with its default parameters.
Each run writes three files to ``reports/``:

- ``<name>.ipynb``: the executed notebook;
- ``<name>.html``: the full report, code shown;
- ``<name>-reviewer.html``: the reviewer's report, code hidden;

and ``reports/index.html`` links them all, with each run's parameters and status, the
data checksum and the build time (``SOURCE_DATE_EPOCH`` when set, for reproducible
builds). ``reports/build.json`` records the same for tools.

A run is executed in a staging folder (``reports/.staging/<name>``) and its files,
including what the notebook writes to its ``output_dir`` parameter, replace the
previous ones only when everything succeeded, so a failing notebook never leaves a half-written report:
the last good report stays, ``<name>.failed.ipynb`` holds the failed execution, the
index marks the run as failed with the reason, the other runs are still built, and the
command exits non-zero naming the notebook and the failing cell.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import datetime as _dt
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import paths
from .kernel import KERNEL_NAME
from .loader import data_checksum, helpers_digest

if TYPE_CHECKING:  # pandas is imported where it is used, to keep the build's start-up light
    import pandas as pd

#: Notebook and cell metadata that change on every execution and carry no meaning.
_VOLATILE_CELL_KEYS = ("execution", "papermill")
_VOLATILE_NB_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "exception", "input_path", "output_path")


class ConfigError(ValueError):
    """reports.yaml is malformed or names a notebook that does not exist."""


@dataclass
class Run:
    """One report run: a notebook executed with a set of parameters."""

    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    title: str = ""

    @property
    def files(self) -> dict[str, str]:
        return {"notebook": f"{self.name}.ipynb", "full": f"{self.name}.html", "reviewer": f"{self.name}-reviewer.html"}


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


def load_config(path: Path | None = None, notebooks_dir: Path | None = None) -> list[Run]:
    """Read the report runs from ``reports.yaml`` and add a default run per unlisted notebook.

    Raises
    ------
    ConfigError
        For malformed YAML, a run without a name or notebook, a duplicate name, or a
        notebook that does not exist.
    """
    path = Path(path or paths.REPORTS_CONFIG)
    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    root = path.parent
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        config = {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    runs: list[Run] = []
    for i, entry in enumerate(config.get("runs") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("notebook"):
            raise ConfigError(f"{path}: run {i} needs a 'name' and a 'notebook'")
        unknown = set(entry) - {"name", "notebook", "parameters", "title"}
        if unknown:
            raise ConfigError(f"{path}: run {entry['name']!r} has unknown keys {sorted(unknown)}")
        nb = (root / entry["notebook"]).resolve()
        if not nb.is_file():
            raise ConfigError(f"{path}: run {entry['name']!r}: notebook {entry['notebook']} does not exist")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{path}: run {entry['name']!r}: parameters must be a mapping")
        runs.append(Run(entry["name"], nb, params, entry.get("title", "")))
    names = [r.name for r in runs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{path}: duplicate run names {dupes}")
    listed = {r.notebook for r in runs}
    for nb in sorted(notebooks_dir.glob("*.ipynb")):
        if nb.resolve() not in listed:
            if nb.stem in names:
                raise ConfigError(f"{path}: a run is named {nb.stem!r} but runs another notebook; {nb.name} needs a run of its own")
            runs.append(Run(nb.stem, nb.resolve(), {}, ""))
    return runs


def build_time() -> _dt.datetime:
    """The build's timestamp: ``SOURCE_DATE_EPOCH`` when set, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
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

    params = ", ".join(f"`{k} = {v!r}`" for k, v in run.parameters.items()) or "defaults"
    text = (
        f"**Report** `{run.name}` · notebook `{run.notebook.name}` · parameters: {params} · "
        f"data checksum (SHA-256) `{checksum[:16]}…`"
    )
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["report-header"]})
    cell.id = "report-header"
    return cell


TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"


def add_toc(html: str) -> str:
    """Insert a table of contents built from the report's own h2/h3 headings and their ids."""
    import re

    headings = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', html)
    if not headings:
        return html
    items = "".join(
        f'<li class="level-{level}"><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text)}</a></li>'
        for level, anchor, text in headings)
    nav = f'<nav class="report-toc" aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'
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


STAGING = ".staging"


def _declared_parameters(notebook: Path) -> set[str]:
    import papermill as pm

    return set(pm.inspect_notebook(str(notebook)))


def execute_run(run: Run, output_dir: Path, checksum: str, progress: bool = False) -> RunResult:
    """Execute one run and, only if everything succeeds, move its files into ``output_dir``.

    The run works in ``<output_dir>/.staging/<name>/``: the executed notebook, both HTML
    files, and whatever the notebook writes to its ``output_dir`` parameter (when it
    declares one, the build points it there). Nothing in ``output_dir`` changes until the
    whole run has succeeded.
    """
    import nbformat
    import papermill as pm

    output_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    title = run.title or run.name
    staging = output_dir / STAGING / run.name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    failed_path = output_dir / f"{run.name}.failed.ipynb"
    parameters = copy.deepcopy(run.parameters)
    if "output_dir" in _declared_parameters(run.notebook) and "output_dir" not in parameters:
        outputs = (staging / "outputs").resolve()
        root = paths.PROJECT_ROOT.resolve()
        parameters["output_dir"] = str(outputs.relative_to(root) if outputs.is_relative_to(root) else outputs)
    try:
        executed = staging / run.files["notebook"]
        try:
            pm.execute_notebook(
                str(run.notebook), str(executed), parameters=parameters,
                kernel_name=KERNEL_NAME, cwd=str(paths.PROJECT_ROOT), progress_bar=progress,
                log_output=False, request_save_on_cell_execute=False,
            )
        except Exception as exc:  # papermill raises on a failing cell; keep the failed notebook aside
            if executed.exists():
                nb = nbformat.read(executed, as_version=4)
                strip_volatile(nb)
                nbformat.write(nb, failed_path)
            return RunResult(run.name, run.notebook.name, title, run.parameters, "failed",
                             time.perf_counter() - start, _describe_failure(exc))
        nb = nbformat.read(executed, as_version=4)
        strip_volatile(nb)
        nbformat.write(nb, executed)
        shown = copy.deepcopy(nb)
        shown.cells.insert(0, _header_cell(run, checksum))
        (staging / run.files["full"]).write_text(_to_html(shown, title, reviewer=False), encoding="utf-8")
        (staging / run.files["reviewer"]).write_text(_to_html(shown, title, reviewer=True), encoding="utf-8")
        artifacts = sorted(p.relative_to(staging / "outputs") for p in (staging / "outputs").rglob("*") if p.is_file())
        for name in run.files.values():
            os.replace(staging / name, output_dir / name)
        for rel in artifacts:
            (output_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "outputs" / rel, output_dir / rel)
        failed_path.unlink(missing_ok=True)
        return RunResult(run.name, run.notebook.name, title, run.parameters, "ok", time.perf_counter() - start,
                         files=dict(run.files) | {"artifacts": [r.as_posix() for r in artifacts]})
    except Exception as exc:
        return RunResult(run.name, run.notebook.name, title, run.parameters, "failed",
                         time.perf_counter() - start, _describe_failure(exc))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            (output_dir / STAGING).rmdir()
        except OSError:
            pass


def sensitivity_table(output_dir: Path, results: list[RunResult]) -> "pd.DataFrame | None":
    """The headline estimates of every run that wrote ``sensitivity/<run>.csv``, side by side.

    Rows are (group, method), columns the runs in build order, cells "p [low, high]" with
    k and events/n, or "not estimable".
    """
    import pandas as pd

    order = [a.split("/", 1)[1][:-4] for r in results for a in (r.files or {}).get("artifacts", [])
             if a.startswith("sensitivity/") and a.endswith(".csv")]
    frames = [pd.read_csv(output_dir / "sensitivity" / f"{name}.csv") for name in dict.fromkeys(order)
              if (output_dir / "sensitivity" / f"{name}.csv").is_file()]
    if not frames:
        return None
    data = pd.concat(frames, ignore_index=True)

    def cell(r):
        if not r["converged"] or pd.isna(r["proportion"]):
            return f"not estimable (k {r['k']}, {r['events']}/{r['n']})"
        return f"{r['proportion']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}] (k {r['k']}, {r['events']}/{r['n']})"

    data["cell"] = data.apply(cell, axis=1)
    table = data.pivot_table(index=["group", "method"], columns="run", values="cell", aggfunc="first", sort=False)
    return table[list(dict.fromkeys(data["run"]))]


def write_index(results: list[RunResult], output_dir: Path, checksum: str, built: _dt.datetime) -> Path:
    """Write ``index.html`` and ``build.json`` (atomically) for a build's results."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("helpers", "templates"), autoescape=select_autoescape(["html", "j2"]))
    rows = []
    for r in results:
        files = r.files or {}
        rows.append(asdict(r) | {
            "params": ", ".join(f"{k} = {v!r}" for k, v in r.parameters.items()) or "defaults",
            "previous": {} if r.status == "ok" else {
                kind: name for kind, name in Run(r.name, Path(r.notebook)).files.items() if (output_dir / name).exists()
            },
            "files": files,
            "links": [a for a in files.get("artifacts", []) if not a.startswith("figures/")],
            "figures": sum(a.startswith("figures/") and a.endswith(".svg") for a in files.get("artifacts", [])),
        })
    sensitivity = sensitivity_table(output_dir, results)
    html = env.get_template("index.html.j2").render(
        runs=rows, checksum=checksum, built=built.isoformat().replace("+00:00", "Z"),
        failed=sum(r.status != "ok" for r in results),
        sensitivity=None if sensitivity is None else {
            "runs": list(sensitivity.columns),
            "rows": [(group, method, list(values)) for (group, method), values in sensitivity.iterrows()],
        },
    )
    manifest = {
        "built": built.isoformat().replace("+00:00", "Z"),
        "data_checksum": checksum,
        "runs": [{k: v for k, v in asdict(r).items() if k not in ("seconds", "rebuilt")} for r in results],
    }
    for name, content in (("index.html", html), ("build.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")):
        tmp = output_dir / f".{name}.tmp"
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, output_dir / name)
    return output_dir / "index.html"


def _data_dir(run: Run) -> Path:
    """The data folder a run reads (its ``data_dir`` parameter, relative to the project root)."""
    value = run.parameters.get("data_dir")
    return paths.DATA_DIR if value is None else paths.project_path(value)


def fingerprint(run: Run, data_checksum_: str, code_digest: str) -> str:
    """What a run's output depends on: notebook, parameters, data, helpers and the locked environment."""
    h = hashlib.sha256()
    h.update(run.notebook.read_bytes())
    h.update(json.dumps(run.parameters, sort_keys=True).encode())
    h.update(data_checksum_.encode())
    h.update(code_digest.encode())
    lock = paths.PROJECT_ROOT / "requirements.lock"
    if lock.is_file():
        h.update(lock.read_bytes())
    return h.hexdigest()


def _earlier(output_dir: Path) -> dict:
    manifest = output_dir / "build.json"
    try:
        return {r["name"]: r for r in json.loads(manifest.read_text(encoding="utf-8"))["runs"]}
    except (OSError, ValueError, KeyError):
        return {}


def _execute(args):
    """Worker: one run in a separate process (each run starts its own kernel)."""
    run, output_dir, checksum = args
    return execute_run(run, output_dir, checksum)


def build(runs: list[Run] | None = None, output_dir: Path | None = None, only: list[str] | None = None,
          log=print, force: bool = False, jobs: int | None = None) -> list[RunResult]:
    """Execute the runs, write their reports and the index; return the results.

    Runs are independent (each reads the data itself), so they execute in parallel, one
    kernel per worker (``jobs``, default: the machine's cores). A run whose fingerprint
    (notebook, parameters, data, helpers, lock file) matches the last good build, and
    whose files are all still there, is skipped and said to be; ``force=True`` rebuilds
    everything.
    """
    import os as _os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    output_dir = Path(output_dir or paths.REPORTS_DIR)
    output_dir.mkdir(parents=True, exist_ok=True)
    all_runs = load_config() if runs is None else runs
    runs = all_runs
    if only:
        unknown = sorted(set(only) - {r.name for r in all_runs})
        if unknown:
            raise ConfigError(f"no run named {unknown}; runs: {[r.name for r in all_runs]}")
        runs = [r for r in all_runs if r.name in only]
    if not runs:
        raise ConfigError("no report runs: reports.yaml lists none and notebooks/ holds no notebook")
    # Same inputs, same bytes: kernels inherit a fixed hash seed (set and dict-of-set orders).
    _os.environ["PYTHONHASHSEED"] = "0"
    checksum = data_checksum()
    built = build_time()
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
            (output_dir / a).is_file() for a in files.get("artifacts", []))
        if not force and before.get("status") == "ok" and before.get("fingerprint") == prints[run.name] and files and present:
            results[run.name] = _from_manifest(before)
            log(f"[skip] {run.name}: unchanged since the last good build", flush=True)
        else:
            todo.append(run)
    jobs = max(1, min(jobs or (_os.cpu_count() or 1), len(todo) or 1))
    done = 0
    if todo:
        log(f"building {len(todo)} run(s) on {jobs} worker(s) ...", flush=True)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
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
                log(f"[{done}/{len(todo)}] {run.name}: FAILED ({result.seconds:.1f} s)\n    {run.notebook.name}: {result.error}",
                    flush=True)
    ordered = [results[r.name] for r in runs]
    index = write_index(_with_earlier_results(ordered, all_runs, output_dir), output_dir, checksum, built)
    log(f"index: {index}")
    return ordered


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


def _from_manifest(entry: dict) -> RunResult:
    fields = {k: v for k, v in entry.items() if k in RunResult.__dataclass_fields__}
    return RunResult(**({"seconds": 0.0} | fields | {"rebuilt": False}))


def refresh_notebooks(notebooks_dir: Path | None = None, log=print) -> None:
    """Re-execute each notebook in place with its default parameters, for nbval's stored outputs."""
    import nbformat
    from nbclient import NotebookClient

    for nb_path in sorted(Path(notebooks_dir or paths.NOTEBOOKS_DIR).glob("*.ipynb")):
        log(f"executing {nb_path.name} in place ...", flush=True)
        nb = nbformat.read(nb_path, as_version=4)
        NotebookClient(nb, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(nb_path.parent)}}).execute()
        strip_volatile(nb)
        nbformat.write(nb, nb_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="RUN", help="build only these runs")
    parser.add_argument("--config", type=Path, help="runs file (default: reports.yaml)")
    parser.add_argument("--output-dir", type=Path, help="where reports go (default: reports/)")
    parser.add_argument("--refresh-notebooks", action="store_true", help="re-execute notebooks/ in place instead")
    parser.add_argument("--force", action="store_true", help="rebuild every run, even those unchanged since the last build")
    parser.add_argument("--jobs", type=int, help="parallel workers (default: the machine's cores)")
    args = parser.parse_args(argv)
    if args.refresh_notebooks:
        refresh_notebooks()
        return 0
    try:
        results = build(load_config(args.config) if args.config else None, args.output_dir, args.only,
                        force=args.force, jobs=args.jobs)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(f"\n{len(failed)} of {len(results)} report run(s) failed:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.name} ({r.notebook}): {r.error.splitlines()[0]}", file=sys.stderr)
        return 1
    rebuilt = sum(r.rebuilt for r in results)
    print(f"{rebuilt} report run(s) built, {len(results) - rebuilt} unchanged and skipped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
