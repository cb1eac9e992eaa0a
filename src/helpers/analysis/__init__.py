"""The analysis layer: what the review computes from the data.

Summaries, Table 1 and Table 2 recomputed, the claims audit and its computations, the
project's readings and inferences, risk-of-bias ratings, PRISMA arithmetic, and the
meta-analysis (proportions pooled by GLMM, REML, DerSimonian–Laird and Freeman–Tukey)
and its multiverse (every combination of the analytic choices), and the Summary of Findings
with its GRADE certainty.
Imports from ``helpers.data`` only.
"""

__all__ = [
    "certainty",
    "changes",
    "checks",
    "claims",
    "computations",
    "glmm",
    "inferences",
    "meta",
    "multiverse",
    "pooling",
    "prisma",
    "readings",
    "rob",
    "selection",
    "summary",
    "table1",
    "table2",
]
