"""Mathematical facts about the reference of ``optimization``, tested on inputs hypothesis chooses.

Each test states its tolerance and why: sampled statistics are compared with bounds several standard
errors wide (so a correct implementation fails them with negligible probability, while the nearest
wrong formula lies far outside), exact facts are compared exactly.
"""
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import dnn_utils.optimization as ref
from dnn_utils.step_by_step import L_model_backward, L_model_forward
from dnn_utils.toy_data import moons

seeds = st.integers(0, 2**31 - 1)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _network(rng, layer_dims, scale=0.6):
    return {key: rng.randn(*shape) * scale for l in range(1, len(layer_dims))
            for key, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l], 1)))}


# -- initialisation ------------------------------------------------------------------------------

@FAST
@given(seed=seeds, n_prev=st.integers(100, 400), n=st.integers(100, 300),
       method=st.sampled_from([("he", 2.0), ("xavier", 1.0)]))
def test_he_and_xavier_weights_have_variance_gain_over_fan_in(seed, n_prev, n, method):
    """var(W) = gain / n_prev. With N >= 10^4 draws the sample variance's relative standard error is
    sqrt(2 / N) <= 1.5%; 6 standard errors (9%) never flags a right answer and excludes the other
    method (a factor of 2) and a fan-out scale whenever n differs from n_prev by more than 9%."""
    name, gain = method
    W = ref.initialize_parameters_with([n_prev, n], name, seed)["W1"]
    N = W.size
    assert abs(W.var() / (gain / n_prev) - 1) < 6 * np.sqrt(2 / N)
    assert abs(W.mean()) < 6 * np.sqrt(gain / n_prev / N)


