"""Reference implementation of assignment 3, ``optimization``: training deep networks well.

The fourteen graded functions, in the order of the notebook: initialisation by
method, mini-batches, L2 regularisation, inverted dropout, momentum, Adam,
gradient checking, and one ``model`` that combines them. They are built on
assignment 1's functions, imported from ``dnn_utils.step_by_step`` (never
copied). The autograder computes expected outputs with them, and
``tests/test_reference_matches_source.py`` proves they agree with the solutions
in ``source/optimization/optimization.ipynb``.

Conventions (as in assignment 1): ``X`` is (n_x, m) with one example per
column, ``Y`` is (1, m) with labels 0 or 1, ``W{l}`` is (n_l, n_{l-1}),
``b{l}`` is (n_l, 1), and ``grads`` holds ``dW{l}``, ``db{l}`` (and ``dA{l-1}``
from a backward pass). Every function returns new dicts and arrays and leaves
the caller's arguments unchanged. Each function that draws random numbers seeds
NumPy's global generator itself, with its ``seed`` argument, so the same call
gives the same answer.

Pinned conventions, which would otherwise make correct answers disagree:

- the cross-entropy part of a cost is averaged over the ``m`` examples (1/m);
  the L2 part is ``lambd / (2 m) * sum of the squared weights`` (biases are not
  regularised), so its gradient adds ``lambd / m * W`` to each ``dW``;
- inverted dropout keeps a unit where ``np.random.rand(...) < keep_prob``,
  drawn once per hidden layer in layer order, and divides the kept activations
  by ``keep_prob`` (forward) and the kept gradients by ``keep_prob`` (backward);
  the output layer is never dropped, and prediction never uses dropout;
- Adam's step counter ``t`` counts updates from 1: the caller increments it
  before each update, so the first update has ``t = 1``; epsilon is added
  *outside* the square root: ``v_corrected / (sqrt(s_corrected) + epsilon)``;
- parameters become one column vector in the order W1, b1, W2, b2, ..., each
  matrix read row by row (C order).
"""
import numpy as np

from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, \
    linear_activation_backward, linear_activation_forward, update_parameters
from dnn_utils.gradient_checking import GRADIENT_CHECK_THRESHOLD, parameter_names  # noqa: F401  (given)
from dnn_utils.training import print_progress

INITIALIZATIONS = ("zeros", "random", "he", "xavier")
OPTIMIZERS = ("gd", "momentum", "adam")

# Scale of the "random" initialisation: large on purpose, to show what too large weights do.
RANDOM_SCALE = 10.0

# model: with print_cost, a progress line after the first epoch, every PRINT_EVERY-th and the last.
PRINT_EVERY = 100


def _number_of_layers(parameters):
    return len(parameters) // 2


# 1. Initialisation ----------------------------------------------------------------------------

def initialize_parameters_with(layer_dims, initialization, seed=0):
    """Weights by the named method, zero biases, for an L-layer network.

    Seeds NumPy's global generator with ``seed``, then draws W1, W2, ... in
    layer order, each as ``np.random.randn(n_l, n_{l-1})`` times a scale:

    - ``"zeros"``: every weight 0 (nothing is drawn);
    - ``"random"``: scale ``RANDOM_SCALE`` (10), far too large on purpose;
    - ``"he"``: scale ``sqrt(2 / n_{l-1})``, for ReLU layers;
    - ``"xavier"``: scale ``sqrt(1 / n_{l-1})``.

    Args:
        layer_dims: sizes [n_0, n_1, ..., n_L]; n_0 is the input size.
        initialization: one of "zeros", "random", "he", "xavier".
        seed: seed of NumPy's global generator.

    Returns:
        dict with W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) zeros, for l = 1..L.

    Raises:
        ValueError: an unknown initialization.
    """
    if initialization not in INITIALIZATIONS:
        raise ValueError(f"unknown initialization {initialization!r}; use one of {INITIALIZATIONS}")
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        if initialization == "zeros":
            W = np.zeros((n, n_prev))
        else:
            scale = {"random": RANDOM_SCALE, "he": np.sqrt(2 / n_prev),
                     "xavier": np.sqrt(1 / n_prev)}[initialization]
            W = np.random.randn(n, n_prev) * scale
        parameters["W" + str(l)] = W
        parameters["b" + str(l)] = np.zeros((n, 1))
    return parameters


