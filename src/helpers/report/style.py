"""One style for every figure: a colour-blind-safe palette, fonts and sizes.

The palette is Okabe and Ito's (2008), safe for the common colour-vision deficiencies.
:func:`use` applies the settings; figures call it, so they look the same in JupyterLab,
in the HTML reports and in the files under ``reports/runs/<run>/figures/``.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["COLOURS", "COLOUR_NAMES", "FONT_SIZE", "OKABE_ITO", "colour_name", "use"]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: Colours by meaning, used across figures.
COLOURS = {
    "study": OKABE_ITO["blue"],
    "pooled": OKABE_ITO["vermillion"],
    "prediction": OKABE_ITO["orange"],
    "reference": "#777777",
    "complete": OKABE_ITO["green"],
    "partial": OKABE_ITO["sky_blue"],
    "none": OKABE_ITO["vermillion"],
    "unknown": "#BBBBBB",
}
#: The palette's colours in words, for captions and alt text that say what is drawn.
COLOUR_NAMES = {
    OKABE_ITO["black"]: "black",
    OKABE_ITO["orange"]: "amber",
    OKABE_ITO["sky_blue"]: "sky-blue",
    OKABE_ITO["green"]: "green",
    OKABE_ITO["yellow"]: "yellow",
    OKABE_ITO["blue"]: "blue",
    OKABE_ITO["vermillion"]: "vermillion",
    OKABE_ITO["purple"]: "pink",
    "#777777": "grey",
    "#BBBBBB": "light grey",
}
FONT_SIZE = 9


def colour_name(meaning: str) -> str:
    """The colour of :data:`COLOURS` ``[meaning]`` in words ("amber"), for a caption.

    Parameters
    ----------
    meaning : str
        A key of :data:`COLOURS`.

    Returns
    -------
    str
        Its name (:data:`COLOUR_NAMES`).

    Examples
    --------
    >>> colour_name("prediction")
    'amber'
    """
    return COLOUR_NAMES[COLOURS[meaning]]


def use() -> None:
    """Apply the project's matplotlib settings.

    Deterministic output: no SVG hash salt drift; no math parsing.
    """
    mpl.rcParams.update(
        {
            "font.size": FONT_SIZE,
            "axes.titlesize": FONT_SIZE + 1,
            "axes.labelsize": FONT_SIZE,
            "xtick.labelsize": FONT_SIZE - 1,
            "ytick.labelsize": FONT_SIZE - 1,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "svg.hashsalt": "calcinosis-review",
            "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())[1:]),
            # Text from the data is text: a "$" in a label is a dollar sign, never the start
            # of mathtext (which could also fail to parse and stop a report).
            "text.parse_math": False,
            "text.usetex": False,
        }
    )