@FAST
@given(seed=seeds, layer_dims=st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_initialisation_shapes_zero_biases_and_seed(seed, layer_dims):
    for method in ref.INITIALIZATIONS:
        parameters = ref.initialize_parameters_with(layer_dims, method, seed)
        assert len(parameters) == 2 * (len(layer_dims) - 1)
        for l in range(1, len(layer_dims)):
            assert parameters[f"W{l}"].shape == (layer_dims[l], layer_dims[l - 1])
            assert np.array_equal(parameters[f"b{l}"], np.zeros((layer_dims[l], 1)))
        again = ref.initialize_parameters_with(layer_dims, method, seed)
        assert all(np.array_equal(parameters[k], again[k]) for k in parameters)
    zeros = ref.initialize_parameters_with(layer_dims, "zeros", seed)
    assert all(not value.any() for value in zeros.values())
    # one set of draws, three scales: "random" / He = 10 / sqrt(2 / n_prev), exactly
    he, random = (ref.initialize_parameters_with(layer_dims, m, seed) for m in ("he", "random"))
    np.testing.assert_allclose(random["W1"], he["W1"] * 10 / np.sqrt(2 / layer_dims[0]), rtol=1e-12)


# -- mini-batches --------------------------------------------------------------------------------

@FAST
@given(seed=seeds, n_x=st.integers(1, 4), m=st.integers(1, 60), mini_batch_size=st.integers(1, 70))
def test_mini_batches_cover_every_example_exactly_once_with_its_label(seed, n_x, m, mini_batch_size):
    rng = np.random.RandomState(seed % 10_000)
    X = rng.randn(n_x, m)
    X[0] = np.arange(m)   # the first feature names the example
    Y = rng.randint(0, 2, size=(1, m))
    batches = ref.random_mini_batches(X, Y, mini_batch_size, seed)
    sizes = [batch_X.shape[1] for batch_X, _ in batches]
    assert sizes == [mini_batch_size] * (m // mini_batch_size) + ([m % mini_batch_size] if m % mini_batch_size else [])
    columns = np.concatenate([batch_X for batch_X, _ in batches], axis=1)
    labels = np.concatenate([batch_Y for _, batch_Y in batches], axis=1)
    order = columns[0].astype(int)
    assert sorted(order) == list(range(m))                     # every example exactly once
    assert np.array_equal(columns, X[:, order]) and np.array_equal(labels, Y[:, order])   # kept together


def test_mini_batches_are_shuffled_differently_for_different_seeds():
    X, Y = np.arange(50.0).reshape(1, 50), np.zeros((1, 50))
    orders = {tuple(np.concatenate([b for b, _ in ref.random_mini_batches(X, Y, 8, seed)], axis=1)[0])
              for seed in range(5)}
    assert len(orders) == 5 and tuple(range(50)) not in orders


# -- dropout -------------------------------------------------------------------------------------

@FAST
@given(seed=seeds, keep_prob=st.floats(0.3, 0.95))
def test_inverted_dropout_keeps_the_mean(seed, keep_prob):
    """Mean of A * D / keep_prob over N = 40000 units of value 1: its standard error is
    sqrt((1 - p) / (p N)) <= 0.004; 6 of them never flag a right answer, while forgetting the division
    by keep_prob moves the mean by 1 - p >= 0.05."""
    X = np.eye(2)[:, [0] * 200 + [1] * 200]                    # (2, 400)
    parameters = {"W1": np.ones((100, 2)), "b1": np.zeros((100, 1)), "W2": np.zeros((1, 100)), "b2": np.zeros((1, 1))}
    _, caches, masks = ref.L_model_forward_with_dropout(X, parameters, keep_prob, seed)
    dropped = caches[1][0][0]                                  # A1 after dropout, as layer 2 receives it
    N = dropped.size
    assert abs(dropped.mean() - 1) < 6 * np.sqrt((1 - keep_prob) / (keep_prob * N))
    assert abs(masks[0].mean() - keep_prob) < 6 * np.sqrt(keep_prob * (1 - keep_prob) / N)
    assert set(np.unique(dropped)) <= {0.0, 1 / keep_prob}


@FAST
@given(seed=seeds, layer_dims=st.lists(st.integers(1, 5), min_size=2, max_size=4).map(lambda d: d + [1]),
       m=st.integers(1, 6))
def test_dropout_with_keep_prob_1_is_the_plain_network(seed, layer_dims, m):
    rng = np.random.RandomState(seed % 10_000)
    X, parameters = rng.randn(layer_dims[0], m), _network(rng, layer_dims)
    Y = (rng.rand(1, m) < 0.5).astype(float)
    AL, caches, masks = ref.L_model_forward_with_dropout(X, parameters, 1.0, seed)
    plain_AL, plain_caches = L_model_forward(X, parameters)
    assert np.array_equal(AL, plain_AL) and all(mask.all() for mask in masks)
    grads = ref.L_model_backward_with_dropout(AL, Y, caches, masks, 1.0)
    plain = L_model_backward(plain_AL, Y, plain_caches)
    assert grads.keys() == plain.keys()
    assert all(np.allclose(grads[k], plain[k], rtol=1e-12, atol=1e-14) for k in plain)


# -- optimisers ----------------------------------------------------------------------------------

@FAST
@given(seed=seeds, learning_rate=st.sampled_from([0.001, 0.01, 0.1]), beta1=st.floats(0.5, 0.99),
       beta2=st.floats(0.9, 0.9999))
def test_adam_at_t_1_moves_every_parameter_by_the_learning_rate(seed, learning_rate, beta1, beta2):
    """From zero averages, the corrected averages at t = 1 are dP and dP ** 2, so the step is
    learning_rate * dP / (|dP| + epsilon): learning_rate against the sign of dP, whatever beta1 and
    beta2 (to relative 1e-6 when |dP| >= 0.01 and epsilon = 1e-8)."""
    rng = np.random.RandomState(seed % 10_000)
    parameters = _network(rng, [3, 4, 1])
    grads = {"d" + k: np.sign(rng.randn(*v.shape)) * rng.uniform(0.01, 2, size=v.shape) for k, v in parameters.items()}
    v, s = ref.initialize_adam(parameters)
    new, new_v, new_s = ref.update_parameters_with_adam(parameters, grads, v, s, 1, learning_rate, beta1, beta2, 1e-8)
    for key, value in parameters.items():
        np.testing.assert_allclose(value - new[key], learning_rate * np.sign(grads["d" + key]), rtol=1e-6)
        np.testing.assert_allclose(new_v["d" + key], (1 - beta1) * grads["d" + key], rtol=1e-12)
        np.testing.assert_allclose(new_s["d" + key], (1 - beta2) * grads["d" + key] ** 2, rtol=1e-12)


@FAST
@given(seed=seeds, t=st.integers(1, 50))
def test_adam_with_a_constant_gradient_steps_by_the_learning_rate_at_every_t(seed, t):
    """Bias correction is exact for a constant gradient: after t updates, v / (1 - beta1^t) = g and
    s / (1 - beta2^t) = g^2, so the t-th step is learning_rate in size (to 1e-6)."""
    g = np.random.RandomState(seed % 10_000).uniform(0.1, 1, size=(2, 2))
    parameters, grads = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1))}, {"dW1": g, "db1": g[:, :1]}
    v, s = ref.initialize_adam(parameters)
    for step in range(1, t + 1):
        before = parameters["W1"]
        parameters, v, s = ref.update_parameters_with_adam(parameters, grads, v, s, step, 0.01)
    np.testing.assert_allclose(before - parameters["W1"], 0.01, rtol=1e-6)


