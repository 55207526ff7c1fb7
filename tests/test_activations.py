"""Mathematical facts about the activations, as property tests."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward

matrices = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                  elements=st.floats(-30, 30, allow_nan=False))


@given(matrices)
def test_sigmoid_is_in_the_unit_interval_and_returns_its_input(Z):
    A, cache = sigmoid(Z)
    assert np.all((A > 0) & (A <= 1)) and A.shape == Z.shape
    assert cache is Z


@given(matrices, matrices)
def test_relu_backward_is_zero_where_z_is_not_positive(Z, dA):
    dA = np.resize(dA, Z.shape)
    dZ = relu_backward(dA, Z)
    assert np.all(dZ[Z <= 0] == 0) and np.all(dZ[Z > 0] == dA[Z > 0])
    assert np.all(relu(Z)[0] >= 0)


@settings(max_examples=50)
@given(arrays(np.float64, (3, 4), elements=st.floats(-5, 5)))
def test_sigmoid_backward_matches_a_two_sided_difference(Z):
    eps = 1e-6
    numeric = (sigmoid(Z + eps)[0] - sigmoid(Z - eps)[0]) / (2 * eps)
    np.testing.assert_allclose(sigmoid_backward(np.ones_like(Z), Z), numeric, rtol=1e-6, atol=1e-9)
