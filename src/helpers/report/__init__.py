"""The report layer: how the analysis is shown in a notebook.

Style, wording (the words shown for the data's names), tables, figures (forest, PRISMA,
risk-of-bias and outcome plots, specification curves), prose, the notebooks' parameters and
set-up. Imports from ``helpers.data`` and ``helpers.analysis``.
"""

__all__ = [
    "figures",
    "forest",
    "headline",
    "multiverse",
    "paper_page",
    "params",
    "pooled_results",
    "prisma_flow",
    "risk_of_bias",
    "setup",
    "since_the_paper",
    "style",
    "summary_of_findings",
    "tables",
    "wording",
]
