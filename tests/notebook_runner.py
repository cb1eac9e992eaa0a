"""Run a notebook's code in this process, the way the kernel would, rendering what it shows.

For tests that run the notebooks on many data sets: starting a kernel per notebook costs
seconds, and what these tests look for is an exception in the notebook's own code or in
rendering its outputs. Every code cell runs in order in one namespace, after the
``parameters`` cell with the given values; a cell's last expression and everything passed
to ``display`` is rendered as the kernel would render it (HTML, Markdown, a figure drawn
to PNG), so a failure while rendering is a failure here too.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path


def _render(obj) -> None:
    import matplotlib.figure

    if obj is None:
        return
    if isinstance(obj, matplotlib.figure.Figure):
        obj.savefig(io.BytesIO(), format="png", dpi=20)
        return
    for method in ("_repr_html_", "_repr_markdown_"):
        if hasattr(obj, method):
            getattr(obj, method)()
            return
    repr(obj)


def run_notebook(path: Path, **parameters) -> dict:
    """Execute ``path``'s code cells with ``parameters``; return the namespace.

    Raises whatever a cell raises, with the cell's number added to the message.
    """
    import matplotlib

    matplotlib.use("Agg")
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    namespace: dict = {"__name__": "__main__"}
    shown = []

    def display(*objs, **kwargs):
        shown.extend(objs)

    import IPython.display

    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.ExitStack() as stack:
            stack.enter_context(_patched(IPython.display, "display", display))
            stack.enter_context(_patched(matplotlib, "use", lambda *a, **k: None))
            try:
                exec(compile(tree, f"<{Path(path).name} cell {i}>", "exec"), namespace)
                if last is not None:
                    shown.append(
                        eval(
                            compile(
                                ast.Expression(last.value), f"<{Path(path).name} cell {i}>", "eval"
                            ),
                            namespace,
                        )
                    )
                if "parameters" in cell["metadata"].get("tags", []):
                    namespace.update(parameters)
                for obj in shown:
                    _render(obj)
            except Exception as exc:
                raise type(exc)(f"{Path(path).name}, cell {i}: {exc}") from exc
            finally:
                shown.clear()
        import matplotlib.pyplot as plt

        plt.close("all")
    return namespace


@contextlib.contextmanager
def _patched(module, name: str, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)
