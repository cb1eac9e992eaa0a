"""``python -m helpers.build`` (and ``calcinosis-report``): build every report.

See :mod:`helpers.build.cli`. ``SOURCE_DATE_EPOCH`` is checked before anything imports
numpy or scipy, which read it at import time.
"""

import sys

from helpers.build.clock import exit_on_bad_epoch

exit_on_bad_epoch()

from helpers.build.cli import main  # noqa: E402  (after the check above, on purpose)

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
