"""Typical wrong answers to assignment 2, ``application``.

Each function trains the way a student who made that one mistake would, and
is written out in full as a student would write it (the example "partly
wrong" submission pastes these functions into the notebook). The building
blocks come from ``dnn_utils.step_by_step``, exactly as in the notebook.

A variant that draws random numbers without seeding is still repeatable
here: the checker puts NumPy's global generator in one fixed state before
every call it makes, so such a mistake can be recognised and named.
"""
import numpy as np

from autograder.mistakes import mistake
from dnn_utils.initialization import initialize_parameters_deep_scaled
from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, \
    initialize_parameters, initialize_parameters_deep, linear_activation_backward, \
    linear_activation_forward, update_parameters


# 1. two_layer_model -------------------------------------------------------------------------

@mistake("two_layer_model",
         'the parameters are never updated: keep what update_parameters returns (parameters = '
         'update_parameters(parameters, grads, learning_rate))')
def two_layer_model_not_updated(X, Y, layers_dims, learning_rate=0.0075,
                                num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'the cost of the last iteration is recorded too: record iterations 0, 100, 200, ... only '
         '(i % 100 == 0)')
def two_layer_model_records_last_iteration(X, Y, layers_dims, learning_rate=0.0075,
                                           num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'the costs are recorded at iterations 99, 199, ...: record iterations 0, 100, 200, ... (i'
         ' % 100 == 0)')
def two_layer_model_records_late(X, Y, layers_dims, learning_rate=0.0075,
                                 num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if (i + 1) % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'the learning_rate argument is ignored (0.0075 is used whatever is passed)')
def two_layer_model_fixed_learning_rate(X, Y, layers_dims, learning_rate=0.0075,
                                        num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, 0.0075)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'dA2 has the wrong sign, so each step climbs the cost: dA2 = -(Y / A2 - (1 - Y) / (1 - '
         'A2))')
def two_layer_model_dA2_sign(X, Y, layers_dims, learning_rate=0.0075,
                             num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = np.divide(Y, A2) - np.divide(1 - Y, 1 - A2)
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'the hidden layer uses sigmoid: it is LINEAR->RELU, and only the output layer is '
         'LINEAR->SIGMOID')
def two_layer_model_sigmoid_hidden_layer(X, Y, layers_dims, learning_rate=0.0075,
                                         num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "sigmoid")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "sigmoid")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("two_layer_model",
         'the weights come from initialize_parameters_deep (seed 3): this model starts from '
         'initialize_parameters(n_x, n_h, n_y) (seed 1)')
def two_layer_model_deep_initializer(X, Y, layers_dims, learning_rate=0.0075,
                                     num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters_deep([n_x, n_h, n_y])
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


# 2. L_layer_model ---------------------------------------------------------------------------

@mistake("L_layer_model",
         "the weights come from assignment 1's initialize_parameters_deep (seed 3, times 0.01): "
         'this model uses initialize_parameters_deep_scaled (seed 1, divided by sqrt(n_prev))')
def L_layer_model_step_by_step_initializer(X, Y, layers_dims, learning_rate=0.0075,
                                           num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'the weights are multiplied by 0.01: here they are divided by sqrt(n_prev), as '
         'initialize_parameters_deep_scaled does')
def L_layer_model_weights_times_0_01(X, Y, layers_dims, learning_rate=0.0075,
                                     num_iterations=3000, print_cost=False):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'the weights are drawn without seeding, so every run starts elsewhere: call '
         'initialize_parameters_deep_scaled(layers_dims), which seeds with 1')
def L_layer_model_unseeded(X, Y, layers_dims, learning_rate=0.0075,
                           num_iterations=3000, print_cost=False):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) \
            / np.sqrt(layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'the parameters are never updated: keep what update_parameters returns (parameters = '
         'update_parameters(parameters, grads, learning_rate))')
def L_layer_model_not_updated(X, Y, layers_dims, learning_rate=0.0075,
                              num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep_scaled(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'the cost of the last iteration is recorded too: record iterations 0, 100, 200, ... only '
         '(i % 100 == 0)')
def L_layer_model_records_last_iteration(X, Y, layers_dims, learning_rate=0.0075,
                                         num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep_scaled(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'a cost is recorded at every iteration: record iterations 0, 100, 200, ... only (i % 100 '
         '== 0)')
def L_layer_model_records_every_iteration(X, Y, layers_dims, learning_rate=0.0075,
                                          num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep_scaled(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if True:
            costs.append(float(cost))
    return parameters, costs


@mistake("L_layer_model",
         'the learning_rate argument is ignored (0.0075 is used whatever is passed)')
def L_layer_model_fixed_learning_rate(X, Y, layers_dims, learning_rate=0.0075,
                                      num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep_scaled(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, 0.0075)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs
