"""What a cell may hold: one strict rule per type, stated once.

The data dictionary (``data/datapackage.yaml``) declares each column's type; this module
says which texts are values of that type. The rules are deliberately narrow, so that a
value is read one way only, on every machine and by every tool:

integer
    Plain ASCII digits with an optional leading minus: ``12``, ``-3``. No ``+``, no
    underscores (``4_10``), no exponent, no decimal point, no other scripts' digits
    (``٦``, ``６``); at most 15 digits.
number
    A finite ASCII decimal: ``4``, ``0.25``, ``-1.5``. No exponent (``1e400``), no
    ``inf``/``nan`` spellings, no underscores, no thousands separators, no decimal comma;
    at most 15 digits before the point.
boolean
    ``true`` or ``false``, in any case (spreadsheets write ``TRUE``).
text (every cell, whatever its type)
    No control or invisible formatting characters (Unicode categories Cc, Cf, Cs, Co,
    Cn, Zl and Zp: NUL, tab, line breaks, bidirectional overrides, zero-width spaces;
    only the zero-width joiners U+200C and U+200D, which some scripts need, are
    allowed), no space at either end, and at most :data:`MAX_TEXT` characters. Spaces
    at the ends are refused, never stripped: the message shows them, and the file is
    fixed where it was written.

An empty cell is "not reported" for every type; the data dictionary's ``required``
says where a value must be given.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

__all__ = [
    "MAX_DIGITS",
    "MAX_TEXT",
    "cell_problem",
    "check_choice",
    "check_flag",
    "count_noun",
    "flag",
    "is_missing",
    "parse_cell",
    "text_problem",
]

#: The longest text a cell may hold (the longest cell in the data is a few hundred characters).
MAX_TEXT = 10_000
#: The most digits an integer or a number's integer part may have (exact in a float).
MAX_DIGITS = 15

_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_NUMBER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,{MAX_DIGITS}}})?", re.ASCII)
_BOOLEAN = {"true": True, "false": False}
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_ALLOWED_FORMAT = {"\u200c", "\u200d"}
_ASCII_CONTROL = re.compile(
    r"[\x00-\x1f\x7f]"
)  # zero-width non-joiner and joiner (Persian, Indic scripts)


_CONTROL_NAMES = {
    0: "NUL",
    9: "TAB",
    10: "LINE FEED",
    13: "CARRIAGE RETURN",
    27: "ESCAPE",
    127: "DELETE",
}


def flag(name: str, value) -> bool:
    """An on/off choice as a bool: the one rule of every flag a notebook or a run takes.

    ``True`` and ``False``, or the text ``true`` or ``false`` in any case (the rule of a
    boolean cell, so ``papermill -p exclude_abstracts true`` and ``-r ... True`` mean what
    they say). Nothing else: not ``1``/``0``, ``yes``/``no`` or ``None``, so a value is
    read one way only.

    Parameters
    ----------
    name : str
        What the value is, for the message.
    value : object
        The value given.

    Returns
    -------
    bool
        The choice.

    Raises
    ------
    ValueError
        For anything else, naming what is accepted.

    Examples
    --------
    >>> flag("weighted", "TRUE"), flag("weighted", False)
    (True, False)
    >>> flag("weighted", "yes")
    Traceback (most recent call last):
    ...
    ValueError: weighted must be True or False (or the text true or false), not str 'yes'
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _BOOLEAN:
        return _BOOLEAN[value.lower()]
    raise ValueError(
        f"{name} must be True or False (or the text true or false), "
        f"not {type(value).__name__} {repr(value)[:80]}"
    )


def check_flag(name: str, value) -> None:
    """Check that ``value`` is an on/off choice (:func:`flag`): the one check of every flag.

    Parameters
    ----------
    name : str
        What the value is, for the message.
    value : object
        The value given.

    Raises
    ------
    ValueError
        For anything :func:`flag` refuses (``1``, ``"yes"`` and ``None`` are refused).

    Examples
    --------
    >>> check_flag("weighted", "yes")
    Traceback (most recent call last):
    ...
    ValueError: weighted must be True or False (or the text true or false), not str 'yes'
    """
    flag(name, value)


def check_choice(name: str, value, allowed) -> None:
    """Check that ``value`` is one of ``allowed``: the one check of every choice (a model, an
    outcome...).

    Parameters
    ----------
    name : str
        What the value is, for the message.
    value : object
        The value given.
    allowed : sequence
        The values allowed, in the order the message lists them.

    Raises
    ------
    ValueError
        Naming the value and every allowed one. ``True`` and ``False`` are never a choice
        (``True == 1`` would otherwise pass for a choice of ``1``).

    Examples
    --------
    >>> check_choice("unit", "eyes", ("patients", "lesions"))
    Traceback (most recent call last):
    ...
    ValueError: unit = 'eyes' is not allowed; allowed values: 'patients', 'lesions'
    """
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(
            f"{name} = {value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}"
        )


