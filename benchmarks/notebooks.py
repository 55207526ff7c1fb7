"""How long the course's notebooks take to run: as a student runs them, and as the grader runs them.

Executes with nbclient (a real ``python3`` kernel, the notebook's own folder as
working directory, ``OPENBLAS_NUM_THREADS=1``, matplotlib's Agg backend, this
project on ``PYTHONPATH``):

- each source notebook (``source/<a>/<a>.ipynb``) twice: **with experiments**,
  as a student runs it (``DNN_SKIP_TRAINING`` and ``NBGRADER_EXECUTION`` unset:
  the long trainings run), and **as graded** (``DNN_SKIP_TRAINING=1`` in the
  kernel's environment, as the batch grader runs it: long cells are skipped);
- each companion notebook (``notebooks/*.ipynb``) with experiments, marked
  against the two-minute target of issue 15;
- first, as the baseline of the same run, an empty notebook (a kernel's start
  and stop), which every figure includes.

The kernel gets ``DNN_GRADING_SALT`` (a throw-away salt): the source notebooks' checks run
hidden cases, as on the instructor's machine. Notebooks that read the cat images are
skipped, with the loader's message, when the data is not found
(``dnn_utils.data.data_folder``, as ``tests/conftest.py`` does).

    OPENBLAS_NUM_THREADS=1 python benchmarks/notebooks.py [--only NAME ...] [--timeout 900] [--quick]

``--quick``: the empty notebook and ``step_by_step`` only (a smoke test); every other row says skipped.
"""
import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 120          # issue 15: each companion notebook under two minutes
NEEDS_CAT_DATA = ("load_cat_data", "cat_data")
QUICK = {"step_by_step"}
SALT = "benchmark-salt"       # the source notebooks' checks run hidden cases: they need a salt
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@contextlib.contextmanager
def environment(**values):
    """``os.environ`` with ``values`` set (None: removed) while the block runs (the kernel
    nbclient starts inherits it)."""
    saved = dict(os.environ)
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def cat_data_missing():
    """Why the cat data cannot be used here, or "" when it can (as tests/conftest.py finds it)."""
    sys.path.insert(0, str(ROOT))
    from dnn_utils.data import CatDataError, data_folder
    try:
        data_folder()
    except CatDataError as exc:
        return f"cat data not available: {exc}"
    return ""


def execute(nb, folder, graded, timeout):
    """Seconds to run ``nb`` top to bottom in a fresh kernel, and "" or why it failed."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    with environment(OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONPATH=path, DNN_GRADING_SALT=SALT,
                     NBGRADER_EXECUTION=None, DNN_SKIP_TRAINING="1" if graded else None):
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}})
        started = time.perf_counter()
        try:
            client.execute()
            failure = ""
        except (CellExecutionError, CellTimeoutError) as exc:
            last = ANSI.sub("", str(exc)).strip().splitlines()[-1]
            failure = f"{type(exc).__name__}: {last[:160]}"
        return time.perf_counter() - started, failure


def needs_cat_data(nb):
    return any(word in cell.source for cell in nb.cells if cell.cell_type == "code" for word in NEEDS_CAT_DATA)


def plan(only, quick):
    """(label, path, mode, is companion) for every run, in order."""
    runs = []
    for folder in sorted(p for p in (ROOT / "source").iterdir() if p.is_dir()):
        path = folder / f"{folder.name}.ipynb"
        if path.is_file():
            runs += [(folder.name, path, "with experiments", False), (folder.name, path, "as graded", True)]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        runs.append((path.stem, path, "with experiments", False))
    chosen = set(only) if only else None
    return [(name, path, mode, graded, (chosen is not None and name not in chosen) or (quick and name not in QUICK))
            for name, path, mode, graded in runs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="notebook names (e.g. step_by_step application)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a cell may take")
    parser.add_argument("--quick", action="store_true", help="the empty notebook and step_by_step only")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for comparable timings", file=sys.stderr)
    missing = cat_data_missing()
    print(f"notebook execution times (nbclient, python3 kernel, OPENBLAS_NUM_THREADS=1, cores: {os.cpu_count()})")
    if missing:
        print(f"note: {missing}; the notebooks that read it are skipped")
    baseline, _ = execute(nbformat.v4.new_notebook(), ROOT, False, args.timeout)
    width = 52
    print(f"{'notebook':<{width}} {'mode':<17} {'seconds':>8}  notes")
    print(f"{'(empty notebook: kernel start and stop)':<{width}} {'baseline':<17} {baseline:>8.1f}")
    failed = 0
    for name, path, mode, graded, skipped in plan(args.only, args.quick):
        shown = str(path.relative_to(ROOT))
        companion = path.parent.name == "notebooks"
        target = f"target <= {TARGET_SECONDS} s: " if companion else ""
        if skipped:
            print(f"{shown:<{width}} {mode:<17} {'-':>8}  skipped ({'--quick' if args.quick else 'not in --only'})")
            continue
        nb = nbformat.read(path, as_version=4)
        if missing and needs_cat_data(nb):
            print(f"{shown:<{width}} {mode:<17} {'-':>8}  skipped (no cat data)")
            continue
        seconds, failure = execute(nb, path.parent, graded, args.timeout)
        notes = []
        if companion:
            notes.append(target + ("met" if seconds <= TARGET_SECONDS and not failure else "NOT met"))
        if failure:
            failed += 1
            notes.append(f"FAILED ({failure})")
        print(f"{shown:<{width}} {mode:<17} {seconds:>8.1f}  {'; '.join(notes)}".rstrip(), flush=True)
    print(f"(each figure includes the baseline's {baseline:.1f} s of kernel start and stop)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
