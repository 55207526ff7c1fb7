"""How fast is the NumPy reference? The L-layer model on the cat data, against PyTorch on the CPU.

    python benchmarks/training.py [--iterations 2500] [--profile-iterations 300]

Both run the network [12288, 20, 7, 5, 1] on the 209 training pictures (X of shape
(12288, 209), divided by 255) with batch gradient descent, learning rate 0.0075, in float64,
from the same starting weights (``initialize_parameters_deep_scaled``), on one thread: the
BLAS thread count is fixed to 1 before NumPy is imported, and ``torch.set_num_threads(1)``.
The script prints both times, their ratio, whether the two computed the same costs, and a
profile of the reference that says where its time goes: matrix products (forward, and
backward split by which gradient they produce), activations, cost, updates, and the rest.

PyTorch is optional (``pip install torch==2.13.0``, the CPU build); without it only the
NumPy half runs. The cat data is found as ``dnn_utils.data.load_cat_data`` explains.
"""
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"   # before NumPy is imported: one BLAS thread for both sides

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from dnn_utils import activations, step_by_step  # noqa: E402
from dnn_utils.application import L_layer_model, initialize_parameters_deep_scaled  # noqa: E402
from dnn_utils.data import flatten_and_scale, load_cat_data  # noqa: E402

LAYERS = [12288, 20, 7, 5, 1]
LEARNING_RATE = 0.0075


def time_numpy(X, Y, iterations):
    started = time.perf_counter()
    _, costs = L_layer_model(X, Y, LAYERS, LEARNING_RATE, iterations)
    return time.perf_counter() - started, costs


def time_torch(X, Y, iterations):
    """The same network, loss and updates with PyTorch autograd; None when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    start = initialize_parameters_deep_scaled(LAYERS)
    L = len(LAYERS) - 1
    params = [(torch.tensor(start[f"W{l}"], requires_grad=True),
               torch.tensor(start[f"b{l}"], requires_grad=True)) for l in range(1, L + 1)]
    X_t, Y_t = torch.tensor(X), torch.tensor(Y, dtype=torch.float64)
    costs = []
    started = time.perf_counter()
    for i in range(iterations):
        A = X_t
        for l, (W, b) in enumerate(params, start=1):
            Z = W @ A + b
            A = torch.sigmoid(Z) if l == L else torch.relu(Z)
        cost = -(Y_t * torch.log(A) + (1 - Y_t) * torch.log(1 - A)).mean()
        cost.backward()
        with torch.no_grad():
            for W, b in params:
                W -= LEARNING_RATE * W.grad
                b -= LEARNING_RATE * b.grad
                W.grad = None
                b.grad = None
        if i % 100 == 0:
            costs.append(float(cost.detach()))
    return time.perf_counter() - started, costs, torch.__version__


class _TimedNumpy:
    """Stands in for ``np`` inside ``dnn_utils.step_by_step``: times every ``np.dot`` by its role."""

    def __init__(self, seconds):
        self._seconds = seconds

    def __getattr__(self, name):
        return getattr(np, name)

    def dot(self, a, b):
        started = time.perf_counter()
        result = np.dot(a, b)
        elapsed = time.perf_counter() - started
        caller = sys._getframe(1)
        if caller.f_code.co_name == "linear_forward":
            role = "forward products (W A)"
        elif b is caller.f_locals.get("dZ"):   # linear_backward's np.dot(W.T, dZ)
            role = ("backward products: dA0 = W1.T dZ1 (gradient w.r.t. X)" if result.shape[0] == LAYERS[0]
                    else "backward products: dA_prev = W.T dZ (layers 2..L)")
        else:                                   # linear_backward's np.dot(dZ, A_prev.T)
            role = "backward products: dW = dZ A_prev.T"
        self._seconds[role] = self._seconds.get(role, 0.0) + elapsed
        return result


def _timed(function, seconds, role):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[role] = seconds.get(role, 0.0) + time.perf_counter() - started
    return timed


def profile_numpy(X, Y, iterations):
    """Seconds per kind of work in ``iterations`` iterations of the reference, by instrumenting it.

    ``np.dot`` inside ``dnn_utils.step_by_step`` is timed call by call (and told apart by what
    it computes), the four activation functions, ``compute_cost`` and ``update_parameters``
    are timed as wholes; "the rest" is what remains of the total.
    """
    import dnn_utils.application as application
    seconds = {}
    saved = (step_by_step.np, dict(step_by_step.ACTIVATIONS), application.compute_cost,
             application.update_parameters)
    step_by_step.np = _TimedNumpy(seconds)
    step_by_step.ACTIVATIONS.update({
        name: (_timed(forward, seconds, "activations (relu, sigmoid, forward and backward)"),
               _timed(backward, seconds, "activations (relu, sigmoid, forward and backward)"))
        for name, (forward, backward) in saved[1].items()})
    application.compute_cost = _timed(saved[2], seconds, "cost (compute_cost)")
    application.update_parameters = _timed(saved[3], seconds, "updates (update_parameters)")
    try:
        started = time.perf_counter()
        L_layer_model(X, Y, LAYERS, LEARNING_RATE, iterations)
        total = time.perf_counter() - started
    finally:
        step_by_step.np, application.compute_cost, application.update_parameters = \
            saved[0], saved[2], saved[3]
        step_by_step.ACTIVATIONS.update(saved[1])
    seconds["the rest (bias adds, db sums, dAL, Python)"] = total - sum(seconds.values())
    return total, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2500)
    parser.add_argument("--profile-iterations", type=int, default=500)
    args = parser.parse_args(argv)

    data = load_cat_data()
    X, Y = flatten_and_scale(data.train_x), data.train_y
    print(f"L-layer model {LAYERS} on {X.shape[1]} cat pictures, {args.iterations} iterations, "
          f"float64, one thread (NumPy {np.__version__})")

    numpy_seconds, numpy_costs = time_numpy(X, Y, args.iterations)
    print(f"  NumPy reference (dnn_utils.application.L_layer_model): {numpy_seconds:7.2f} s "
          f"({1000 * numpy_seconds / args.iterations:.2f} ms per iteration)")
    torch_result = time_torch(X, Y, args.iterations)
    if torch_result is None:
        print("  PyTorch: not installed (pip install torch==2.13.0), skipped")
    else:
        torch_seconds, torch_costs, version = torch_result
        difference = max(abs(a - b) for a, b in zip(numpy_costs, torch_costs))
        print(f"  PyTorch {version} (autograd, same start):          {torch_seconds:7.2f} s "
              f"({1000 * torch_seconds / args.iterations:.2f} ms per iteration)")
        print(f"  NumPy / PyTorch time: {numpy_seconds / torch_seconds:.2f}")
        print(f"  same training: last recorded cost {numpy_costs[-1]:.6f} (NumPy) and "
              f"{torch_costs[-1]:.6f} (PyTorch); largest difference over {len(numpy_costs)} recorded "
              f"costs {difference:.1e}")

    total, seconds = profile_numpy(X, Y, args.profile_iterations)
    print(f"\nWhere the reference's time goes ({args.profile_iterations} instrumented iterations, "
          f"{1000 * total / args.profile_iterations:.2f} ms per iteration):")
    for role, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {role:<58} {100 * spent / total:5.1f} %  "
              f"({1000 * spent / args.profile_iterations:.2f} ms per iteration)")
    products = sum(spent for role, spent in seconds.items() if "products" in role)
    print(f"  all matrix products: {100 * products / total:.1f} %. The gradient with respect to X (dA0) is "
          "never used; autograd does not compute it, since X does not require a gradient.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
