"""Reading the course notebooks in tests."""
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def source_notebook(assignment):
    return nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def grade_cells(nb):
    """{grade_id: cell} of the cells nbgrader tracks."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def solution_namespace(nb):
    """Execute the setup cell (without its IPython magics) and every answer cell; return the namespace."""
    import numpy as np

    import dnn_utils
    namespace = {"np": np, **{name: getattr(dnn_utils, name) for name in dnn_utils.__all__}}
    setup = grade_cells(nb).get("setup")
    if setup is not None:
        python = "\n".join(line for line in setup.source.splitlines() if not line.lstrip().startswith("%"))
        exec(compile(python, "<setup cell>", "exec"), namespace)
    from autograder.examples import solutions
    for code in solutions(nb).values():
        exec(compile(code, "<source solution>", "exec"), namespace)
    return namespace
