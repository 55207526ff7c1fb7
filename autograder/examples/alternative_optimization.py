"""Correct answers to ``optimization`` written in another valid style.

``@`` and ``np.mean`` instead of ``np.dot`` and sums, ``np.random.random_sample``
for the dropout draws (the same numbers as ``np.random.rand``), index arrays
with ``np.array_split``, explicit loops over layers, a perturbed copy of the
parameter dict in the gradient check instead of vectors. The model is written
around a dict of update rules. All must earn full marks: the checks compare
values within tolerance, never the way they were computed.
"""
import numpy as np

# The building blocks of assignment 1, imported as the notebook's setup cell imports them.
from dnn_utils import relu_backward
from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, \
    linear_activation_forward, update_parameters


def initialize_parameters_with(layer_dims, initialization, seed=0):
    np.random.seed(seed)
    factor = {"zeros": lambda n_in: 0.0, "random": lambda n_in: 10.0,
              "he": lambda n_in: (2.0 / n_in) ** 0.5, "xavier": lambda n_in: (1.0 / n_in) ** 0.5}[initialization]
    parameters = {}
    for l, (n_in, n_out) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        parameters[f"W{l}"] = (np.zeros((n_out, n_in)) if initialization == "zeros"
                               else factor(n_in) * np.random.randn(n_out, n_in))
        parameters[f"b{l}"] = np.zeros((n_out, 1))
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    order = np.random.permutation(m)
    pieces = np.array_split(order, range(mini_batch_size, m, mini_batch_size))
    return [(X[:, piece], Y[:, piece]) for piece in pieces]


def compute_cost_with_regularization(AL, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    weights = [value for key, value in parameters.items() if key.startswith("W")]
    return cross_entropy + lambd / 2 / m * sum(float(np.sum(W * W)) for W in weights)


def L_model_backward_with_regularization(AL, Y, caches, lambd):
    grads = L_model_backward(AL, Y, caches)
    m = Y.shape[1]
    for l in range(1, len(caches) + 1):
        W = caches[l - 1][0][1]
        grads[f"dW{l}"] = grads[f"dW{l}"] + (lambd / m) * W
    return grads


def L_model_forward_with_dropout(X, parameters, keep_prob, seed=0):
    np.random.seed(seed)
    L = len(parameters) // 2
    caches, masks = [], []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
        D = (np.random.random_sample(A.shape) < keep_prob).astype(float)
        masks.append(D)
        A = (A * D) / keep_prob
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    return AL, caches + [cache], masks


def L_model_backward_with_dropout(AL, Y, caches, masks, keep_prob):
    m = AL.shape[1]
    L = len(caches)
    grads = {}
    dZ = AL - Y   # sigmoid and cross-entropy together
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l < L:
            grads[f"dA{l}"] = grads[f"dA{l}"] * masks[l - 1] / keep_prob
            dZ = relu_backward(grads[f"dA{l}"], Z)
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        grads[f"dA{l - 1}"] = W.T @ dZ
    return grads


def initialize_velocity(parameters):
    return {f"d{key}": np.zeros(value.shape) for key, value in parameters.items()}


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    v = {key: beta * value + (1 - beta) * grads[key] for key, value in v.items()}
    parameters = {key: value - learning_rate * v[f"d{key}"] for key, value in parameters.items()}
    return parameters, v


def initialize_adam(parameters):
    v = {f"d{key}": np.zeros_like(value) for key, value in parameters.items()}
    s = {f"d{key}": np.zeros_like(value) for key, value in parameters.items()}
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    v = {key: beta1 * value + (1 - beta1) * grads[key] for key, value in v.items()}
    s = {key: beta2 * value + (1 - beta2) * grads[key] ** 2 for key, value in s.items()}
    updated = {}
    for key, value in parameters.items():
        v_hat = v[f"d{key}"] / (1 - np.power(beta1, t))
        s_hat = s[f"d{key}"] / (1 - np.power(beta2, t))
        updated[key] = value - learning_rate * v_hat / (s_hat ** 0.5 + epsilon)
    return updated, v, s


def parameters_to_vector(parameters):
    L = len(parameters) // 2
    values = []
    for l in range(1, L + 1):
        values.extend(parameters[f"W{l}"].flatten())
        values.extend(parameters[f"b{l}"].flatten())
    return np.array(values).reshape(len(values), 1)


def vector_to_parameters(theta, layer_dims):
    parameters = {}
    flat = theta.ravel()
    position = 0
    for l in range(1, len(layer_dims)):
        n_out, n_in = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = np.array(flat[position:position + n_out * n_in]).reshape(n_out, n_in)
        position += n_out * n_in
        parameters[f"b{l}"] = np.array(flat[position:position + n_out]).reshape(n_out, 1)
        position += n_out
    return parameters


def gradient_check(parameters, grads, X, Y, epsilon=1e-7):
    L = len(parameters) // 2
    approx, exact = [], []
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            for index in np.ndindex(parameters[name].shape):
                costs = []
                for sign in (1, -1):
                    moved = {key: value.copy() for key, value in parameters.items()}
                    moved[name][index] = moved[name][index] + sign * epsilon
                    AL, _ = L_model_forward(X, moved)
                    costs.append(compute_cost(AL, Y))
                approx.append((costs[0] - costs[1]) / (2 * epsilon))
                exact.append(grads["d" + name][index])
    gradapprox, grad = np.array(approx).reshape(-1, 1), np.array(exact).reshape(-1, 1)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return difference, gradapprox


def model(X, Y, layer_dims, optimizer="adam", initialization="he", learning_rate=0.0075,
          mini_batch_size=64, num_epochs=1000, lambd=0.0, keep_prob=1.0, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, seed=0, print_cost=False):
    m = X.shape[1]
    parameters = initialize_parameters_with(layer_dims, initialization, seed)
    if optimizer == "adam":
        state = initialize_adam(parameters)
    elif optimizer == "momentum":
        state = (initialize_velocity(parameters),)
    else:
        state = ()
    rules = {
        "gd": lambda p, g, t, *st: (update_parameters(p, g, learning_rate),),
        "momentum": lambda p, g, t, v: update_parameters_with_momentum(p, g, v, beta, learning_rate),
        "adam": lambda p, g, t, v, s: update_parameters_with_adam(p, g, v, s, t, learning_rate,
                                                                  beta1, beta2, epsilon),
    }
    costs = []
    t = 0
    for epoch in range(num_epochs):
        epoch_cost = 0.0
        for batch_X, batch_Y in random_mini_batches(X, Y, mini_batch_size or m, seed + epoch):
            t += 1
            if keep_prob < 1:
                AL, caches, masks = L_model_forward_with_dropout(batch_X, parameters, keep_prob, seed + t)
                grads = L_model_backward_with_dropout(AL, batch_Y, caches, masks, keep_prob)
                cost = compute_cost(AL, batch_Y)
            elif lambd > 0:
                AL, caches = L_model_forward(batch_X, parameters)
                grads = L_model_backward_with_regularization(AL, batch_Y, caches, lambd)
                cost = compute_cost_with_regularization(AL, batch_Y, parameters, lambd)
            else:
                AL, caches = L_model_forward(batch_X, parameters)
                grads = L_model_backward(AL, batch_Y, caches)
                cost = compute_cost(AL, batch_Y)
            epoch_cost += cost * batch_X.shape[1] / m
            parameters, *state = rules[optimizer](parameters, grads, t, *state)
        costs.append(float(epoch_cost))
        if print_cost and epoch % 100 == 0:
            print(f"epoch {epoch}: cost {epoch_cost:.4f}")
    return parameters, costs
