"""Helpers for the reproducible report of Nowaczyk et al. (2021), calcinosis cutis.

The package is the review's pipeline in four layers, each importing only from those
before it: :mod:`helpers.data` (files read and validated) ← :mod:`helpers.analysis` (what
is computed) ← :mod:`helpers.report` (how it is shown) ← :mod:`helpers.build` (notebooks
executed into HTML reports). The verbs, in the order the notebooks use them::

    from helpers import load_review
    from helpers.analysis import claims, summary, table1

    review = load_review()          # validated DataFrames (helpers.data.loader)
    table1.render(review)           # Table 1 as the paper prints it
    summary.by_modality(review)     # studies and patients per modality
    claims.audit(review)            # every number the paper states, recomputed
"""

from helpers.data.errors import DataValidationError, Problem
from helpers.data.loader import Review, load_review

__all__ = ["DataValidationError", "Problem", "Review", "load_review"]
