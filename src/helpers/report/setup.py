"""A notebook's set-up in one call: its parameters checked, the display configured, the
review loaded.

Each notebook's first cell after ``parameters`` is::

    from helpers.report.setup import start

    review = start(data_dir=data_dir, output_dir=output_dir)

so that a bad parameter stops the run there, before anything is computed, and the rest of
the notebook is its story.
"""

from __future__ import annotations

import matplotlib
import pandas as pd

from helpers.data.editions import LATEST
from helpers.data.loader import Review, load_review
from helpers.report import params, wording

__all__ = ["BACKEND", "DISPLAY_OPTIONS", "start"]

#: The plotting backend of the notebooks (inline figures, also under papermill).
BACKEND = "module://matplotlib_inline.backend_inline"
#: pandas' display options in the notebooks: whole cells, and long tables shown whole.
DISPLAY_OPTIONS = {"display.max_colwidth": None, "display.max_rows": 300}


def start(**parameters) -> Review:
    """Check a notebook's parameters, configure the display and load the review.

    The display is the plotting backend (:data:`BACKEND`), pandas' display options
    (:data:`DISPLAY_OPTIONS`) and the words tables show for the review's vocabulary keys
    (:func:`helpers.report.wording.use_vocabulary`).

    Parameters
    ----------
    **parameters
        Every parameter the notebook declares, by name (``data_dir=data_dir, ...``).

    Returns
    -------
    Review
        The review loaded from ``data_dir`` (the project's ``data/`` when it is None or not
        a parameter of the notebook), at the ``edition`` the notebook asks for (the last
        when it is not a parameter of the notebook).

    Raises
    ------
    ParameterError
        For a parameter the notebook does not declare or a value it cannot take
        (:func:`helpers.report.params.check_parameters`).
    DataValidationError
        When the data are not valid, or hold no edition of that name.
    """
    params.check_parameters(**parameters)
    matplotlib.use(BACKEND)
    for option, value in DISPLAY_OPTIONS.items():
        pd.set_option(option, value)
    review = load_review(parameters.get("data_dir")).edition(parameters.get("edition", LATEST))
    wording.use_vocabulary(review)
    return review
