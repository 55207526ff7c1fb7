"""The reference reproduces every value printed in seeds 000 (2023) and 001 (v8)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from testcases import documented, run_examples
from testcases.step_by_step import EDITIONS, EXAMPLES

# Printed values are rounded to 8 decimals, so a correct value is within 5e-9 of
# the print; 1e-8 leaves room for the last printed digit and nothing more.
PRINTED = 1e-8


def _pairs(edition):
    computed = {example.id: outputs for example, outputs in run_examples("step_by_step", edition)}
    for example_id, quantities in documented("step_by_step", edition).items():
        for name, value in quantities.items():
            yield example_id, name, value, computed[example_id][name]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_documented_value_is_reproduced(edition):
    checked = 0
    for example_id, name, expected, actual in _pairs(edition):
        assert np.shape(actual) == np.shape(expected), f"{edition} {example_id} {name}: shape"
        np.testing.assert_allclose(actual, expected, rtol=0, atol=PRINTED,
                                   err_msg=f"{edition} {example_id} {name}")
        checked += 1
    assert checked == {"2023": 26, "v8": 30}[edition]


def test_documented_counts():
    """56 printed quantities holding 283 numbers across both editions."""
    quantities = numbers = 0
    for edition in EDITIONS:
        for _, _, value, _ in _pairs(edition):
            quantities += 1
            numbers += int(np.size(value))
    assert (quantities, numbers) == (56, 283)


def test_cost_is_reproduced_to_all_printed_digits():
    for edition, printed in (("2023", 0.2797765635793422), ("v8", 0.41493159961539694)):
        cost = dict((e.id, o) for e, o in run_examples("step_by_step", edition))["compute_cost"]["cost"]
        assert cost == pytest.approx(printed, rel=1e-12)


def test_2023_blanks_are_produced_and_equal_the_v8_print():
    ours = dict((e.id, o) for e, o in run_examples("step_by_step", "2023"))
    v8 = documented("step_by_step", "v8")
    for activation in ("sigmoid", "relu"):
        example = f"linear_activation_backward_{activation}"
        assert example not in documented("step_by_step", "2023")
        for name in ("dA_prev", "dW", "db"):
            np.testing.assert_allclose(ours[example][name], v8[example][name], rtol=0, atol=PRINTED)


def test_examples_are_deterministic():
    for example in EXAMPLES:
        for edition in example.editions:
            first, second = example.args(edition), example.args(edition)
            assert repr(first) == repr(second), example.id


@pytest.mark.parametrize("edition", EDITIONS)
def test_command_prints_every_example_as_json(edition):
    done = subprocess.run([sys.executable, "-m", "testcases", "--edition", edition, "--json"],
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    ids = [row["example"] for row in report["examples"]]
    assert ids == [e.id for e in EXAMPLES if edition in e.editions]
    rows = {row["example"]: row for row in report["examples"]}
    for example_id, quantities in documented("step_by_step", edition).items():
        for name, value in quantities.items():
            np.testing.assert_allclose(rows[example_id]["outputs"][name], value, rtol=0, atol=PRINTED)
    if edition == "2023":
        blank = rows["linear_activation_backward_relu"]
        assert blank["documented"] is False and "no expected output" in blank["note"]
        assert np.shape(blank["outputs"]["dA_prev"]) == (3, 2)
