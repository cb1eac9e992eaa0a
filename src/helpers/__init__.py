"""Helpers for the reproducible report of Nowaczyk et al. (2021), calcinosis cutis.

The verbs, in the order the notebooks use them::

    from helpers import load_review
    review = load_review()                 # validated DataFrames (helpers.loader)
    helpers.table1.render(review)          # Table 1 as the paper prints it
    helpers.summary.by_modality(review)    # studies and patients per modality
    helpers.claims.audit(review)           # every number the paper states, recomputed
"""

from .errors import DataValidationError, Problem
from .loader import Review, load_review

__all__ = ["DataValidationError", "Problem", "Review", "load_review"]
