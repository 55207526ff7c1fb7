"""A training path for batch gradient descent that computes only what training uses.

Training ``[LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID`` by composing assignment 1's
graded functions (``L_model_forward``, ``compute_cost``, ``L_model_backward``,
``update_parameters``) does work that the parameters never see:

- ``L_model_backward`` returns ``dA0 = W1.T dZ1``, the gradient with respect to
  the inputs. On the cat images it is a (12288, m) product as large as the
  forward one, and nothing reads it;
- ``linear_backward`` multiplies ``dZ1`` by the transposed view ``X.T``, so the
  BLAS re-reads X in the slow order at every iteration: here X is transposed
  once, before the first iteration;
- ``update_parameters`` allocates new weight matrices at every step, and every
  ``dW`` is a fresh matrix as large as its ``W``: here both live in buffers
  allocated once and overwritten in place;
- the sigmoid of the output layer is computed twice (forward, and again in
  ``sigmoid_backward``): here the forward value is reused;
- the cost is computed at every iteration and kept one time in a hundred: here
  only at the recorded iterations;
- the first layer's product ``W1 X`` is recomputed from scratch at every
  iteration, although X never changes and W1 only moves by ``-learning_rate dW1``.
  When there are fewer examples than inputs (the cat images: m = 209, n_x = 12288)
  the path updates it instead: ``W1' X = W1 X - learning_rate (1/m) dZ1 (X.T X)``,
  with the (m, m) matrix ``X.T X`` computed once, and recomputes it exactly every
  ``RECORD_EVERY`` iterations (so every recorded cost comes from an exact product,
  and rounding cannot build up for more than a hundred steps). That replaces a
  (n_1, n_x) by (n_x, m) product by a (n_1, m) by (m, m) one. ``W1`` itself is
  still updated at every step, as ``update_parameters`` does.

Everything else is the same arithmetic as the graded functions, operation by
operation (``(1 / m) * product``, ``W - learning_rate * dW``, the same
``dAL``). Without the incremental first layer the results are those of the
composition bit for bit on the cat data; with it they differ by rounding
(measured: 1e-16 on the costs, 6e-16 on the weights after 2500 iterations).
``tests/test_training_path.py`` checks 1e-10 on random networks, both ways,
and on the cat data. Shapes follow assignment 1: ``X`` is (n_x, m), ``Y`` is
(1, m), ``W{l}`` is (n_l, n_{l-1}), ``b{l}`` is (n_l, 1).
"""
import numpy as np

RECORD_EVERY = 100


def _sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _forward(X, weights, biases, Zs, As, W1X=None):
    """Fill ``Zs[l]`` and ``As[l]`` for l = 0..L-1 (layer l + 1), from ``X`` (n_x, m).

    ``W1X``, when given, is the current ``W1 X`` (n_1, m), used instead of the product.
    """
    L = len(weights)
    A = X
    for l in range(L):
        Z = Zs[l]
        if l == 0 and W1X is not None:
            np.add(W1X, biases[0], out=Z)
        else:
            np.dot(weights[l], A, out=Z)
            Z += biases[l]
        if l < L - 1:
            A = np.maximum(0, Z, out=As[l])
        else:
            A = As[l] = _sigmoid(Z)
    return A


