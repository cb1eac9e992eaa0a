"""Each notebook's ``parameters`` cell written from the one specification
(:mod:`helpers.report.params`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.report.params import NOTEBOOK_PARAMETERS, parameters_cell

if TYPE_CHECKING:  # for annotations only: the module is imported where it is used
    import nbformat

__all__ = ["write_parameters_cell"]


def write_parameters_cell(nb: nbformat.NotebookNode, notebook: str) -> bool:
    """Set a notebook's ``parameters`` cell to the specification's (``make notebooks`` does it).

    Parameters
    ----------
    nb : NotebookNode
        The notebook, changed in place.
    notebook : str
        Its name without ``.ipynb``; a notebook the specification does not know is left as it is.

    Returns
    -------
    bool
        Whether the cell was set.
    """
    if notebook not in NOTEBOOK_PARAMETERS:
        return False
    cell = next(
        (c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None
    )
    if cell is None:
        return False
    cell.source = parameters_cell(notebook)
    return True
