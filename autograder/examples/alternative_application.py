"""Correct answers to ``application`` written in another valid style.

The two-layer model is trained as an L-layer network with L = 2 (the same
maths through ``L_model_forward`` and ``L_model_backward``); the L-layer model
draws its own weights with a reciprocal instead of a division, updates the
parameters in a dict comprehension, and keeps NumPy floats in ``costs``.
Both must earn full marks.
"""
import numpy as np

from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, \
    initialize_parameters


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    parameters = initialize_parameters(*layers_dims)
    costs = []
    for i in range(num_iterations):
        A2, caches = L_model_forward(X, parameters)
        if i % 100 == 0:
            costs.append(compute_cost(A2, Y))
            if print_cost:
                print(f"Cost after iteration {i}: {costs[-1]}")
        grads = L_model_backward(A2, Y, caches)
        parameters = {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims[:-1], layers_dims[1:]), start=1):
        parameters[f"W{l}"] = np.random.randn(n, n_prev) * (1.0 / np.sqrt(n_prev))
        parameters[f"b{l}"] = np.zeros((n, 1))
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        grads = L_model_backward(AL, Y, caches)
        if not i % 100:
            costs.append(np.float64(compute_cost(AL, Y)))
        parameters = {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}
    return parameters, costs
