"""Typical wrong answers to assignment 3, ``optimization``.

Most mistakes come in families that share all but one line (a scale, a
threshold, a denominator), so each family is one small builder whose
arguments say what goes wrong; ``_register`` names the function it returns
and adds it to the catalogue. The two mistakes that the example "partly
wrong" submission pastes into its notebook are written out in full, as a
student would write them, and use nothing but NumPy.

The other graded functions they call are the library's, exactly as when a
student's function is checked. A variant that draws random numbers without
seeding is still repeatable: the checker puts NumPy's global generator in one
fixed state before every call it makes.
"""
import numpy as np

import dnn_utils.optimization as ref
from autograder.mistakes import mistake
from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, \
    linear_activation_backward, linear_activation_forward


def _register(exercise, name, message, variant):
    """Name ``variant`` and add it to ``exercise``'s catalogue."""
    variant.__name__ = variant.__qualname__ = name
    return mistake(exercise, message)(variant)


def _layers(parameters):
    return range(1, len(parameters) // 2 + 1)


# 1. initialize_parameters_with ----------------------------------------------------------------

def _initializer(scale, seeded=True):
    """Weights ``randn(n, n_prev) * scale(initialization, n, n_prev)``, zero biases."""
    def variant(layer_dims, initialization, seed=0):
        if seeded:
            np.random.seed(seed)
        parameters = {}
        for l in range(1, len(layer_dims)):
            n, n_prev = layer_dims[l], layer_dims[l - 1]
            parameters[f"W{l}"] = (np.zeros((n, n_prev)) if initialization == "zeros"
                                   else np.random.randn(n, n_prev) * scale(initialization, n, n_prev))
            parameters[f"b{l}"] = np.zeros((n, 1))
        return parameters
    return variant


def _scale(random=10.0, he=lambda n, n_prev: np.sqrt(2 / n_prev), xavier=lambda n, n_prev: np.sqrt(1 / n_prev)):
    return lambda initialization, n, n_prev: {"random": lambda *_: random, "he": he,
                                              "xavier": xavier}[initialization](n, n_prev)


_register("initialize_parameters_with", "initialize_parameters_with_he_xavier_swapped",
          "He and Xavier are swapped: He scales by sqrt(2 / n_prev), Xavier by sqrt(1 / n_prev)",
          _initializer(_scale(he=lambda n, n_prev: np.sqrt(1 / n_prev),
                              xavier=lambda n, n_prev: np.sqrt(2 / n_prev))))
_register("initialize_parameters_with", "initialize_parameters_with_fan_out",
          "the scale uses the layer's own size layer_dims[l]; He and Xavier divide by the number of "
          "inputs of the layer, n_prev = layer_dims[l - 1]",
          _initializer(_scale(he=lambda n, n_prev: np.sqrt(2 / n),
                              xavier=lambda n, n_prev: np.sqrt(1 / n))))
_register("initialize_parameters_with", "initialize_parameters_with_no_square_root",
          "the scale is 2 / n_prev (or 1 / n_prev) without the square root: He is sqrt(2 / n_prev), "
          "Xavier sqrt(1 / n_prev)",
          _initializer(_scale(he=lambda n, n_prev: 2 / n_prev, xavier=lambda n, n_prev: 1 / n_prev)))
_register("initialize_parameters_with", "initialize_parameters_with_random_unscaled",
          '"random" multiplies the standard normal draws by 10',
          _initializer(_scale(random=1.0)))
_register("initialize_parameters_with", "initialize_parameters_with_not_seeded",
          "the generator is not seeded: call np.random.seed(seed) before drawing",
          _initializer(_scale(), seeded=False))


# 2. random_mini_batches -----------------------------------------------------------------------

@mistake("random_mini_batches",
         "each full mini-batch is one example short (a slice [start:end - 1] stops before end - 1): "
         "take X[:, k * mini_batch_size:(k + 1) * mini_batch_size], so every example is in a batch")
def random_mini_batches_drops_one_per_batch(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation]
    mini_batches = []
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start, end = k * mini_batch_size, (k + 1) * mini_batch_size - 1
        mini_batches.append((shuffled_X[:, start:end], shuffled_Y[:, start:end]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches


def _cut(X, Y, size, keep_last=True):
    m = X.shape[1]
    return [(X[:, k:k + size], Y[:, k:k + size]) for k in range(0, m, size) if keep_last or k + size <= m]


def _batches(order_X, order_Y, keep_last=True):
    """Mini-batches of X and Y reordered by ``order_X(m)`` and ``order_Y(m)``, called in that order."""
    def variant(X, Y, mini_batch_size=64, seed=0):
        np.random.seed(seed)
        m = X.shape[1]
        columns_X = order_X(m)
        return _cut(X[:, columns_X], Y[:, order_Y(m, columns_X)], mini_batch_size, keep_last)
    return variant


def _same(m, columns):
    return columns


_register("random_mini_batches", "random_mini_batches_X_and_Y_shuffled_apart",
          "X and Y are shuffled with two different permutations, so the examples lose their labels: "
          "draw one permutation and apply it to both",
          _batches(np.random.permutation, lambda m, columns: np.random.permutation(m)))
_register("random_mini_batches", "random_mini_batches_not_shuffled",
          "the examples are not shuffled: draw np.random.permutation(m) and reorder the columns of "
          "X and Y with it before cutting",
          _batches(np.arange, _same))
_register("random_mini_batches", "random_mini_batches_drops_last_batch",
          "the last, smaller mini-batch is missing: when m is not a multiple of mini_batch_size, the "
          "remaining examples form one more batch",
          _batches(np.random.permutation, _same, keep_last=False))


# 3. compute_cost_with_regularization ----------------------------------------------------------

def _l2_cost(penalty):
    """Cross-entropy plus ``penalty(parameters, lambd, m)``."""
    def variant(AL, Y, parameters, lambd):
        return np.squeeze(compute_cost(AL, Y) + penalty(parameters, lambd, Y.shape[1]))
    return variant


def _sum_of_squares(parameters, letters="W"):
    return sum(np.sum(parameters[letter + str(l)] ** 2) for l in _layers(parameters) for letter in letters)


_register("compute_cost_with_regularization", "compute_cost_with_regularization_no_2",
          "the L2 term is divided by m only: it is lambd / (2 * m) * (sum of the squared weights)",
          _l2_cost(lambda p, lambd, m: lambd / m * _sum_of_squares(p)))
_register("compute_cost_with_regularization", "compute_cost_with_regularization_no_m",
          "the L2 term is not divided by m: it is lambd / (2 * m) * (sum of the squared weights)",
          _l2_cost(lambda p, lambd, m: lambd / 2 * _sum_of_squares(p)))
_register("compute_cost_with_regularization", "compute_cost_with_regularization_biases",
          "the biases are penalised too: the L2 term sums the squares of the weights W only",
          _l2_cost(lambda p, lambd, m: lambd / (2 * m) * _sum_of_squares(p, "Wb")))
_register("compute_cost_with_regularization", "compute_cost_with_regularization_norm_not_squared",
          "the L2 term adds the norms of the weight matrices: add their squared entries, "
          "np.sum(np.square(W))",
          _l2_cost(lambda p, lambd, m: lambd / (2 * m) * sum(np.linalg.norm(p[f"W{l}"]) for l in _layers(p))))


# 4. L_model_backward_with_regularization ------------------------------------------------------

def _l2_backward(weight_factor, bias_factor=None, last_layer=True):
    """L_model_backward plus ``weight_factor(lambd, m) * W`` (and the same for b when given)."""
    def variant(AL, Y, caches, lambd):
        grads = L_model_backward(AL, Y, caches)
        m = AL.shape[1]
        for l, ((_, W, b), _) in enumerate(caches[:None if last_layer else -1], start=1):
            grads[f"dW{l}"] = grads[f"dW{l}"] + weight_factor(lambd, m) * W
            if bias_factor is not None:
                grads[f"db{l}"] = grads[f"db{l}"] + bias_factor(lambd, m) * b
        return grads
    return variant


_register("L_model_backward_with_regularization", "L_model_backward_with_regularization_no_m",
          "the L2 gradient is lambd * W: the derivative of lambd / (2 m) * W ** 2 is lambd / m * W",
          _l2_backward(lambda lambd, m: lambd))
_register("L_model_backward_with_regularization", "L_model_backward_with_regularization_2m",
          "the L2 gradient is lambd / (2 m) * W: differentiating W ** 2 gives 2 W, so it is lambd / m * W",
          _l2_backward(lambda lambd, m: lambd / (2 * m)))
_register("L_model_backward_with_regularization", "L_model_backward_with_regularization_biases",
          "the biases get an L2 term too: only dW changes, db stays as L_model_backward gives it",
          _l2_backward(lambda lambd, m: lambd / m, bias_factor=lambda lambd, m: lambd / m))
_register("L_model_backward_with_regularization", "L_model_backward_with_regularization_last_layer_missed",
          "the output layer's dW gets no L2 term: every layer's weights are penalised, the last one too",
          _l2_backward(lambda lambd, m: lambd / m, last_layer=False))


# 5. L_model_forward_with_dropout --------------------------------------------------------------

def _dropout_forward(keep=lambda draw, keep_prob: draw < keep_prob, rescale=True, reseed_each_layer=False,
                     drop_input=False):
    def variant(X, parameters, keep_prob, seed=0):
        np.random.seed(seed)
        L = len(parameters) // 2
        A, caches, masks = X, [], []
        if drop_input:
            masks.append(np.random.rand(*X.shape) < keep_prob)
            A = X * masks[-1] / keep_prob
        for l in range(1, L + 1):
            A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                 "sigmoid" if l == L else "relu")
            caches.append(cache)
            if l < L:
                if reseed_each_layer:
                    np.random.seed(seed)
                masks.append(keep(np.random.rand(*A.shape), keep_prob))
                A = A * masks[-1] / (keep_prob if rescale else 1)
        return A, caches, masks
    return variant


_register("L_model_forward_with_dropout", "L_model_forward_with_dropout_not_rescaled",
          "the kept activations are not divided by keep_prob: inverted dropout uses A * D / keep_prob, "
          "so that the expected value of A stays the same",
          _dropout_forward(rescale=False))
_register("L_model_forward_with_dropout", "L_model_forward_with_dropout_threshold_reversed",
          "a unit is kept where np.random.rand(...) < keep_prob; with '>' it is kept with probability "
          "1 - keep_prob",
          _dropout_forward(keep=lambda draw, keep_prob: draw > keep_prob))
_register("L_model_forward_with_dropout", "L_model_forward_with_dropout_reseeded_each_layer",
          "the generator is seeded again for every layer, so the layers share their random draws: "
          "call np.random.seed(seed) once, before the loop",
          _dropout_forward(reseed_each_layer=True))
_register("L_model_forward_with_dropout", "L_model_forward_with_dropout_input_dropped",
          "the input X is dropped too: dropout applies to the hidden layers 1..L-1 only",
          _dropout_forward(drop_input=True))


# 6. L_model_backward_with_dropout -------------------------------------------------------------

def _dropout_backward(gate):
    """L_model_backward's loop with ``dA = gate(dA, D, keep_prob)`` before each hidden layer."""
    def variant(AL, Y, caches, masks, keep_prob):
        grads = {}
        L = len(caches)
        dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        for l in range(L, 0, -1):
            if l < L:
                dA = grads[f"dA{l}"] = gate(dA, masks[l - 1], keep_prob)
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
                dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads["dA0"] = dA
        return grads
    return variant


_register("L_model_backward_with_dropout", "L_model_backward_with_dropout_mask_not_reused",
          "the mask of the forward pass is not applied to dA: the units dropped in the forward pass "
          "must get no gradient, dA = dA * D / keep_prob",
          _dropout_backward(lambda dA, D, keep_prob: dA / keep_prob))
_register("L_model_backward_with_dropout", "L_model_backward_with_dropout_new_mask",
          "a new mask is drawn in the backward pass: reuse the masks of the forward pass, "
          "dA = dA * D / keep_prob",
          _dropout_backward(lambda dA, D, keep_prob: dA * (np.random.rand(*dA.shape) < keep_prob) / keep_prob))
_register("L_model_backward_with_dropout", "L_model_backward_with_dropout_not_rescaled",
          "dA is not divided by keep_prob: the forward pass divided A by keep_prob, so its gradient "
          "is divided by keep_prob too",
          _dropout_backward(lambda dA, D, keep_prob: dA * D))


# 7 and 9. initialize_velocity, initialize_adam -------------------------------------------------

def _zeros(parameters, key=lambda name: "d" + name, letters="Wb"):
    return {key(name): np.zeros(value.shape) for name, value in parameters.items() if name[0] in letters}


_register("initialize_velocity", "initialize_velocity_parameter_keys",
          'the keys are those of the parameters ("W1"); the velocity is indexed like the gradients, '
          '"dW1", "db1", ...',
          lambda parameters: _zeros(parameters, key=str))
_register("initialize_velocity", "initialize_velocity_weights_only",
          'the biases have no velocity: add "db1", "db2", ... (zeros of the shape of b1, b2, ...)',
          lambda parameters: _zeros(parameters, letters="W"))
_register("initialize_adam", "initialize_adam_parameter_keys",
          'the keys are those of the parameters ("W1"); v and s are indexed like the gradients, '
          '"dW1", "db1", ...',
          lambda parameters: (_zeros(parameters, key=str), _zeros(parameters, key=str)))
_register("initialize_adam", "initialize_adam_weights_only",
          'the biases have no entries: v and s need "db1", "db2", ... too',
          lambda parameters: (_zeros(parameters, letters="W"), _zeros(parameters, letters="W")))


# 8. update_parameters_with_momentum -----------------------------------------------------------

def _momentum(velocity, step):
    """``v = velocity(v, g, beta)``; ``P = P - learning_rate * step(v_new, v_old, g)``."""
    def variant(parameters, grads, v, beta, learning_rate):
        new_parameters, new_v = {}, {}
        for name, value in parameters.items():
            old, g = v["d" + name], grads["d" + name]
            new_v["d" + name] = velocity(old, g, beta)
            new_parameters[name] = value - learning_rate * step(new_v["d" + name], old, g)
        return new_parameters, new_v
    return variant


def _moving_average(old, g, beta):
    return beta * old + (1 - beta) * g


_register("update_parameters_with_momentum", "update_parameters_with_momentum_no_1_minus_beta",
          "the gradient is not weighted by (1 - beta): v = beta * v + (1 - beta) * dW",
          _momentum(lambda old, g, beta: beta * old + g, lambda new, old, g: new))
_register("update_parameters_with_momentum", "update_parameters_with_momentum_steps_with_gradient",
          "the step uses the gradient: with momentum the parameters move along the velocity, "
          "W = W - learning_rate * v",
          _momentum(_moving_average, lambda new, old, g: g))
_register("update_parameters_with_momentum", "update_parameters_with_momentum_old_velocity",
          "the step uses the velocity from before this update: update v first, then "
          "W = W - learning_rate * v",
          _momentum(_moving_average, lambda new, old, g: old))


@mistake("update_parameters_with_momentum",
         "the caller's parameters and velocity are changed in place: build new dicts and arrays")
def update_parameters_with_momentum_in_place(parameters, grads, v, beta, learning_rate):
    for name in parameters:
        v["d" + name] *= beta
        v["d" + name] += (1 - beta) * grads["d" + name]
        parameters[name] -= learning_rate * v["d" + name]
    return parameters, v


# 10. update_parameters_with_adam --------------------------------------------------------------

@mistake("update_parameters_with_adam",
         "there is no bias correction: the step uses v / (1 - beta1 ** t) and s / (1 - beta2 ** t)")
def update_parameters_with_adam_no_bias_correction(parameters, grads, v, s, t, learning_rate=0.01,
                                                   beta1=0.9, beta2=0.999, epsilon=1e-8):
    new_parameters, new_v, new_s = {}, {}, {}
    for name in parameters:
        key = "d" + name
        new_v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
        new_s[key] = beta2 * s[key] + (1 - beta2) * grads[key] ** 2
        new_parameters[name] = parameters[name] - learning_rate * new_v[key] / (np.sqrt(new_s[key]) + epsilon)
    return new_parameters, new_v, new_s


def _adam(store_corrected=False, epsilon_inside=False, t_shift=0, square=True):
    def variant(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        new_parameters, new_v, new_s = {}, {}, {}
        step = t + t_shift
        for name, value in parameters.items():
            key, g = "d" + name, grads["d" + name]
            new_v[key] = beta1 * v[key] + (1 - beta1) * g
            new_s[key] = beta2 * s[key] + (1 - beta2) * (g ** 2 if square else g)
            v_corrected = new_v[key] / (1 - beta1 ** step)
            s_corrected = new_s[key] / (1 - beta2 ** step)
            denominator = np.sqrt(s_corrected + epsilon) if epsilon_inside else np.sqrt(s_corrected) + epsilon
            new_parameters[name] = value - learning_rate * v_corrected / denominator
            if store_corrected:
                new_v[key], new_s[key] = v_corrected, s_corrected
        return new_parameters, new_v, new_s
    return variant


_register("update_parameters_with_adam", "update_parameters_with_adam_corrected_state",
          "the bias-corrected averages are returned as v and s: correct them for the step only, and "
          "return the uncorrected v and s",
          _adam(store_corrected=True))
_register("update_parameters_with_adam", "update_parameters_with_adam_epsilon_inside_sqrt",
          "epsilon is inside the square root: the step is v_corrected / (np.sqrt(s_corrected) + epsilon)",
          _adam(epsilon_inside=True))
_register("update_parameters_with_adam", "update_parameters_with_adam_t_plus_1",
          "the bias correction uses t + 1: t is already the number of this update (the first one "
          "has t = 1), use beta1 ** t and beta2 ** t",
          _adam(t_shift=1))
_register("update_parameters_with_adam", "update_parameters_with_adam_s_not_squared",
          "s averages the gradients instead of their squares: s = beta2 * s + (1 - beta2) * dW ** 2",
          _adam(square=False))


# 11-12. parameters_to_vector, vector_to_parameters ---------------------------------------------

def _order(parameters):
    return [f"{letter}{l}" for l in _layers(parameters) for letter in "Wb"]


def _weights_first(parameters):
    return [f"{letter}{l}" for letter in "Wb" for l in _layers(parameters)]


def _to_vector(keys=_order, order="C", column=True):
    def variant(parameters):
        theta = np.concatenate([parameters[key].ravel(order=order) for key in keys(parameters)])
        return theta.reshape(-1, 1) if column else theta
    return variant


_register("parameters_to_vector", "parameters_to_vector_column_by_column",
          "the matrices are read column by column: read them row by row, W.reshape(-1, 1)",
          _to_vector(order="F"))
_register("parameters_to_vector", "parameters_to_vector_weights_first",
          "all the weights come before all the biases: the order is W1, b1, W2, b2, ...",
          _to_vector(keys=_weights_first))
_register("parameters_to_vector", "parameters_to_vector_flat",
          "theta has one dimension: it is a column vector of shape (n, 1)",
          _to_vector(column=False))


def _from_vector(weights_first=False, order="C"):
    def variant(theta, layer_dims):
        shapes = {}
        for l in range(1, len(layer_dims)):
            shapes[f"W{l}"] = (layer_dims[l], layer_dims[l - 1])
            shapes[f"b{l}"] = (layer_dims[l], 1)
        keys = sorted(shapes, key=lambda k: (k[0] != "W", int(k[1:]))) if weights_first else list(shapes)
        parameters, start = {}, 0
        for key in keys:
            size = int(np.prod(shapes[key]))
            parameters[key] = theta[start:start + size].reshape(shapes[key], order=order).copy()
            start += size
        return {key: parameters[key] for key in shapes}
    return variant


_register("vector_to_parameters", "vector_to_parameters_column_by_column",
          "the matrices are filled column by column: fill them row by row, reshape(shape) in C order",
          _from_vector(order="F"))
_register("vector_to_parameters", "vector_to_parameters_weights_first",
          "all the weights are read before all the biases: the order is W1, b1, W2, b2, ...",
          _from_vector(weights_first=True))


# 13. gradient_check ---------------------------------------------------------------------------

def _gradient_check(quotient, relative=True, copy=True):
    """gradapprox[i] = quotient(J, theta, i, epsilon); the difference, relative or not."""
    def variant(parameters, grads, X, Y, epsilon=1e-7):
        layer_dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in _layers(parameters)]
        theta = ref.parameters_to_vector(parameters)

        def J(vector):
            return compute_cost(L_model_forward(X, ref.vector_to_parameters(vector, layer_dims))[0], Y)

        gradapprox = np.zeros_like(theta)
        for i in range(theta.shape[0]):
            gradapprox[i, 0] = quotient(J, theta.copy() if copy else theta, i, epsilon)
        grad = ref.gradients_to_vector(grads)
        difference = np.linalg.norm(grad - gradapprox)
        if relative:
            difference /= np.linalg.norm(grad) + np.linalg.norm(gradapprox)
        return float(difference), gradapprox
    return variant


def _shifted(theta, i, step):
    shifted = theta.copy()
    shifted[i, 0] += step
    return shifted


def _aliased_two_sided(J, theta, i, epsilon):
    theta_plus = theta            # not a copy: one array under two names
    theta_plus[i, 0] += epsilon
    plus = J(theta_plus)
    theta_minus = theta
    theta_minus[i, 0] -= epsilon  # back where it started, so J(theta_minus) is J(theta)
    return (plus - J(theta_minus)) / (2 * epsilon)


_register("gradient_check", "gradient_check_one_sided",
          "a one-sided difference (J(theta + epsilon) - J(theta)) / epsilon: use the two-sided "
          "(J(theta + epsilon) - J(theta - epsilon)) / (2 * epsilon), which is far more accurate",
          _gradient_check(lambda J, theta, i, eps: (J(_shifted(theta, i, eps)) - J(theta)) / eps))
_register("gradient_check", "gradient_check_divided_by_epsilon",
          "the two-sided difference is divided by epsilon: the two points are 2 * epsilon apart",
          _gradient_check(lambda J, theta, i, eps: (J(_shifted(theta, i, eps)) - J(_shifted(theta, i, -eps))) / eps))
_register("gradient_check", "gradient_check_absolute_difference",
          "the difference is not relative: divide ||grad - gradapprox|| by ||grad|| + ||gradapprox||",
          _gradient_check(lambda J, theta, i, eps: (J(_shifted(theta, i, eps)) - J(_shifted(theta, i, -eps)))
                          / (2 * eps), relative=False))
_register("gradient_check", "gradient_check_theta_not_copied",
          "theta_plus = theta does not copy: both names share one array, so theta_minus ends up at theta "
          "itself and J(theta_minus) is J(theta); start each from theta.copy()",
          _gradient_check(_aliased_two_sided, copy=False))


# 14. model ------------------------------------------------------------------------------------

def _model(shuffle_seed=lambda seed, epoch: seed + epoch, dropout_seed=lambda seed, t: seed + t,
           reset_t_each_epoch=False, epoch_cost="weighted", initialization_used=None, l2_in_cost=True):
    """The model with one of its conventions changed (see the registered mistakes)."""
    def variant(X, Y, layer_dims, optimizer="adam", initialization="he", learning_rate=0.0075,
                mini_batch_size=64, num_epochs=1000, lambd=0.0, keep_prob=1.0, beta=0.9,
                beta1=0.9, beta2=0.999, epsilon=1e-8, seed=0, print_cost=False):
        m = X.shape[1]
        parameters = ref.initialize_parameters_with(layer_dims, initialization_used or initialization, seed)
        state = {"gd": (), "momentum": (ref.initialize_velocity(parameters),),
                 "adam": ref.initialize_adam(parameters)}[optimizer]
        costs, t = [], 0
        for epoch in range(num_epochs):
            t = 0 if reset_t_each_epoch else t
            batches = ref.random_mini_batches(X, Y, mini_batch_size or m, shuffle_seed(seed, epoch))
            batch_costs = []
            for batch_X, batch_Y in batches:
                t += 1
                if keep_prob < 1:
                    AL, caches, masks = ref.L_model_forward_with_dropout(batch_X, parameters, keep_prob,
                                                                         dropout_seed(seed, t))
                    grads = ref.L_model_backward_with_dropout(AL, batch_Y, caches, masks, keep_prob)
                else:
                    AL, caches = L_model_forward(batch_X, parameters)
                    grads = ref.L_model_backward_with_regularization(AL, batch_Y, caches, lambd)
                cost = (ref.compute_cost_with_regularization(AL, batch_Y, parameters, lambd) if l2_in_cost
                        else compute_cost(AL, batch_Y))
                batch_costs.append((float(cost), batch_X.shape[1]))
                if optimizer == "gd":
                    parameters = ref.update_parameters(parameters, grads, learning_rate)
                elif optimizer == "momentum":
                    parameters, *state = ref.update_parameters_with_momentum(parameters, grads, *state, beta,
                                                                             learning_rate)
                else:
                    parameters, *state = ref.update_parameters_with_adam(parameters, grads, *state, t,
                                                                         learning_rate, beta1, beta2, epsilon)
            costs.append({"weighted": sum(c * k for c, k in batch_costs) / m,
                          "mean": float(np.mean([c for c, _ in batch_costs])),
                          "last": batch_costs[-1][0]}[epoch_cost])
        return parameters, costs
    return variant


_register("model", "model_same_shuffle_every_epoch",
          "every epoch uses the same mini-batches: shuffle with seed + epoch, so each epoch is "
          "shuffled differently",
          _model(shuffle_seed=lambda seed, epoch: seed))
_register("model", "model_same_dropout_masks_every_step",
          "every update draws the same dropout masks: seed update t's masks with seed + t",
          _model(dropout_seed=lambda seed, t: seed))
_register("model", "model_t_reset_every_epoch",
          "Adam's t starts again at every epoch: t counts all the updates since the start of training",
          _model(reset_t_each_epoch=True))
_register("model", "model_unweighted_epoch_cost",
          "the epoch's cost is the plain mean of its mini-batch costs: weight each by its number of "
          "examples, sum(cost_k * m_k) / m (the last batch is smaller)",
          _model(epoch_cost="mean"))
_register("model", "model_last_batch_cost",
          "the epoch's cost is the last mini-batch's: it is the mean of all its mini-batch costs, "
          "weighted by their sizes",
          _model(epoch_cost="last"))
_register("model", "model_initialization_ignored",
          'the initialization argument is ignored ("he" is used whatever is passed)',
          _model(initialization_used="he"))
_register("model", "model_cost_without_l2",
          "when lambd > 0 the recorded cost leaves out the L2 term: use "
          "compute_cost_with_regularization",
          _model(l2_in_cost=False))