@FAST
@given(seed=seeds, beta=st.floats(0.0, 0.99))
def test_momentum_from_zero_velocity_is_a_smaller_gradient_step(seed, beta):
    rng = np.random.RandomState(seed % 10_000)
    parameters = _network(rng, [2, 3, 1])
    grads = {"d" + k: rng.randn(*v.shape) for k, v in parameters.items()}
    new, v = ref.update_parameters_with_momentum(parameters, grads, ref.initialize_velocity(parameters), beta, 0.1)
    for key in parameters:
        np.testing.assert_allclose(parameters[key] - new[key], 0.1 * (1 - beta) * grads["d" + key], rtol=1e-12,
                                   atol=1e-15)


# -- gradient checking ---------------------------------------------------------------------------

@FAST
@given(seed=seeds, layer_dims=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(lambda d: d + [1]),
       m=st.integers(2, 6))
def test_vector_round_trip(seed, layer_dims, m):
    rng = np.random.RandomState(seed % 10_000)
    parameters = _network(rng, layer_dims)
    theta = ref.parameters_to_vector(parameters)
    n = sum(v.size for v in parameters.values())
    assert theta.shape == (n, 1) and len(ref.parameter_names(layer_dims)) == n
    back = ref.vector_to_parameters(theta, layer_dims)
    assert back.keys() == parameters.keys() and all(np.array_equal(back[k], parameters[k]) for k in parameters)
    assert np.array_equal(ref.vector_to_parameters(theta * 2, layer_dims)["W1"], parameters["W1"] * 2)


def _checked(seed, layer_dims, m):
    rng = np.random.RandomState(seed % 10_000)
    parameters = _network(rng, layer_dims)
    X = rng.randn(layer_dims[0], m)
    Y = (np.arange(m) % 2).reshape(1, m)
    AL, caches = L_model_forward(X, parameters)
    return parameters, L_model_backward(AL, Y, caches), X, Y


def _well_conditioned(parameters, grads, X):
    """Whether two-sided differences with epsilon = 1e-7 can measure this network's gradient to
    well under the 1e-7 threshold, so that only rounding separates them from the right gradient.

    A right backward pass still exceeds 1e-7 on some random networks (8.8e-7 for seed=107898,
    layer_dims=[2, 3, 1], m=3), for three reasons, none of them a ReLU kink in that example:
    - a saturated output (|Z_L| large, cost 4.7 there): the cost's log(1 - AL) is computed from
      AL close to 1 and loses digits, which the division by 2 epsilon magnifies;
    - a tiny gradient (norm below 0.05): the check is relative, and the cost's rounding error
      over epsilon is then no longer small next to the gradient;
    - a hidden pre-activation within epsilon of 0: the two sides straddle ReLU's kink.
    Networks away from all three (|Z_L| <= 4, every hidden |Z| >= 1e-3, gradient norm >= 0.05)
    stayed below 2.2e-8 on 20,000 random draws of this test's space, and are about 97.6% of it."""
    _, caches = L_model_forward(X, parameters)
    hidden = [np.abs(cache[1]).min() for cache in caches[:-1]]
    norm = np.sqrt(sum(float(np.sum(v ** 2)) for k, v in grads.items() if k[:2] in ("dW", "db")))
    return np.abs(caches[-1][1]).max() <= 4 and all(z >= 1e-3 for z in hidden) and norm >= 0.05


