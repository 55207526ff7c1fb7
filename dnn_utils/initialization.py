"""Given to students of ``application``: the scaled initialisation of the L-layer model (not graded)."""
import numpy as np


def initialize_parameters_deep_scaled(layer_dims):
    """Random weights scaled by ``1 / sqrt(n_prev)`` and zero biases for an L-layer network.

    Unlike assignment 1's ``initialize_parameters_deep`` (seed 3, weights times
    0.01), this seeds NumPy's global generator with 1 and divides each weight
    matrix by the square root of its number of inputs, which keeps the
    activations of a deep ReLU network from shrinking layer after layer.
    W1, W2, ... are drawn in order.

    Args:
        layer_dims: sizes [n_0, n_1, ..., n_L]; n_0 is the input size.

    Returns:
        dict with W{l} (n_l, n_{l-1}) drawn as ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})``
        and b{l} (n_l, 1) zeros, for l = 1..L.
    """
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1])
                                    / np.sqrt(layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
