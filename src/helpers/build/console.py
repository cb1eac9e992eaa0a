"""The build's messages: one logger, written as plain lines for the person at the terminal.

Progress (``[3/11] 04_meta_analysis: ok (9.6 s)``) goes to standard output and problems to
standard error, through :data:`LOG` (``logging.getLogger("helpers.build")``), so that a
program embedding the build can route or silence them with the ``logging`` module.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["LOG", "Console", "configure"]

LOG = logging.getLogger("helpers.build")


class Console(logging.Handler):
    """Progress to standard output, warnings and errors to standard error, as plain lines.

    The streams are looked up at each line, so a redirected ``sys.stdout`` is followed; a
    closed pipe (``| head``) raises ``BrokenPipeError`` to the caller, as ``print`` would.
    """

    def emit(self, record: logging.LogRecord) -> None:
        """Write one message as a line, flushed: to standard error from WARNING up, else out.

        Parameters
        ----------
        record : logging.LogRecord
            The message, formatted by the handler's formatter (by default its text alone).
        """
        stream = sys.stderr if record.levelno >= logging.WARNING else sys.stdout
        stream.write(self.format(record) + "\n")
        stream.flush()


def configure() -> None:
    """Send :data:`LOG`'s messages to the terminal (once; a handler set by the caller is kept)."""
    if not any(isinstance(h, Console) for h in LOG.handlers):
        LOG.addHandler(Console())
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