@settings(max_examples=25, deadline=None)
@given(seed=seeds, layer_dims=st.lists(st.integers(2, 4), min_size=1, max_size=2).map(lambda d: d + [1]),
       m=st.integers(2, 5))
def test_gradient_check_passes_the_reference_backward_pass(seed, layer_dims, m):
    """A right backward pass is far below the threshold on well-conditioned networks: rounding
    errors only (about 2e-8 at most; see ``_well_conditioned`` for the networks where that cannot hold)."""
    parameters, grads, X, Y = _checked(seed, layer_dims, m)
    assume(_well_conditioned(parameters, grads, X))
    difference, gradapprox = ref.gradient_check(parameters, grads, X, Y)
    assert 0 <= difference < ref.GRADIENT_CHECK_THRESHOLD, difference
    assert gradapprox.shape == ref.parameters_to_vector(parameters).shape


@settings(max_examples=25, deadline=None)
@given(seed=seeds, layer_dims=st.lists(st.integers(2, 4), min_size=1, max_size=2).map(lambda d: d + [1]),
       m=st.integers(2, 5), planted=st.sampled_from(["db1 times m", "dW of the last layer halved", "dW1 transposed sign"]))
def test_gradient_check_finds_a_planted_bug(seed, layer_dims, m, planted):
    """Each planted bug changes a gradient by a sizeable fraction, so the difference is orders of
    magnitude above the threshold (over 1e-4 here; a right pass gives about 1e-9)."""
    parameters, grads, X, Y = _checked(seed, layer_dims, m)
    L = len(layer_dims) - 1
    bugged = dict(grads)
    if planted == "db1 times m":
        bugged["db1"] = grads["db1"] * m
        changed = grads["db1"]
    elif planted == "dW of the last layer halved":
        bugged[f"dW{L}"] = grads[f"dW{L}"] / 2
        changed = grads[f"dW{L}"]
    else:
        bugged["dW1"] = -grads["dW1"]
        changed = grads["dW1"]
    size = np.linalg.norm(changed) / np.linalg.norm(ref.gradients_to_vector(grads))
    difference, _ = ref.gradient_check(parameters, bugged, X, Y)
    assert 0 <= difference <= 1   # ||a - b|| <= ||a|| + ||b||: a relative difference never exceeds 1
    if size > 0.05:   # a bug in a gradient that is (nearly) zero changes nothing to find
        assert difference > 1e-4 > ref.GRADIENT_CHECK_THRESHOLD, (difference, size)


# -- the model -----------------------------------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), optimizer=st.sampled_from(ref.OPTIMIZERS),
       regularization=st.sampled_from([(0.0, 1.0), (0.3, 1.0), (0.0, 0.8)]))
def test_the_model_is_repeatable_and_lowers_the_cost(seed, optimizer, regularization):
    X, Y = moons(40, 0.1, seed)
    lambd, keep_prob = regularization
    rate = {"gd": 0.3, "momentum": 0.3, "adam": 0.02}[optimizer]
    first = ref.model(X, Y, [2, 6, 1], optimizer, "he", rate, 16, 60, lambd, keep_prob, seed=seed)
    again = ref.model(X, Y, [2, 6, 1], optimizer, "he", rate, 16, 60, lambd, keep_prob, seed=seed)
    assert first[1] == again[1] and len(first[1]) == 60
    assert np.mean(first[1][-5:]) < first[1][0]
