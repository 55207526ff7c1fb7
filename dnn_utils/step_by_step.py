"""Reference implementation of assignment 1, ``step_by_step``.

These are the ten graded functions, in the order of the notebook. Later
assignments import them from here, and the autograder computes expected
outputs with them. ``tests/test_reference_matches_source.py`` proves they
agree with the solutions in ``source/step_by_step/step_by_step.ipynb``.

Conventions: ``X`` and every ``A`` have shape (n_units, m) with ``m`` examples
in columns; ``W{l}`` has shape (n_l, n_{l-1}); ``b{l}`` has shape (n_l, 1).
"""
import numpy as np

from dnn_utils.activations import relu, relu_backward, sigmoid, sigmoid_backward

ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_backward), "relu": (relu, relu_backward)}


def initialize_parameters(n_x, n_h, n_y):
    """Small random weights and zero biases for LINEAR->RELU->LINEAR->SIGMOID.

    Seeds NumPy's global generator with 1, then draws W1 before W2.

    Returns:
        dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1).
    """
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    """Small random weights and zero biases for an L-layer network.

    Seeds NumPy's global generator with 3, then draws W1, W2, ... in order.

    Args:
        layer_dims: sizes [n_0, n_1, ..., n_L]; n_0 is the input size.

    Returns:
        dict with W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1..L.
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    """Linear part of one layer: ``Z = W A + b``.

    Args:
        A: activations of the previous layer, shape (n_prev, m).
        W: weights, shape (n, n_prev).
        b: biases, shape (n, 1).

    Returns:
        Z: shape (n, m).
        cache: the tuple (A, W, b), kept for the backward pass.
    """
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """One layer: LINEAR followed by "sigmoid" or "relu".

    Args:
        A_prev: shape (n_prev, m).
        W: shape (n, n_prev).
        b: shape (n, 1).
        activation: "sigmoid" or "relu".

    Returns:
        A: shape (n, m).
        cache: (linear_cache, Z) where linear_cache = (A_prev, W, b), Z is (n, m).
    """
    forward, _ = ACTIVATIONS[activation]
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    """Forward pass of [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID.

    Args:
        X: input, shape (n_x, m).
        parameters: W1..WL and b1..bL as made by initialize_parameters_deep.

    Returns:
        AL: output probabilities, shape (n_L, m).
        caches: list of L caches from linear_activation_forward, layer 1 first.
    """
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(
            A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """Cross-entropy cost ``-(1/m) * sum(Y log AL + (1 - Y) log(1 - AL))``.

    Args:
        AL: predicted probabilities, shape (1, m).
        Y: labels 0 or 1, shape (1, m).

    Returns:
        cost: a 0-d value (np.squeeze of the sum).
    """
    m = Y.shape[1]
    cost = -(1 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return np.squeeze(cost)


def linear_backward(dZ, cache):
    """Backward pass of the linear part of one layer.

    Args:
        dZ: gradient of the cost with respect to Z, shape (n, m).
        cache: (A_prev, W, b) from linear_forward.

    Returns:
        dA_prev: shape (n_prev, m), ``W.T dZ``.
        dW: shape (n, n_prev), ``(1/m) dZ A_prev.T``.
        db: shape (n, 1), ``(1/m)`` times the row sums of dZ.
    """
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = (1 / m) * np.dot(dZ, A_prev.T)
    db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """Backward pass of one LINEAR->ACTIVATION layer.

    Args:
        dA: gradient of the cost with respect to this layer's output, (n, m).
        cache: (linear_cache, Z) from linear_activation_forward.
        activation: "sigmoid" or "relu", as used in the forward pass.

    Returns:
        dA_prev (n_prev, m), dW (n, n_prev), db (n, 1).
    """
    _, backward = ACTIVATIONS[activation]
    linear_cache, Z = cache
    dZ = backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """Gradients of the cross-entropy cost for the whole L-layer network.

    Args:
        AL: output of L_model_forward, shape (1, m).
        Y: labels, shape (1, m).
        caches: the L caches returned by L_model_forward.

    Returns:
        grads: dict with, for l = 1..L, ``dW{l}`` and ``db{l}``, and
        ``dA{l-1}``, the gradient with respect to the activation feeding
        layer l (so ``dA0`` is the gradient with respect to X).
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in range(L - 1, 0, -1):
        grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = \
            linear_activation_backward(grads["dA" + str(l)], caches[l - 1], "relu")
    return grads


def update_parameters(params, grads, learning_rate):
    """One step of gradient descent, returned as a new dict.

    ``W{l} - learning_rate * dW{l}`` and ``b{l} - learning_rate * db{l}``;
    the caller's dict and arrays are left unchanged.

    Args:
        params: W1..WL, b1..bL.
        grads: dW1..dWL, db1..dbL of the same shapes (other keys are ignored).
        learning_rate: step size, a positive float.

    Returns:
        a new dict of updated parameters.
    """
    L = len(params) // 2
    parameters = {}
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = params["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
