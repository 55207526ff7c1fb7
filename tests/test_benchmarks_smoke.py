"""The issue-15 benchmarks run (``--quick``, in a real subprocess) and print every figure they promise.

Only that the figures are there and are numbers: what they measure is never asserted here
(performance claims come from the benchmarks themselves, run on purpose)."""
import os
import re
import subprocess
import sys

import pytest

from notebook_tools import ROOT

NUMBER = r"(-?\d+(?:\.\d+)?)"
COST_LABELS = ["start (Zygote.spawn)", "cells (_Session.run_cells)", "seal (before observers)",
               "observer fork (observer -> forked)", "round trips (waiting for observations)",
               "round trips (sending cases, reading observations)", "calls (oracle answers, trusted side)",
               "observer stop/end", "judging (grading._judged)", "sandbox close", "store (start_attempt + save)",
               "rest", "total"]
# the pipeline's steps every submission goes through: a zero means a timer no longer catches them
ALWAYS_SPENT = ["start (Zygote.spawn)", "cells (_Session.run_cells)", "observer fork (observer -> forked)",
                "round trips (waiting for observations)", "judging (grading._judged)", "total"]


def run(script, timeout):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def grading_costs():
    return run("grading_costs.py", timeout=300)


def batches(text):
    """{batch size: the lines of its report}, in the order printed."""
    found, current = {}, None
    for line in text.splitlines():
        start = re.match(r"batch of (\d+) submissions: ", line)
        if start:
            current = found.setdefault(int(start.group(1)), [])
        elif not line.startswith(" "):
            current = None
        if current is not None:
            current.append(line)
    return found


def test_grading_costs_prints_the_cost_split_of_every_batch(grading_costs):
    found = batches(grading_costs)
    assert len(found) == 2, grading_costs   # --quick: two batch sizes
    for size, lines in found.items():
        text = "\n".join(lines)
        assert re.search(rf"statuses: graded {size}$", lines[0], re.MULTILINE), lines[0]
        assert re.search(rf"{NUMBER} ms per submission \(zygote start {NUMBER} s", lines[0]), lines[0]
        costs = {}
        for label in COST_LABELS:
            match = re.search(rf"^\s+{re.escape(label)}\s+{NUMBER}$", text, re.MULTILINE)
            assert match, f"{label!r} missing from:\n{text}"
            costs[label] = float(match.group(1))
        assert all(costs[label] > 0 for label in ALWAYS_SPENT), costs
        assert all(value >= 0 for label, value in costs.items() if label != "rest"), costs
        assert costs["rest"] > -0.5, costs   # each millisecond counted under one label only
        cpu = re.search(rf"CPU per submission: {NUMBER} ms (all processes \(cgroup v1 cpuacct\), of which "
                        rf"the trusted process {NUMBER} ms|trusted process only)", text)
        assert cpu and float(cpu.group(1)) > 0, text


def test_grading_costs_prints_the_floor_and_the_ratio(grading_costs):
    wall = re.search(rf"real pipeline: {NUMBER} ms per submission \(wall\); floor: {NUMBER} ms; "
                     rf"real / floor: {NUMBER}x \(wall\)", grading_costs)
    assert wall, grading_costs
    real, floor, ratio = map(float, wall.groups())
    assert floor > 0 and abs(real / floor - ratio) < 0.01 + 0.01 * ratio
    assert re.search(rf"CPU (all processes: real {NUMBER} ms .*floor {NUMBER} ms; real / floor: {NUMBER}x"
                     rf"|trusted process: real {NUMBER} ms; floor {NUMBER} ms)", grading_costs), grading_costs
    assert re.search(r"the same \d+ frames per submission", grading_costs), grading_costs
    assert re.search(rf"observing the reference on the \d+ cases of a submission .* takes {NUMBER} ms",
                     grading_costs), grading_costs


def test_grading_costs_prints_peak_memory_for_both_batch_sizes(grading_costs):
    sizes = sorted(batches(grading_costs))
    rows = {int(m.group(1)): [float(x) for x in m.groups()[1:]] for m in re.finditer(
        rf"^\s+(\d+)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+(\d+)$", grading_costs, re.MULTILINE)}
    assert sorted(rows) == sizes, grading_costs
    for size, (early, end, sandbox_max, sandbox_mean, zygote, sandboxes) in rows.items():
        assert 0 < early <= end and 0 < sandbox_mean <= sandbox_max and zygote > 0, rows
        assert sandboxes >= size, rows   # one read per sandbox closed, at least one per submission
    assert re.search(rf"difference \({sizes[1]} - {sizes[0]} submissions\): trusted [-+]{NUMBER} MB, sandbox max "
                     rf"[-+]{NUMBER} MB, zygote [-+]{NUMBER} MB", grading_costs), grading_costs


def test_notebooks_prints_a_time_for_each_run_notebook():
    text = run("notebooks.py", timeout=300)
    assert re.search(rf"^\(empty notebook: kernel start and stop\)\s+baseline\s+{NUMBER}$", text, re.MULTILINE), text
    for mode in ("with experiments", "as graded"):
        row = re.search(rf"^source/step_by_step/step_by_step\.ipynb\s+{mode}\s+{NUMBER}\s*$", text, re.MULTILINE)
        assert row and float(row.group(1)) > 0, text   # run, and no FAILED note
    rows = [line for line in text.splitlines() if line.startswith(("source/", "notebooks/"))]
    others = [line for line in rows if "step_by_step" not in line]
    assert others and all(line.endswith("skipped (--quick)") for line in others), text
    sources = [p for p in (ROOT / "source").iterdir() if (p / f"{p.name}.ipynb").is_file()]
    assert len(rows) == 2 * len(sources) + len(list((ROOT / "notebooks").glob("*.ipynb"))), text
    assert re.search(rf"each figure includes the baseline's {NUMBER} s", text), text
