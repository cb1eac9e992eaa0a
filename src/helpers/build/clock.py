"""The build's one timestamp, from ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""

from __future__ import annotations

import datetime as _dt
import os
import sys

from helpers.build.console import LOG, configure
from helpers.data.errors import SetupError

__all__ = ["build_time", "exit_on_bad_epoch"]


def build_time() -> _dt.datetime:
    """The build's timestamp: ``SOURCE_DATE_EPOCH`` when set, else now (UTC).

    Returns
    -------
    datetime
        Timezone-aware, in UTC: the epoch's second when ``SOURCE_DATE_EPOCH`` is set and
        not empty, else the current time to the second.

    Raises
    ------
    SetupError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds since 1970.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch != "":
        if not (epoch.isascii() and epoch.isdigit() and len(epoch) <= 11):
            raise SetupError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 "
                f"(like 1624492800), not {epoch[:40]!r}"
            )
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise SetupError(f"SOURCE_DATE_EPOCH {epoch!r} is out of range") from None
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)


def exit_on_bad_epoch() -> None:
    """Exit with status 2 and one line when ``SOURCE_DATE_EPOCH`` is malformed.

    Called by ``python -m helpers.build`` before numpy and scipy are imported: they read
    ``SOURCE_DATE_EPOCH`` at import and would stop with a traceback.
    """
    try:
        build_time()
    except SetupError as exc:
        configure()
        LOG.error(f"error: {exc}")
        sys.exit(2)
