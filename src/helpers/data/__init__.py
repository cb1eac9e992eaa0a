"""The data layer: the review's files read, validated and typed.

Paths, errors, the data dictionary and its rules, readers of CSV and YAML, plain values and
units, the paper's text and printed notation, the registers (claims, Table 2 notes, what is
not a claim, the certainty judgments), the loader and its cache. Nothing here imports from
``analysis``, ``report`` or ``build``.
"""

from helpers.data.errors import DataValidationError, Problem
from helpers.data.loader import Review, load_review

__all__ = ["DataValidationError", "Problem", "Review", "load_review"]
