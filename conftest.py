"""pytest's set-up for the whole project: nbval collects the report notebooks only.

``notebooks/`` is where a researcher works in JupyterLab (``make lab``), so it may hold
scratch notebooks (``Untitled.ipynb``, ``04_meta_analysis-Copy1.ipynb``). Only the report
notebooks, named ``NN_name.ipynb`` (:data:`helpers.build.config.REPORT_NOTEBOOK`, the rule
the build uses too), are nbval's test cases; the others are not collected. The tests'
own set-up is ``tests/conftest.py``.
"""

from __future__ import annotations

from helpers.build.config import REPORT_NOTEBOOK


def pytest_ignore_collect(collection_path, config):
    """Skip a notebook of ``notebooks/`` (or of a folder in it) that is not a report notebook."""
    notebooks = config.rootpath / "notebooks"
    if collection_path.suffix != ".ipynb" or not collection_path.is_relative_to(notebooks):
        return None
    if collection_path.parent == notebooks and REPORT_NOTEBOOK.fullmatch(collection_path.stem):
        return None
    return True