# 2. Mini-batches ------------------------------------------------------------------------------

def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the examples, then cut them into mini-batches.

    Seeds NumPy's global generator with ``seed`` and draws one permutation
    ``np.random.permutation(m)``, applied to the columns of both X and Y, so
    each example keeps its label. The shuffled columns are cut in order into
    ``m // mini_batch_size`` batches of ``mini_batch_size`` examples, followed
    by one smaller batch with the remaining ``m % mini_batch_size`` examples
    when that is not zero. Every example is in exactly one batch.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        mini_batch_size: number of examples per batch, a positive integer.
        seed: seed of NumPy's global generator.

    Returns:
        list of (mini_batch_X, mini_batch_Y) tuples, of shapes (n_x, k) and (1, k).
    """
    np.random.seed(seed)
    m = X.shape[1]
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    return [(shuffled_X[:, start:start + mini_batch_size], shuffled_Y[:, start:start + mini_batch_size])
            for start in range(0, m, mini_batch_size)]


# 3-4. L2 regularisation -----------------------------------------------------------------------

def compute_cost_with_regularization(AL, Y, parameters, lambd):
    """Cross-entropy cost plus the L2 penalty on the weights.

    ``J = compute_cost(AL, Y) + lambd / (2 m) * sum_l sum(W{l} ** 2)``; the
    biases are not penalised.

    Args:
        AL: predicted probabilities, shape (1, m).
        Y: labels, shape (1, m).
        parameters: W1..WL, b1..bL.
        lambd: regularisation strength, >= 0.

    Returns:
        cost: a 0-d value.
    """
    m = Y.shape[1]
    squares = sum(np.sum(np.square(parameters["W" + str(l)]))
                  for l in range(1, _number_of_layers(parameters) + 1))
    return np.squeeze(compute_cost(AL, Y) + lambd / (2 * m) * squares)


def L_model_backward_with_regularization(AL, Y, caches, lambd):
    """Gradients of ``compute_cost_with_regularization`` for the whole network.

    The same as ``L_model_backward(AL, Y, caches)``, with ``lambd / m * W{l}``
    added to every ``dW{l}`` (W{l} read from layer l's cache); ``db{l}`` and
    ``dA{l-1}`` are unchanged, since the penalty depends on the weights only.

    Args:
        AL: output of the forward pass, shape (1, m).
        Y: labels, shape (1, m).
        caches: the L caches of L_model_forward.
        lambd: regularisation strength, >= 0.

    Returns:
        grads: dict with dA{l-1}, dW{l}, db{l} for l = 1..L, as L_model_backward.
    """
    m = AL.shape[1]
    grads = L_model_backward(AL, Y, caches)
    for l, ((_, W, _), _) in enumerate(caches, start=1):
        grads["dW" + str(l)] = grads["dW" + str(l)] + lambd / m * W
    return grads


# 5-6. Inverted dropout ------------------------------------------------------------------------

def L_model_forward_with_dropout(X, parameters, keep_prob, seed=0):
    """Forward pass of [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID with inverted dropout.

    Seeds NumPy's global generator with ``seed``. After each hidden layer
    l = 1..L-1 (in order) computes ``A{l}``, draws ``np.random.rand(*A{l}.shape)``
    and keeps the units where that draw is ``< keep_prob``:
    ``D{l} = draw < keep_prob`` and ``A{l} = A{l} * D{l} / keep_prob``. The
    dropped and rescaled ``A{l}`` is what layer l+1 receives (and keeps in its
    cache). Neither the input X nor the output layer is dropped.

    Args:
        X: inputs, shape (n_x, m).
        parameters: W1..WL, b1..bL.
        keep_prob: probability of keeping a hidden unit, in (0, 1].
        seed: seed of NumPy's global generator.

    Returns:
        AL: output probabilities, shape (1, m).
        caches: list of the L caches of linear_activation_forward, layer 1 first.
        masks: list of the L-1 masks D1..D{L-1}, arrays of 0/1 (bool) of the
            hidden activations' shapes, layer 1 first.
    """
    np.random.seed(seed)
    L = _number_of_layers(parameters)
    A, caches, masks = X, [], []
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        D = np.random.rand(*A.shape) < keep_prob
        A = A * D / keep_prob
        caches.append(cache)
        masks.append(D)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches, masks


def L_model_backward_with_dropout(AL, Y, caches, masks, keep_prob):
    """Gradients of the cross-entropy cost through a forward pass with inverted dropout.

    As ``L_model_backward``, except that for each hidden layer l = L-1..1 the
    gradient arriving from layer l+1 goes through the same mask as in the
    forward pass and is divided by keep_prob again: ``dA{l} = dA{l} * D{l} / keep_prob``,
    before the layer's ReLU backward step.

    Args:
        AL: output of L_model_forward_with_dropout, shape (1, m).
        Y: labels, shape (1, m).
        caches: the L caches of L_model_forward_with_dropout.
        masks: its L-1 masks D1..D{L-1}.
        keep_prob: the probability used in the forward pass.

    Returns:
        grads: dict with dW{l}, db{l} for l = 1..L and dA{l-1}; for a hidden
            layer l, ``grads["dA" + str(l)]`` is the gradient with respect to
            its ReLU output before dropout (masked and divided by keep_prob);
            ``dA0`` is the gradient with respect to X.
    """
    grads = {}
    L = len(caches)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA, grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in range(L - 1, 0, -1):
        grads["dA" + str(l)] = dA * masks[l - 1] / keep_prob
        dA, grads["dW" + str(l)], grads["db" + str(l)] = linear_activation_backward(
            grads["dA" + str(l)], caches[l - 1], "relu")
    grads["dA0"] = dA
    return grads


# 7-8. Momentum --------------------------------------------------------------------------------

def _zeros_like_gradients(parameters):
    return {"d" + key: np.zeros_like(value, dtype=float) for key, value in parameters.items()}


def initialize_velocity(parameters):
    """Momentum's velocity: zeros shaped like the gradients.

    Args:
        parameters: W1..WL, b1..bL.

    Returns:
        v: dict with dW{l} (zeros of W{l}'s shape) and db{l} (zeros of b{l}'s shape).
    """
    return _zeros_like_gradients(parameters)


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """One step of gradient descent with momentum, returned as new dicts.

    For every layer: ``v["dW{l}"] = beta * v["dW{l}"] + (1 - beta) * dW{l}``,
    then ``W{l} = W{l} - learning_rate * v["dW{l}"]``; the same for b with db.

    Args:
        parameters: W1..WL, b1..bL.
        grads: dW1..dWL, db1..dbL (other keys are ignored).
        v: the velocity, dW1..dWL, db1..dbL.
        beta: momentum, in [0, 1).
        learning_rate: step size.

    Returns:
        parameters: new dict of updated parameters.
        v: new dict, the updated velocity.
    """
    new_parameters, new_v = {}, {}
    for key, value in parameters.items():
        new_v["d" + key] = beta * v["d" + key] + (1 - beta) * grads["d" + key]
        new_parameters[key] = value - learning_rate * new_v["d" + key]
    return new_parameters, new_v


# 9-10. Adam -----------------------------------------------------------------------------------

def initialize_adam(parameters):
    """Adam's two moving averages, both zeros shaped like the gradients.

    Args:
        parameters: W1..WL, b1..bL.

    Returns:
        v: dict with dW{l}, db{l} zeros (average of the gradients).
        s: dict with dW{l}, db{l} zeros (average of the squared gradients).
    """
    return _zeros_like_gradients(parameters), _zeros_like_gradients(parameters)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One step of Adam, returned as new dicts.

    For every parameter P (W{l} and b{l}) with gradient dP:

    - ``v = beta1 * v + (1 - beta1) * dP`` and ``s = beta2 * s + (1 - beta2) * dP ** 2``;
    - bias correction: ``v_corrected = v / (1 - beta1 ** t)``, ``s_corrected = s / (1 - beta2 ** t)``;
    - ``P = P - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)``,
      epsilon outside the square root.

    The returned v and s are the uncorrected averages: bias correction is
    applied to the step only, never to the stored state.

    Args:
        parameters: W1..WL, b1..bL.
        grads: dW1..dWL, db1..dbL (other keys are ignored).
        v, s: Adam's state, dW1..dWL, db1..dbL each.
        t: number of this update, counted from 1 (the caller increments it before the call).
        learning_rate: step size.
        beta1, beta2: decay rates of the two averages, in [0, 1).
        epsilon: small positive number that keeps the division finite.

    Returns:
        parameters, v, s: new dicts.
    """
    new_parameters, new_v, new_s = {}, {}, {}
    for key, value in parameters.items():
        g = grads["d" + key]
        new_v["d" + key] = beta1 * v["d" + key] + (1 - beta1) * g
        new_s["d" + key] = beta2 * s["d" + key] + (1 - beta2) * np.square(g)
        v_corrected = new_v["d" + key] / (1 - beta1 ** t)
        s_corrected = new_s["d" + key] / (1 - beta2 ** t)
        new_parameters[key] = value - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return new_parameters, new_v, new_s


# 11-13. Gradient checking ---------------------------------------------------------------------

def parameters_to_vector(parameters):
    """All parameters as one column vector.

    The order is W1, b1, W2, b2, ..., WL, bL; each array is read row by row
    (C order, ``array.reshape(-1, 1)``).

    Args:
        parameters: W1..WL, b1..bL.

    Returns:
        theta: shape (n, 1), n being the number of parameters.
    """
    L = _number_of_layers(parameters)
    pieces = [parameters[letter + str(l)].reshape(-1, 1) for l in range(1, L + 1) for letter in "Wb"]
    return np.concatenate(pieces, axis=0)


def vector_to_parameters(theta, layer_dims):
    """The inverse of ``parameters_to_vector``: a column vector back to W1, b1, ..., WL, bL.

    Args:
        theta: shape (n, 1), in the order of parameters_to_vector.
        layer_dims: sizes [n_0, n_1, ..., n_L] of the network.

    Returns:
        dict with W{l} (n_l, n_{l-1}) and b{l} (n_l, 1), new arrays (not views of theta).
    """
    parameters, start = {}, 0
    for l in range(1, len(layer_dims)):
        for letter, shape in (("W", (layer_dims[l], layer_dims[l - 1])), ("b", (layer_dims[l], 1))):
            size = shape[0] * shape[1]
            parameters[letter + str(l)] = theta[start:start + size].reshape(shape).copy()
            start += size
    return parameters


def gradients_to_vector(grads):
    """dW1, db1, ..., dWL, dbL as one column vector, in the order of ``parameters_to_vector``.

    Other keys (such as dA0) are ignored. Provided, not graded.
    """
    return parameters_to_vector({key[1:]: value for key, value in grads.items()
                                 if key[:2] in ("dW", "db")})


def _layer_dims(parameters):
    L = _number_of_layers(parameters)
    return [parameters["W1"].shape[1]] + [parameters["W" + str(l)].shape[0] for l in range(1, L + 1)]


def gradient_check(parameters, grads, X, Y, epsilon=1e-7):
    """Compare ``grads`` with a numerical estimate of the cost's gradient.

    The cost is ``J(theta) = compute_cost(L_model_forward(X, params)[0], Y)``
    with ``params = vector_to_parameters(theta, layer_dims)``. For each entry i
    of ``theta = parameters_to_vector(parameters)``, the two-sided difference

        gradapprox[i] = (J(theta + epsilon e_i) - J(theta - epsilon e_i)) / (2 epsilon)

    moves that one entry only. The relative difference is

        difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

    (Euclidean norms), with ``grad = gradients_to_vector(grads)``. A difference
    below ``GRADIENT_CHECK_THRESHOLD`` (1e-7, for epsilon = 1e-7) means the
    gradients agree; a wrong backward pass gives a far larger one.

    Args:
        parameters: W1..WL, b1..bL.
        grads: dW1..dWL, db1..dbL to check (other keys are ignored).
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        epsilon: the step of the differences.

    Returns:
        difference: a float, the relative difference.
        gradapprox: shape (n, 1), the numerical gradient, in the order of parameters_to_vector.
    """
    layer_dims = _layer_dims(parameters)
    theta = parameters_to_vector(parameters)
    grad = gradients_to_vector(grads)

    def cost(vector):
        AL, _ = L_model_forward(X, vector_to_parameters(vector, layer_dims))
        return compute_cost(AL, Y)

    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        theta_plus, theta_minus = theta.copy(), theta.copy()
        theta_plus[i, 0] += epsilon
        theta_minus[i, 0] -= epsilon
        gradapprox[i, 0] = (cost(theta_plus) - cost(theta_minus)) / (2 * epsilon)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return float(difference), gradapprox


# 14. The model --------------------------------------------------------------------------------

def model(X, Y, layer_dims, optimizer="adam", initialization="he", learning_rate=0.0075,
          mini_batch_size=64, num_epochs=1000, lambd=0.0, keep_prob=1.0, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, seed=0, print_cost=False):
    """Train [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID with mini-batches and the chosen options.

    1. ``parameters = initialize_parameters_with(layer_dims, initialization, seed)``;
       the optimizer's state: none for "gd", ``initialize_velocity`` for
       "momentum", ``initialize_adam`` for "adam"; the update counter ``t = 0``.
    2. For each epoch e = 0..num_epochs-1: the mini-batches are
       ``random_mini_batches(X, Y, mini_batch_size, seed + e)`` (a new shuffle
       every epoch; ``mini_batch_size=None`` means all m examples in one batch).
       For each mini-batch, in order:

       - ``t = t + 1`` (so the first update has t = 1);
       - forward: ``L_model_forward_with_dropout(..., keep_prob, seed + t)`` when
         ``keep_prob < 1``, else ``L_model_forward``;
       - cost: ``compute_cost_with_regularization(..., lambd)`` when ``lambd > 0``,
         else ``compute_cost``;
       - backward: ``L_model_backward_with_dropout`` when ``keep_prob < 1``,
         ``L_model_backward_with_regularization`` when ``lambd > 0``, else
         ``L_model_backward``;
       - update: ``update_parameters`` ("gd"), ``update_parameters_with_momentum``
         (with ``beta``) or ``update_parameters_with_adam`` (with ``t``, ``beta1``,
         ``beta2``, ``epsilon``).

       The epoch's cost is the mean of its mini-batch costs weighted by their
       sizes, ``sum(cost_k * m_k) / m``, each computed before that batch's update.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        layer_dims: [n_x, n_1, ..., n_L].
        optimizer: "gd", "momentum" or "adam".
        initialization: "zeros", "random", "he" or "xavier".
        learning_rate: step size.
        mini_batch_size: examples per mini-batch, or None for one batch of all m.
        num_epochs: passes over the training set.
        lambd: L2 strength; 0 means no L2 regularisation.
        keep_prob: dropout's keep probability; 1 means no dropout.
        beta: momentum's decay rate.
        beta1, beta2, epsilon: Adam's hyperparameters.
        seed: drives all randomness (weights, shuffles, dropout masks) as described above.
        print_cost: print a progress line (epochs counted from 1) after the first epoch, every
            PRINT_EVERY-th and the last.

    Returns:
        parameters: dict W{l} (n_l, n_{l-1}), b{l} (n_l, 1) after the last update.
        costs: list of num_epochs floats, the cost of each epoch.

    Raises:
        ValueError: an unknown optimizer, or both lambd > 0 and keep_prob < 1
            (use one regularisation at a time).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; use one of {OPTIMIZERS}")
    if lambd > 0 and keep_prob < 1:
        raise ValueError("use one regularisation at a time: lambd > 0 or keep_prob < 1, not both")
    m = X.shape[1]
    batch_size = m if mini_batch_size is None else mini_batch_size
    parameters = initialize_parameters_with(layer_dims, initialization, seed)
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    t = 0
    costs = []
    for epoch in range(num_epochs):
        total = 0.0
        for mini_batch_X, mini_batch_Y in random_mini_batches(X, Y, batch_size, seed + epoch):
            t = t + 1
            if keep_prob < 1:
                AL, caches, masks = L_model_forward_with_dropout(mini_batch_X, parameters, keep_prob, seed + t)
            else:
                AL, caches = L_model_forward(mini_batch_X, parameters)
            if lambd > 0:
                cost = compute_cost_with_regularization(AL, mini_batch_Y, parameters, lambd)
            else:
                cost = compute_cost(AL, mini_batch_Y)
            if keep_prob < 1:
                grads = L_model_backward_with_dropout(AL, mini_batch_Y, caches, masks, keep_prob)
            elif lambd > 0:
                grads = L_model_backward_with_regularization(AL, mini_batch_Y, caches, lambd)
            else:
                grads = L_model_backward(AL, mini_batch_Y, caches)
            if optimizer == "gd":
                parameters = update_parameters(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            else:
                parameters, v, s = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate,
                                                               beta1, beta2, epsilon)
            total += float(cost) * mini_batch_X.shape[1]
        costs.append(total / m)
        done = epoch + 1
        if print_cost and (done == 1 or done % PRINT_EVERY == 0 or done == num_epochs):
            print_progress(done, num_epochs, costs[-1], unit="epoch")
    return parameters, costs
