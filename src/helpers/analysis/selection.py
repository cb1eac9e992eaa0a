"""Which studies a statement speaks of: one selector for Table 2's rows, claims and pooling.

A selection names modalities (one, a family, a list, or all) and yields the studies of
those modalities, in the data's order.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.errors import NotComputable
from helpers.data.loader import Review

__all__ = ["select_modalities", "studies_of"]


def studies_of(review: Review, modalities: list[str]) -> pd.DataFrame:
    """The studies of ``modalities``, in the data's order.

    Parameters
    ----------
    review : Review
    modalities : list of str
        Modality names (``vocabularies/modalities.csv``).

    Returns
    -------
    DataFrame
        The rows of ``review.studies`` whose modality is one of ``modalities``.
    """
    return review.studies[review.studies["modality"].isin(modalities)]


def select_modalities(
    review: Review,
    modality: str | None = None,
    family: str | None = None,
    modalities: list[str] | None = None,
) -> list[str]:
    """The modalities a claim speaks of: one modality, a family, a list, or all.

    The conditions given are combined (a modality must meet each); with none given, every
    modality is chosen.

    Parameters
    ----------
    review : Review
    modality : str, optional
        One modality name (``vocabularies/modalities.csv``).
    family : str, optional
        A family of modalities (``vocabularies/families.csv``, e.g. ``"laser"``).
    modalities : list of str, optional
        Modality names to choose among.

    Returns
    -------
    list of str
        The chosen modality names, in the paper's order (``order`` in the vocabulary).

    Raises
    ------
    NotComputable
        When no modality of the data meets the conditions.
    """
    chosen = [
        m
        for m, f in review.modalities["family"].items()
        if (modality is None or m == modality)
        and (family is None or f == family)
        and (modalities is None or m in modalities)
    ]
    # the arguments exist (the loader checked them); the data hold no such modality now
    if not chosen:
        what = ", ".join(
            f"{k} {v}"
            for k, v in (("modality", modality), ("family", family), ("modalities", modalities))
            if v
        )
        raise NotComputable(f"no modality of {what}")
    return chosen