def _backward_and_update(XT, Y, weights, biases, Zs, As, dWs, learning_rate, m, W1X=None, gram=None):
    """Back-propagate from the output and take the gradient step, layer by layer, in place.

    Layer l's weights are updated as soon as the gradient flowing into layer l - 1 has
    been computed from them, and no gradient flows out of layer 1 (that would be dA0).
    ``W1X`` (n_1, m), when given, is moved along with W1, using ``gram = X.T X`` (m, m).
    """
    L = len(weights)
    AL = As[L - 1]
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dZ = dA * AL * (1 - AL)         # sigmoid_backward, with sigmoid(Z_L) = AL already computed
    for l in range(L - 1, -1, -1):
        dW = dWs[l]
        if l == 0:
            np.dot(dZ, XT, out=dW)
        else:
            np.dot(dZ, As[l - 1].T, out=dW)
        dW *= 1 / m
        db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)
        if l > 0:
            dA_prev = np.dot(weights[l].T, dZ)
        elif W1X is not None:        # dW1 X = (1/m) dZ1 X.T X
            W1X -= learning_rate * ((1 / m) * np.dot(dZ, gram))
        dW *= learning_rate
        weights[l] -= dW
        biases[l] -= learning_rate * db
        if l > 0:
            dZ = np.where(Zs[l - 1] > 0, dA_prev, 0.0)


def _cost(AL, Y, m):
    """The cross-entropy cost as ``compute_cost`` computes it, as a Python float."""
    return float(np.squeeze(-(1 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))))


def pays_to_update_first_layer(n_x, m):
    """Whether updating ``W1 X`` costs less than recomputing it: (m, m) against (n_x, m) per unit."""
    return 2 * m <= n_x


def gradient_descent(X, Y, parameters, learning_rate, num_iterations, on_record=None,
                     incremental_first_layer=None):
    """Train [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID from ``parameters`` by batch gradient descent.

    Each iteration computes what ``L_model_forward``, ``compute_cost``, ``L_model_backward``
    and ``update_parameters`` would (except ``dA0``, which no parameter depends on).

    Args:
        X: inputs, shape (n_x, m).
        Y: labels 0 or 1, shape (1, m) (or any shape holding m labels, as ``L_model_backward``
            reshapes it).
        parameters: the starting W1..WL, b1..bL; neither the dict nor its arrays are modified.
        learning_rate: gradient descent step size.
        num_iterations: number of gradient steps.
        on_record: called as ``on_record(i, cost)`` at every recorded iteration, if given.
        incremental_first_layer: update ``W1 X`` instead of recomputing it (see the module's
            docstring); None: when ``pays_to_update_first_layer(n_x, m)``.

    Returns:
        parameters: a new dict of W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) after the last step.
        costs: list of floats, the cost of iterations 0, 100, 200, ... computed by that
            iteration's forward pass, before its step; ``ceil(num_iterations / 100)`` of them.
    """
    L = len(parameters) // 2
    weights = [np.array(parameters["W" + str(l)], dtype=float, order="C") for l in range(1, L + 1)]
    biases = [np.array(parameters["b" + str(l)], dtype=float, order="C") for l in range(1, L + 1)]
    X = np.ascontiguousarray(X, dtype=float)
    XT = np.ascontiguousarray(X.T)
    n_x, m = X.shape
    Y = np.asarray(Y).reshape(1, m)
    if incremental_first_layer is None:
        incremental_first_layer = pays_to_update_first_layer(n_x, m)
    gram = np.dot(XT, X) if incremental_first_layer else None
    W1X = np.empty((weights[0].shape[0], m)) if incremental_first_layer else None
    Zs = [np.empty((W.shape[0], m)) for W in weights]
    As = [np.empty((W.shape[0], m)) for W in weights]
    dWs = [np.empty_like(W) for W in weights]
    costs = []
    for i in range(num_iterations):
        if incremental_first_layer and i % RECORD_EVERY == 0:
            np.dot(weights[0], X, out=W1X)     # exact again, as at every recorded iteration
        AL = _forward(X, weights, biases, Zs, As, W1X)
        if i % RECORD_EVERY == 0:
            costs.append(_cost(AL, Y, m))
            if on_record is not None:
                on_record(i, costs[-1])
        _backward_and_update(XT, Y, weights, biases, Zs, As, dWs, learning_rate, m, W1X, gram)
    trained = {}
    for l in range(1, L + 1):
        trained["W" + str(l)], trained["b" + str(l)] = weights[l - 1], biases[l - 1]
    return trained, costs
