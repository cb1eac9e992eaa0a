"""The build layer: notebooks executed with papermill into HTML reports.

``python -m helpers.build`` builds every run of ``reports.yaml``. The modules, in the
order a build uses them: :mod:`~helpers.build.config` (the runs, checked),
:mod:`~helpers.build.lock` (one build per folder), :mod:`~helpers.build.fingerprints`
(what an unchanged run skips), :mod:`~helpers.build.execute` (papermill in a staging
folder), :mod:`~helpers.build.html` (full and reviewer HTML: title, header, table of
contents), :mod:`~helpers.build.searchable` (tables boxed, the large ones searchable),
:mod:`~helpers.build.nav` (every page's navigation bar, at the end of the build),
:mod:`~helpers.build.pdf` (the reviewer report printed by Chromium),
:mod:`~helpers.build.files` (every write inside the output folder),
:mod:`~helpers.build.index` (the index page), :mod:`~helpers.build.pipeline` (all of it
for every run), :mod:`~helpers.build.refresh` (stored outputs for nbval),
:mod:`~helpers.build.cli` (the command line), :mod:`~helpers.build.clock` (the build time)
and :mod:`~helpers.build.kernel` (the Jupyter kernel). The top of the pipeline: imports
from every other layer, and nothing imports from it.
"""

__all__ = [
    "cli",
    "clock",
    "config",
    "console",
    "execute",
    "files",
    "fingerprints",
    "html",
    "index",
    "kernel",
    "lock",
    "nav",
    "params_cells",
    "pdf",
    "pipeline",
    "refresh",
    "searchable",
]
