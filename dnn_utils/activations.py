"""Activation functions and their derivatives.

Every array here has shape ``(n, m)``: ``n`` units of one layer, ``m`` examples.
Forward functions return ``(A, Z)`` so the caller can keep ``Z`` as the
activation cache; backward functions take ``dA`` and that cached ``Z``.
"""
import numpy as np


def sigmoid(Z):
    """Logistic function ``1 / (1 + exp(-Z))``.

    Args:
        Z: pre-activation, array of shape (n, m).

    Returns:
        A: array of shape (n, m), every entry in (0, 1).
        Z: the input, returned as the activation cache.
    """
    A = 1.0 / (1.0 + np.exp(-Z))
    return A, Z


def relu(Z):
    """Rectified linear unit ``max(0, Z)``.

    Args:
        Z: pre-activation, array of shape (n, m).

    Returns:
        A: array of shape (n, m).
        Z: the input, returned as the activation cache.
    """
    A = np.maximum(0, Z)
    return A, Z


def sigmoid_backward(dA, Z):
    """Gradient through a sigmoid: ``dZ = dA * s * (1 - s)`` with ``s = sigmoid(Z)``.

    Args:
        dA: gradient of the cost with respect to the activation, shape (n, m).
        Z: the cached pre-activation, shape (n, m).

    Returns:
        dZ: gradient of the cost with respect to Z, shape (n, m).
    """
    s = 1.0 / (1.0 + np.exp(-Z))
    return dA * s * (1 - s)


def relu_backward(dA, Z):
    """Gradient through a ReLU: ``dZ = dA`` where ``Z > 0``, else 0.

    The derivative at exactly ``Z == 0`` is taken to be 0.

    Args:
        dA: gradient of the cost with respect to the activation, shape (n, m).
        Z: the cached pre-activation, shape (n, m).

    Returns:
        dZ: gradient of the cost with respect to Z, shape (n, m).
    """
    return np.where(Z > 0, dA, 0.0)