def count_noun(n: int, word: str, plural: str | None = None) -> str:
    """A count with its noun, singular for one: ``"1 study"``, ``"3 studies"``.

    The one way the reports write a count in words.

    Parameters
    ----------
    n : int
        The count.
    word : str
        The noun for one.
    plural : str, optional
        The noun for any other count; ``word`` with an "s" by default.

    Returns
    -------
    str

    Examples
    --------
    >>> count_noun(1, "patient"), count_noun(3, "study", "studies"), count_noun(0, "number")
    ('1 patient', '3 studies', '0 numbers')
    """
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def is_missing(value) -> bool:
    """Whether a value is missing: the one test, whatever pandas made of an empty cell.

    Parameters
    ----------
    value : object
        A cell's value.

    Returns
    -------
    bool
        True for None, ``pd.NA``, ``pd.NaT`` and NaN; False for everything else, including
        ``0`` and the empty string.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, 0, "", "N/R")]
    [True, True, True, False, False, False]
    """
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _char_name(ch: str) -> str:
    name = (
        _CONTROL_NAMES.get(ord(ch))
        or unicodedata.name(ch, "")
        or f"a control character, category {unicodedata.category(ch)}"
    )
    return f"U+{ord(ch):04X} ({name})"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a value, or None when it can.

    Parameters
    ----------
    text : str
        A cell's text, as read from the file.

    Returns
    -------
    str or None
        What is wrong, quoting the text's first 80 characters: longer than
        :data:`MAX_TEXT`, a control or invisible character (named, with its 1-based
        position), or spaces at an end. None when the text is acceptable.

    Examples
    --------
    >>> text_problem("Abbott") is None
    True
    >>> text_problem("Abbott ")
    "has a space at its end: 'Abbott '"
    """
    if len(text) > MAX_TEXT:
        return f"is {len(text):,} characters long; a cell holds at most {MAX_TEXT:,}"
    if text.isascii():  # the common case, fast: ASCII's only refused characters are its controls
        bad = _ASCII_CONTROL.search(text)
        if bad:
            return (
                f"contains the invisible or control character {_char_name(bad.group())} "
                f"at position {bad.start() + 1}: {text[:80]!r}"
            )
    else:
        for i, ch in enumerate(text):
            if unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in _ALLOWED_FORMAT:
                return (
                    f"contains the invisible or control character {_char_name(ch)} "
                    f"at position {i + 1}: {text[:80]!r}"
                )
    if text != text.strip():
        where = "at its start" if text[:1].isspace() else "at its end"
        if text[:1].isspace() and text[-1:].isspace():
            where = "at both ends"
        return f"has a space {where}: {text[:80]!r}"
    return None


def cell_problem(text: str, kind: str) -> str | None:
    """Why ``text`` cannot be a value of type ``kind`` (``integer``, ``number``, ``boolean``,
    ``string``), or None when it can. The empty text (not reported) is always a value.

    Parameters
    ----------
    text : str
        A cell's text, as read from the file.
    kind : str
        The column's type in the data dictionary; a type other than ``integer``, ``number``
        or ``boolean`` is held only to the text rule (:func:`text_problem`).

    Returns
    -------
    str or None
        What is wrong, for the message; None when the text is a value of the type.
    """
    if text == "":
        return None
    problem = text_problem(text)
    if problem:
        return problem
    if kind == "integer" and not _INTEGER.fullmatch(text):
        return (
            f"{text!r} is not a whole number in plain digits 0-9 "
            f"(like 12 or -3, at most {MAX_DIGITS} digits; "
            "no +, underscores, exponent or decimal point)"
        )
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            return (
                f"{text!r} is not a decimal number in plain digits 0-9 (like 4 or 0.25; "
                "no exponent, inf, nan, underscores or decimal comma)"
            )
        if not math.isfinite(
            float(text)
        ):  # cannot happen within MAX_DIGITS; kept as the rule's statement
            return f"{text!r} is not a finite number"
    if kind == "boolean" and text.lower() not in _BOOLEAN:
        return f"{text!r} is not true or false"
    return None


def parse_cell(text: str, kind: str):
    """The value of a cell already accepted by :func:`cell_problem` (None when empty).

    Parameters
    ----------
    text : str
        The cell's text.
    kind : str
        The column's type in the data dictionary.

    Returns
    -------
    int, float, bool, str or None
        ``int`` for ``integer``, ``float`` for ``number``, ``bool`` for ``boolean``, the
        text itself for any other type; None for the empty text.
    """
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return _BOOLEAN[text.lower()]
    return text
