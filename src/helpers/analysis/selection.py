"""Which studies a statement speaks of: one selector for Table 2's rows, claims and pooling.

A selection names modalities (one, a family, a list, or all) and yields the studies of
those modalities, in the data's order.

Every selection of studies is also reported to :func:`recording`: a computation evaluated
inside ``with recording() as refs:`` leaves in ``refs`` the studies it selected, whichever
way it selected them (:func:`studies_of`, or :func:`record_studies` where a computation
picks studies by other means). The claims audit lists them beside each number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd

from helpers.data.errors import NotComputable
from helpers.data.loader import Review

__all__ = ["record_studies", "recording", "select_modalities", "studies_of"]

_RECORDER: ContextVar[set[int] | None] = ContextVar("studies_used", default=None)


@contextmanager
def recording() -> Iterator[set[int]]:
    """Record the studies the computations inside the block select.

    Yields
    ------
    set of int
        Filled, as the block runs, with the reference number of every study selected
        (:func:`studies_of`, :func:`record_studies`). Blocks nest; an inner block's
        studies are added to the outer one's too.

    Examples
    --------
    >>> with recording() as refs:
    ...     record_studies([4, 17])
    >>> sorted(refs)
    [4, 17]
    """
    outer = _RECORDER.get()
    refs: set[int] = set()
    token = _RECORDER.set(refs)
    try:
        yield refs
    finally:
        _RECORDER.reset(token)
        if outer is not None:
            outer |= refs


def record_studies(refs: Iterable) -> None:
    """Report studies a computation selected to the open :func:`recording` (if any).

    Parameters
    ----------
    refs : iterable of int
        Reference numbers of the studies selected.
    """
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.update(int(r) for r in refs)


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
    studies = review.studies[review.studies["modality"].isin(modalities)]
    record_studies(studies.index)
    return studies


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
