"""Register the project's Jupyter kernel inside the virtual environment.

Usage: ``python -m helpers.build.kernel`` (``make`` does it once, after installing the lock).

The kernel is installed under ``sys.prefix`` (``.venv/share/jupyter/kernels``), so it
belongs to this environment and nothing is written to the user's home. Its own process
log is limited to critical messages: otherwise every execution prints ipykernel's
transport warning, and shutdown sometimes prints a harmless interrupt. Errors in cells
are not affected: they reach papermill, nbval and JupyterLab through the notebook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.build.console import LOG, configure

__all__ = ["DISPLAY_NAME", "KERNEL_NAME", "QUIET", "install"]

KERNEL_NAME = "calcinosis-review"
DISPLAY_NAME = "Python (calcinosis review)"
QUIET = "--IPKernelApp.log_level=CRITICAL"


def install() -> Path:
    """Install (or reinstall) the kernelspec; return its folder.

    Returns
    -------
    Path
        The kernelspec's folder under ``sys.prefix`` (``share/jupyter/kernels/<name>``),
        whose ``kernel.json`` now ends its command with :data:`QUIET`.
    """
    from ipykernel.kernelspec import install as ipykernel_install

    folder = Path(
        ipykernel_install(kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=sys.prefix)
    )
    spec_file = folder / "kernel.json"
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    if QUIET not in spec["argv"]:
        spec["argv"].append(QUIET)
    spec_file.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    configure()
    LOG.info(f"installed kernel {KERNEL_NAME!r} in {install()}")
