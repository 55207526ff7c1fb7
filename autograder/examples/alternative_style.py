"""Correct answers to ``step_by_step`` written in another valid style.

``@`` instead of ``np.dot``, ``np.mean``, dict comprehensions, ``copy.deepcopy``,
explicit loops. They must earn full marks: the checks compare values within
tolerance, never the way they were computed.
"""
import copy

import numpy as np


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    weights = [np.random.randn(n_out, n_in) / 100 for n_in, n_out in ((n_x, n_h), (n_h, n_y))]
    return {"W1": weights[0], "b1": np.zeros((n_h, 1)), "W2": weights[1], "b2": np.zeros((n_y, 1))}


def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l, (n_in, n_out) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        parameters[f"W{l}"] = 0.01 * np.random.randn(n_out, n_in)
        parameters[f"b{l}"] = np.zeros(shape=(n_out, 1))
    return parameters


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = 1 / (1 + np.exp(-Z)) if activation == "sigmoid" else Z * (Z > 0)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             "sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    dW = dZ @ A_prev.T / A_prev.shape[1]
    db = np.mean(dZ, axis=1, keepdims=True)
    return W.T @ dZ, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "relu":
        dZ = dA * (Z > 0)
    else:
        s = 1 / (1 + np.exp(-Z))
        dZ = dA * s * (1 - s)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    Y = Y.reshape(AL.shape)
    grads = {}
    dA = (1 - Y) / (1 - AL) - Y / AL
    for l in reversed(range(1, len(caches) + 1)):
        activation = "sigmoid" if l == len(caches) else "relu"
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], activation)
        grads[f"dA{l - 1}"] = dA
    return grads


def update_parameters(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    for key in parameters:
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters
