"""Typical wrong answers to assignment 1, ``step_by_step``.

Each function repeats one mistake students make; its name says which. The
other graded functions they call are the reference ones, exactly as when a
student's function is checked.
"""
import copy

import numpy as np

from autograder.mistakes import mistake
from dnn_utils.activations import relu, relu_backward, sigmoid, sigmoid_backward
from dnn_utils.step_by_step import linear_activation_backward, linear_activation_forward, \
    linear_backward, linear_forward


# 1. initialize_parameters ----------------------------------------------------------------

@mistake("initialize_parameters", "the generator is not seeded with 1 inside the function "
         "(call np.random.seed(1) first)")
def initialize_parameters_seed_3(n_x, n_h, n_y):
    np.random.seed(3)
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


@mistake("initialize_parameters", "the weights are not scaled by 0.01")
def initialize_parameters_unscaled(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x), "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h), "b2": np.zeros((n_y, 1))}


@mistake("initialize_parameters", "np.random.rand (uniform on [0, 1)) was used instead of "
         "np.random.randn (standard normal)")
def initialize_parameters_uniform(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.rand(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.rand(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


@mistake("initialize_parameters", "W2 was drawn before W1: draw the weights in layer order")
def initialize_parameters_draw_order(n_x, n_h, n_y):
    np.random.seed(1)
    W2 = np.random.randn(n_y, n_h) * 0.01
    W1 = np.random.randn(n_h, n_x) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


# 2. initialize_parameters_deep -----------------------------------------------------------

@mistake("initialize_parameters_deep", "the generator is not seeded with 3 inside the function")
def initialize_parameters_deep_seed_1(layer_dims):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@mistake("initialize_parameters_deep", "the weights are not scaled by 0.01")
def initialize_parameters_deep_unscaled(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@mistake("initialize_parameters_deep", "the loop stops one layer early: range(1, len(layer_dims)) "
         "covers every layer")
def initialize_parameters_deep_missing_last_layer(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims) - 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@mistake("initialize_parameters_deep", "W{l} has shape (layer_dims[l-1], layer_dims[l]); it must be "
         "(layer_dims[l], layer_dims[l-1])")
def initialize_parameters_deep_transposed(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l - 1], layer_dims[l]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@mistake("initialize_parameters_deep", "the weights are scaled by sqrt(2 / n_prev) (He); this "
         "exercise uses 0.01")
def initialize_parameters_deep_he(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) \
            * np.sqrt(2 / layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# 3. linear_forward -----------------------------------------------------------------------

@mistake("linear_forward", "the bias b is not added")
def linear_forward_no_bias(A, W, b):
    return np.dot(W, A), (A, W, b)


@mistake("linear_forward", "the cache is in the wrong order: it must be (A, W, b)")
def linear_forward_cache_order(A, W, b):
    return np.dot(W, A) + b, (W, A, b)


@mistake("linear_forward", "the bias is subtracted instead of added")
def linear_forward_minus_bias(A, W, b):
    return np.dot(W, A) - b, (A, W, b)


# 4. linear_activation_forward ------------------------------------------------------------

@mistake("linear_activation_forward", "the activations are swapped: 'sigmoid' applies relu and "
         "'relu' applies sigmoid")
def linear_activation_forward_swapped(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z) if activation == "sigmoid" else sigmoid(Z)
    return A, (linear_cache, activation_cache)


@mistake("linear_activation_forward", "the cache is in the wrong order: it must be "
         "(linear_cache, activation_cache)")
def linear_activation_forward_cache_order(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (activation_cache, linear_cache)


@mistake("linear_activation_forward", "Z is returned instead of the activation A")
def linear_activation_forward_returns_Z(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    _, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return Z, (linear_cache, activation_cache)


@mistake("linear_activation_forward", "the activation argument is ignored: sigmoid is always used")
def linear_activation_forward_always_sigmoid(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z)
    return A, (linear_cache, activation_cache)


# 5. L_model_forward ----------------------------------------------------------------------

@mistake("L_model_forward", "the last layer uses relu: it must be LINEAR->SIGMOID")
def L_model_forward_all_relu(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    return A, caches


@mistake("L_model_forward", "every layer uses sigmoid: the hidden layers must use relu")
def L_model_forward_all_sigmoid(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                             "sigmoid")
        caches.append(cache)
    return A, caches


@mistake("L_model_forward", "the cache of the last (sigmoid) layer is not appended to caches")
def L_model_forward_last_cache_missing(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, _ = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    return AL, caches


@mistake("L_model_forward", "caches are in reverse order: append each layer's cache so that "
         "caches[0] belongs to layer 1")
def L_model_forward_caches_reversed(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.insert(0, cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.insert(0, cache)
    return AL, caches


# 6. compute_cost -------------------------------------------------------------------------

@mistake("compute_cost", "the sum is not divided by m (the 1/m factor is missing)")
def compute_cost_no_mean(AL, Y):
    return np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


@mistake("compute_cost", "the sign is wrong: the cost is minus the mean log-likelihood")
def compute_cost_sign(AL, Y):
    m = Y.shape[1]
    return np.squeeze((1 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


@mistake("compute_cost", "the (1 - Y) log(1 - AL) term is missing")
def compute_cost_half(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-(1 / m) * np.sum(Y * np.log(AL)))


@mistake("compute_cost", "the cost is a (1, 1) array: apply np.squeeze to return a scalar")
def compute_cost_not_squeezed(AL, Y):
    m = Y.shape[1]
    return -(1 / m) * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))


# 7. linear_backward ----------------------------------------------------------------------

@mistake("linear_backward", "dW and db are not divided by m (the 1/m factor is missing)")
def linear_backward_no_mean(dZ, cache):
    A_prev, W, b = cache
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T), np.sum(dZ, axis=1, keepdims=True)


@mistake("linear_backward", "db sums over the wrong axis: sum each row of dZ (axis=1, keepdims=True)")
def linear_backward_db_axis(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=0, keepdims=True) / m


@mistake("linear_backward", "db lost its column shape: use keepdims=True so db is (n, 1)")
def linear_backward_db_flat(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1) / m


@mistake("linear_backward", "the values are returned as (dW, db, dA_prev); the order is "
         "(dA_prev, dW, db)")
def linear_backward_order(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m, np.dot(W.T, dZ)


@mistake("linear_backward", "the gradients have the wrong sign")
def linear_backward_sign(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return -np.dot(W.T, dZ), -np.dot(dZ, A_prev.T) / m, -np.sum(dZ, axis=1, keepdims=True) / m


@mistake("linear_backward", "db is the mean of all of dZ, not of each row")
def linear_backward_db_scalar(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.full(b.shape, np.mean(dZ))


# 8. linear_activation_backward -----------------------------------------------------------

@mistake("linear_activation_backward", "the activations are swapped: 'sigmoid' uses "
         "relu_backward and 'relu' uses sigmoid_backward")
def linear_activation_backward_swapped(dA, cache, activation):
    linear_cache, Z = cache
    dZ = relu_backward(dA, Z) if activation == "sigmoid" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


@mistake("linear_activation_backward", "dA is passed to linear_backward as if it were dZ: "
         "first go back through the activation")
def linear_activation_backward_skips_activation(dA, cache, activation):
    linear_cache, _ = cache
    return linear_backward(dA, linear_cache)


@mistake("linear_activation_backward", "the activation argument is ignored: sigmoid_backward is "
         "always used")
def linear_activation_backward_always_sigmoid(dA, cache, activation):
    linear_cache, Z = cache
    return linear_backward(sigmoid_backward(dA, Z), linear_cache)


# 9. L_model_backward ---------------------------------------------------------------------

@mistake("L_model_backward", "the old key scheme: grads['dA' + str(l)] must hold the gradient "
         "with respect to A(l), so dA0 is the gradient with respect to X")
def L_model_backward_old_keys(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        grads["dA" + str(l + 1)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = \
            linear_activation_backward(grads["dA" + str(l + 2)], caches[l], "relu")
    return grads


@mistake("L_model_backward", "dAL has the wrong sign: dAL = -(Y / AL - (1 - Y) / (1 - AL))")
def L_model_backward_dAL_sign(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in range(L - 1, 0, -1):
        grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = \
            linear_activation_backward(grads["dA" + str(l)], caches[l - 1], "relu")
    return grads


@mistake("L_model_backward", "the output layer is treated as relu: its backward pass must use sigmoid")
def L_model_backward_all_relu(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(L, 0, -1):
        dA, grads["dW" + str(l)], grads["db" + str(l)] = linear_activation_backward(dA, caches[l - 1], "relu")
        grads["dA" + str(l - 1)] = dA
    return grads


@mistake("L_model_backward", "every layer goes back through sigmoid: the hidden layers are relu")
def L_model_backward_all_sigmoid(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(L, 0, -1):
        dA, grads["dW" + str(l)], grads["db" + str(l)] = linear_activation_backward(dA, caches[l - 1],
                                                                                     "sigmoid")
        grads["dA" + str(l - 1)] = dA
    return grads


@mistake("L_model_backward", "the loop covers only one hidden layer: go back through every layer "
         "from L-1 down to 1")
def L_model_backward_one_hidden_layer(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    l = L - 1
    grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = \
        linear_activation_backward(grads["dA" + str(l)], caches[l - 1], "relu")
    return grads


# 10. update_parameters -------------------------------------------------------------------

@mistake("update_parameters", "the step goes uphill: subtract learning_rate * gradient")
def update_parameters_sign(params, grads, learning_rate):
    L = len(params) // 2
    return {key: params[key] + learning_rate * grads["d" + key]
            for l in range(1, L + 1) for key in ("W" + str(l), "b" + str(l))}


@mistake("update_parameters", "the learning rate is not applied")
def update_parameters_no_rate(params, grads, learning_rate):
    L = len(params) // 2
    return {key: params[key] - grads["d" + key]
            for l in range(1, L + 1) for key in ("W" + str(l), "b" + str(l))}


@mistake("update_parameters", "only the weights are updated: the biases must take a step too")
def update_parameters_weights_only(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    L = len(params) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W" + str(l)] - learning_rate * grads["dW" + str(l)]
    return parameters


@mistake("update_parameters", "the last layer is not updated: the loop must cover l = 1 .. L")
def update_parameters_missing_last_layer(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    L = len(params) // 2
    for l in range(1, L):
        parameters["W" + str(l)] = params["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = params["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


@mistake("update_parameters", "the caller's parameters are changed in place: params.copy() copies "
         "the dict but shares the arrays, so '-=' modifies them")
def update_parameters_in_place(params, grads, learning_rate):
    parameters = params.copy()
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters
