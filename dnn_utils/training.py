"""Progress lines while training, and skipping long cells while a notebook is graded.

Grading runs every cell of a notebook, but only the checks under the
exercises score points, and they use small synthetic examples. The cells that
train on the full cat data would only make grading slow, so they start with
the cell magic ``%%skip_when_grading`` (loaded by ``%load_ext dnn_utils.training``)
and carry the cell tag ``skip-when-grading``:

- when a student runs the notebook, such a cell runs as usual;
- when grading, it prints one line saying it was skipped and why.

"Grading" means: nbgrader is executing the notebook (it sets
``NBGRADER_EXECUTION`` to ``autograde`` or ``validate`` in the kernel's
environment), or ``DNN_SKIP_TRAINING`` is set to a non-empty value other than
``0`` (for other graders and for quick test runs).
"""
import os
import time

SKIP_ENV = "DNN_SKIP_TRAINING"
NBGRADER_ENV = "NBGRADER_EXECUTION"
CELL_TAG = "skip-when-grading"
BAR_WIDTH = 20


def grading_reason(environ=None):
    """Why long cells are skipped now, or "" when they should run.

    Args:
        environ: mapping to read instead of ``os.environ`` (for tests).
    """
    environ = os.environ if environ is None else environ
    if environ.get(NBGRADER_ENV):
        return f"nbgrader is running this notebook ({NBGRADER_ENV}={environ[NBGRADER_ENV]})"
    if environ.get(SKIP_ENV, "") not in ("", "0"):
        return f"{SKIP_ENV} is set"
    return ""


def progress_line(i, num_iterations, cost, unit="iteration"):
    """One line of training progress: the cost, a bar and the share of iterations done.

    ``unit`` names what ``i`` counts ("iteration", or "epoch" for mini-batch training).

    >>> progress_line(100, 400, 0.5)
    'Cost after iteration 100: 0.500000  [#####...............]  25%'
    """
    done = i / num_iterations if num_iterations else 1.0
    filled = int(BAR_WIDTH * done)
    return (f"Cost after {unit} {i}: {float(cost):.6f}  "
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * done:3.0f}%")


def print_progress(i, num_iterations, cost, unit="iteration"):
    """Print ``progress_line(i, num_iterations, cost, unit)`` right away (flushed)."""
    print(progress_line(i, num_iterations, cost, unit), flush=True)


def skip_when_grading(line, cell):
    """Cell magic: run the cell, unless a grader is running the notebook.

    The cell's code runs in the notebook's namespace, as if the magic line
    were not there; the time it took is printed at the end. ``line`` may hold
    a short description used in the message printed when skipped.
    """
    from IPython import get_ipython
    what = line.strip() or "this cell"
    reason = grading_reason()
    if reason:
        print(f"Skipped {what} while grading: {reason}.")
        return
    __tracebackhide__ = True   # a failing line is shown in the student's cell, not in this magic
    shell = get_ipython()
    started = time.perf_counter()
    # One blank line for the magic's own line, so that line numbers are the cell's; the source is
    # registered with IPython's compiler cache so that a traceback shows the failing line.
    source = "\n" + shell.transform_cell(cell)
    filename = shell.compile.cache(source, shell.execution_count, raw_code="\n" + cell)
    code = compile(source, filename, "exec")
    exec(code, shell.user_ns)  # noqa: S102  (the notebook's own cell, as Jupyter would run it)
    elapsed = time.perf_counter() - started
    if elapsed >= 1.0:
        print(f"({what} took {elapsed:.1f} s)")


def load_ipython_extension(ipython):
    """``%load_ext dnn_utils.training`` registers ``%%skip_when_grading``."""
    ipython.register_magic_function(skip_when_grading, magic_kind="cell")
