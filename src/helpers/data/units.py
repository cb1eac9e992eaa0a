"""Units and the paper's conversion rules, written once.

Time
    Table 1 prints durations in months unless a unit follows the number ("10 weeks",
    "7 years"). Table 2 pools them in months, and its values imply **1 month = 4
    weeks**: 2 weeks appear as 0.5 months and 1 week as 0.25 (intralesional STS),
    9 weeks as 2.25 (ESWL), 22 weeks as 5.5 (ESWL followed by intralesional STS). A
    year is 12 months. The same month is used for treatment frequencies, so a daily
    treatment is 28 sessions per month.

Frequency
    Table 1 prints frequencies as text ("Twice a day", "Once every 3 weeks",
    "Two or three sessions", "Single session or once a week"). :func:`parse_frequency`
    turns such a text into a range of sessions per month (for a rate) and a range of
    total sessions (for a count of sessions); a text it does not understand is an
    error, so a new study cannot slip in an unreadable frequency.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from helpers.data.values import is_missing

__all__ = [
    "CALENDAR_DAYS_PER_MONTH",
    "CALENDAR_MONTHS_PER_UNIT",
    "DAYS_PER_WEEK",
    "FREQUENCY_FORMS",
    "MONTHS_PER_UNIT",
    "MONTHS_PER_YEAR",
    "WEEKS_PER_MONTH",
    "Alternative",
    "Frequency",
    "parse_frequency",
    "to_months",
]

WEEKS_PER_MONTH = 4
DAYS_PER_WEEK = 7
MONTHS_PER_YEAR = 12

#: How many months one unit is.
MONTHS_PER_UNIT = {
    "days": 1 / (DAYS_PER_WEEK * WEEKS_PER_MONTH),
    "weeks": 1 / WEEKS_PER_MONTH,
    "months": 1.0,
    "years": float(MONTHS_PER_YEAR),
}


#: The calendar month, in days: the alternative to the four-week month
#: (:mod:`helpers.analysis.readings`, reading ``four-week-month``).
CALENDAR_DAYS_PER_MONTH = 365.25 / MONTHS_PER_YEAR
CALENDAR_MONTHS_PER_UNIT = {
    "days": 1 / CALENDAR_DAYS_PER_MONTH,
    "weeks": DAYS_PER_WEEK / CALENDAR_DAYS_PER_MONTH,
    "months": 1.0,
    "years": float(MONTHS_PER_YEAR),
}


def to_months(value: float | None, unit: str | None, four_week_month: bool = True) -> float:
    """Convert a duration to months with the paper's rule (1 month = 4 weeks).

    The rule is the project's reading (``four-week-month`` in :mod:`helpers.analysis.readings`);
    ``four_week_month=False`` uses the calendar month (:data:`CALENDAR_DAYS_PER_MONTH`).

    Parameters
    ----------
    value : float or None
        The duration; ``None`` or NaN give NaN.
    unit : {"days", "weeks", "months", "years"}
        The unit the value is printed in.
    four_week_month : bool
        Four weeks to the month (the default), or the calendar month.

    Returns
    -------
    float
        The duration in months.

    Examples
    --------
    >>> to_months(22, "weeks")
    5.5
    >>> to_months(7, "years")
    84.0
    >>> round(to_months(9, "weeks", four_week_month=False), 3)
    2.07
    """
    if is_missing(value):
        return math.nan
    try:
        return (
            float(value) * (MONTHS_PER_UNIT if four_week_month else CALENDAR_MONTHS_PER_UNIT)[unit]
        )
    except KeyError:
        raise ValueError(
            f"unknown time unit {unit!r}; allowed: {sorted(MONTHS_PER_UNIT)}"
        ) from None


_TIMES = {"once": 1, "twice": 2, "three times": 3, "four times": 4, "five times": 5}
_COUNTS = {"single": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_PERIOD_MONTHS = {
    "day": MONTHS_PER_UNIT["days"],
    "week": MONTHS_PER_UNIT["weeks"],
    "month": 1.0,
    "year": 12.0,
}

FREQUENCY_FORMS = (
    "'<once|twice|three times> a <day|week|month>'",
    "'once every <n> <days|weeks|months>'",
    "'single session', '<n> sessions'",
    "alternatives joined by 'or', 'to' or '/' ('Twice or three times a day', 'Twice a week/month')",
)


@dataclass(frozen=True)
class Alternative:
    """One alternative of a printed frequency: a rate or a number of sessions.

    Attributes
    ----------
    kind : {"rate", "count"}
        ``rate``: sessions per month; ``count``: a total number of sessions.
    value : float
        Sessions per month (rate) or sessions (count).
    phrase : str
        The alternative as printed, completed with the period it borrows
        ("twice" in "Twice or three times a day" is "twice a day").
    """

    kind: str
    value: float
    phrase: str

    def rank(self) -> tuple[int, float]:
        """Order of intensity: any fixed number of sessions ranks below any recurring rate.

        This is the order Table 2 uses ("Single session to once a month").

        Returns
        -------
        tuple of (int, float)
            ``(0, sessions)`` for a count, ``(1, sessions per month)`` for a rate: a sort key.
        """
        return (0 if self.kind == "count" else 1, self.value)


@dataclass(frozen=True)
class Frequency:
    """A treatment frequency, normalised where the text allows.

    Attributes
    ----------
    text : str
        The frequency as printed.
    sessions_per_month_low, sessions_per_month_high : float
        Range of the rate, in sessions per month (NaN when the text gives no rate).
    total_sessions_low, total_sessions_high : float
        Range of the total number of sessions (NaN when the text gives no count).
    alternatives : tuple of Alternative
        Each alternative the text names, as printed.
    """

    text: str
    sessions_per_month_low: float = math.nan
    sessions_per_month_high: float = math.nan
    total_sessions_low: float = math.nan
    total_sessions_high: float = math.nan
    alternatives: tuple[Alternative, ...] = ()


def _parse_alternative(part: str, inherited: str) -> Alternative:
    """Read one alternative ("twice a day", "once every 3 weeks", "two sessions")."""
    part = part.strip()
    if re.search(
        r"(?<![\d.])0+(?:\.0+)? ", part
    ):  # "once every 0 weeks", "0 sessions", "0 times a day"
        raise ValueError(part)
    # Numbers of at most 4 digits and 2 decimals: "once every 0.000...01 days" would underflow.
    m = re.fullmatch(r"once every ([0-9]{1,4}(?:\.[0-9]{1,2})?) (day|week|month)s?", part)
    if m:
        return Alternative("rate", 1 / (float(m.group(1)) * _PERIOD_MONTHS[m.group(2)]), part)
    m = re.fullmatch(r"(single|one|two|three|four|five|six|seven|[0-9]{1,4}) sessions?", part)
    if m:
        word = m.group(1)
        return Alternative("count", float(_COUNTS.get(word, word)), part)
    m = re.fullmatch(
        r"(once|twice|three times|four times|five times|[0-9]{1,4} times) "
        r"(?:a|per) (day|week|month|year)",
        part,
    )
    if m:
        times = _TIMES.get(m.group(1)) or float(m.group(1).split()[0])
        return Alternative("rate", times / _PERIOD_MONTHS[m.group(2)], part)
    # A bare count borrows its period from the alternative after it:
    # "Twice or three times a day", "Two or three sessions", "One to three sessions".
    if inherited and re.fullmatch(r"[a-z0-9 ]+", part) and not part.endswith(inherited):
        phrase = re.sub(r"^(one|single) sessions$", r"\1 session", f"{part} {inherited}")
        return _parse_alternative(phrase, "")
    raise ValueError(part)


def parse_frequency(text: str | None) -> Frequency:
    """Normalise a printed treatment frequency.

    Parameters
    ----------
    text : str or None
        The frequency as Table 1 prints it; ``None``, NaN or ``""`` mean not reported.

    Returns
    -------
    Frequency
        Sessions per month and total sessions, each a low-high range.

    Raises
    ------
    ValueError
        When the text is not one of the forms in :data:`FREQUENCY_FORMS`.

    Examples
    --------
    >>> f = parse_frequency("Once or twice a week")
    >>> (f.sessions_per_month_low, f.sessions_per_month_high)
    (4.0, 8.0)
    >>> parse_frequency("Single session or once a week").total_sessions_low
    1.0
    """
    if is_missing(text) or not str(text).strip():
        return Frequency(text="")
    original = str(text)
    t = original.strip().lower()
    # "Twice a week/month" -> "twice a week" or "twice a month"
    m = re.fullmatch(r"(.+ a) (\w+)/(\w+)", t)
    if m:
        t = f"{m.group(1)} {m.group(2)} or {m.group(1)} {m.group(3)}"
    parts = re.split(r" or | to ", t)
    alternatives: list[Alternative] = []
    inherited = ""
    for part in reversed(parts):
        try:
            alternatives.insert(0, _parse_alternative(part, inherited))
        except ValueError:
            raise ValueError(
                f"cannot read the frequency {original!r}; the forms understood are: "
                + "; ".join(FREQUENCY_FORMS)
            ) from None
        tail = re.search(r"((?:a|per) (?:day|week|month|year)|sessions?)$", part)
        inherited = tail.group(1) if tail else inherited
    rates = [a.value for a in alternatives if a.kind == "rate"]
    counts = [a.value for a in alternatives if a.kind == "count"]
    return Frequency(
        text=original,
        sessions_per_month_low=min(rates) if rates else math.nan,
        sessions_per_month_high=max(rates) if rates else math.nan,
        total_sessions_low=min(counts) if counts else math.nan,
        total_sessions_high=max(counts) if counts else math.nan,
        alternatives=tuple(alternatives),
    )
