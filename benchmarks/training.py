"""How fast does the reference train? The two cat models, before and after the training path, against PyTorch.

    python benchmarks/training.py [--iterations 2500] [--repeats 3] [--before-iterations 300]
                                  [--profile-iterations 300] [--model L_layer|two_layer|both]

For each model ([12288, 20, 7, 5, 1] and [12288, 7, 1]) on the 209 training pictures
(X of shape (12288, 209), divided by 255), batch gradient descent, learning rate 0.0075,
float64, one thread (the BLAS thread count is fixed to 1 before NumPy is imported, and
``torch.set_num_threads(1)``), from the same starting weights, three sides run in turn:

- before: the composition of assignment 1's graded functions (``L_model_forward``,
  ``compute_cost``, ``L_model_backward``, ``update_parameters``), as the reference trained
  until it ran on the training path; timed on ``--before-iterations`` only (it is slow);
- after: ``dnn_utils.application``'s model, which runs on ``dnn_utils.fast_path`` (on the cat
  data it updates the first layer's product ``W1 X`` instead of recomputing it);
- after, W1 X recomputed: the same path with ``incremental_first_layer=False``, which only
  skips and reuses (no dA0, X transposed once, in-place updates): bit for bit the composition;
- PyTorch: the same network, loss and updates with autograd (X does not require a gradient).

The after and PyTorch sides run the full ``--iterations``; the rounds alternate the sides,
``--repeats`` times, and each side's best round is kept (other processes share the cores:
the best round is the one least disturbed). Both wall time and the process's CPU time are
printed; ratios are of the best rounds of the same run. Then it prints whether the costs
agree, and where the time goes, per phase, before and after.

PyTorch is optional (``pip install torch==2.13.0``, the CPU build); without it the PyTorch
side is skipped. The cat data is found as ``dnn_utils.data.load_cat_data`` explains.
"""
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"   # before NumPy is imported: one BLAS thread for every side

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from dnn_utils import activations, fast_path, step_by_step  # noqa: E402,F401
from dnn_utils.application import L_layer_model, two_layer_model  # noqa: E402
from dnn_utils.data import flatten_and_scale, load_cat_data  # noqa: E402
from dnn_utils.initialization import initialize_parameters_deep_scaled  # noqa: E402

LEARNING_RATE = 0.0075
MODELS = {
    "L_layer": ([12288, 20, 7, 5, 1], L_layer_model),
    "two_layer": ([12288, 7, 1], two_layer_model),
}


def starting_parameters(model, layers):
    """The starting weights each model draws (seeded), as a fresh dict."""
    if model == "two_layer":
        np.random.seed(1)
        return step_by_step.initialize_parameters(*layers)
    return initialize_parameters_deep_scaled(layers)


def composed_training(X, Y, parameters, iterations):
    """Before: the graded functions composed, looked up on the module so that profiling can time them."""
    costs = []
    for i in range(iterations):
        AL, caches = step_by_step.L_model_forward(X, parameters)
        cost = step_by_step.compute_cost(AL, Y)
        grads = step_by_step.L_model_backward(AL, Y, caches)
        parameters = step_by_step.update_parameters(parameters, grads, LEARNING_RATE)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


def _clocked(function, *args):
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def torch_training(torch, X_t, Y_t, start, iterations):
    """The same network with PyTorch autograd, from ``start``; returns the recorded costs."""
    L = len(start) // 2
    params = [(torch.tensor(start[f"W{l}"], requires_grad=True),
               torch.tensor(start[f"b{l}"], requires_grad=True)) for l in range(1, L + 1)]
    costs = []
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
    return costs


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def race(model, X, Y, args, torch):
    """Alternate before / after / PyTorch rounds; the best (wall, cpu) of each side, and the costs."""
    layers, train = MODELS[model]
    best = {}
    costs = {}

    def keep(side, wall, cpu, per):
        old = best.get(side)
        best[side] = (min(wall / per, old[0]) if old else wall / per, min(cpu / per, old[1]) if old else cpu / per)

    if torch is not None:
        X_t, Y_t = torch.tensor(X), torch.tensor(Y, dtype=torch.float64)
    for _ in range(args.repeats):
        start = starting_parameters(model, layers)
        wall, cpu, (_, costs["before"]) = _clocked(composed_training, X, Y, start, args.before_iterations)
        keep("before", wall, cpu, args.before_iterations)
        wall, cpu, (_, costs["after"]) = _clocked(train, X, Y, layers, LEARNING_RATE, args.iterations)
        keep("after", wall, cpu, args.iterations)
        start = starting_parameters(model, layers)
        wall, cpu, (_, costs["recomputed"]) = _clocked(fast_path.gradient_descent, X, Y, start, LEARNING_RATE,
                                                       args.iterations, None, False)
        keep("recomputed", wall, cpu, args.iterations)
        if torch is not None:
            start = starting_parameters(model, layers)
            wall, cpu, costs["torch"] = _clocked(torch_training, torch, X_t, Y_t, start, args.iterations)
            keep("torch", wall, cpu, args.iterations)
    return best, costs


# -- where the time goes -------------------------------------------------------------------------

# The profiles count this thread's CPU time: other processes on the cores stretch wall time, not it.
_clock = time.thread_time

class _TimedNumpy:
    """Stands in for ``np`` inside a module: times every ``np.dot`` by the role ``name_product`` gives it."""

    def __init__(self, seconds, name_product):
        self._seconds, self._name = seconds, name_product

    def __getattr__(self, name):
        return getattr(np, name)

    def dot(self, a, b, out=None):
        started = _clock()
        result = np.dot(a, b) if out is None else np.dot(a, b, out=out)
        role = self._name(a, b, result, sys._getframe(1))
        self._seconds[role] = self._seconds.get(role, 0.0) + _clock() - started
        return result


def _timed(function, seconds, role):
    def timed(*args, **kwargs):
        started = _clock()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[role] = seconds.get(role, 0.0) + _clock() - started
    return timed


def _role_before(a, b, result, caller):
    if caller.f_code.co_name == "linear_forward":
        return "products: forward W A"
    if b is caller.f_locals.get("dZ"):   # linear_backward's np.dot(W.T, dZ)
        return ("products: dA0 = W1.T dZ1 (gradient w.r.t. X)" if result.shape[0] == 12288
                else "products: dA_prev = W.T dZ (layers 2..L)")
    return "products: dW = dZ A_prev.T"


def _role_after(a, b, result, caller):
    if caller.f_code.co_name == "_forward":
        return "products: forward W A"
    if caller.f_code.co_name == "gradient_descent":
        return ("products: X.T X (once)" if a is caller.f_locals.get("XT")
                else "products: W1 X recomputed (every 100 iterations)")
    if b is caller.f_locals.get("gram"):
        return "products: W1 X updated, dZ1 (X.T X)"
    if b is caller.f_locals.get("dZ"):   # np.dot(weights[l].T, dZ)
        return "products: dA_prev = W.T dZ (layers 2..L)"
    return "products: dW = dZ A_prev.T"


def _swap(module, replacements):
    saved = {name: getattr(module, name) for name in replacements}
    for name, value in replacements.items():
        setattr(module, name, value)
    return saved


def profile_before(X, Y, start, iterations):
    """Seconds per kind of work in the composition of the graded functions."""
    seconds = {}
    saved_activations = dict(step_by_step.ACTIVATIONS)
    saved = _swap(step_by_step, {
        "np": _TimedNumpy(seconds, _role_before),
        "compute_cost": _timed(step_by_step.compute_cost, seconds, "cost"),
        "update_parameters": _timed(step_by_step.update_parameters, seconds, "updates (new arrays)")})
    step_by_step.ACTIVATIONS.update({
        name: (_timed(forward, seconds, "activations and their derivatives"),
               _timed(backward, seconds, "activations and their derivatives"))
        for name, (forward, backward) in saved_activations.items()})
    try:
        started = _clock()
        composed_training(X, Y, start, iterations)
        total = _clock() - started
    finally:
        _swap(step_by_step, saved)
        step_by_step.ACTIVATIONS.update(saved_activations)
    seconds["the rest (bias adds, db sums, dAL, Python)"] = total - sum(seconds.values())
    return total, seconds


def profile_after(X, Y, start, iterations, incremental=None):
    """Seconds per kind of work in ``fast_path.gradient_descent``."""
    seconds = {}
    phases = {}
    saved = _swap(fast_path, {"np": _TimedNumpy(seconds, _role_after)})
    saved.update(_swap(fast_path, {
        "_forward": _timed(fast_path._forward, phases, "forward"),
        "_backward_and_update": _timed(fast_path._backward_and_update, phases, "backward"),
        "_cost": _timed(fast_path._cost, seconds, "cost (recorded iterations only)")}))
    try:
        started = _clock()
        fast_path.gradient_descent(X, Y, start, LEARNING_RATE, iterations, None, incremental)
        total = _clock() - started
    finally:
        _swap(fast_path, saved)
    forward_products = seconds.get("products: forward W A", 0.0)
    backward_products = sum(s for role, s in seconds.items()
                            if role.startswith(("products: d", "products: W1 X updated")))
    seconds["forward: bias adds, activations"] = phases["forward"] - forward_products
    seconds["backward: dAL, dZ, db, in-place updates"] = phases["backward"] - backward_products
    seconds["setup (copies, X.T once) and Python"] = total - sum(seconds.values())
    return total, seconds


def print_profile(title, total, seconds, iterations):
    print(f"  {title} ({iterations} instrumented iterations, {1000 * total / iterations:.2f} CPU ms per iteration):")
    for role, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"    {role:<52} {100 * spent / total:5.1f} %  ({1000 * spent / iterations:6.2f} ms)")


def report(model, X, Y, args, torch):
    layers, _ = MODELS[model]
    print(f"\n{model} model {layers}: {X.shape[1]} pictures, {args.iterations} iterations "
          f"(before: {args.before_iterations}), best of {args.repeats} alternating rounds")
    best, costs = race(model, X, Y, args, torch)
    names = {"before": "before: graded functions composed",
             "after": "after: dnn_utils.fast_path (the reference now)",
             "recomputed": "after, W1 X recomputed (no incremental layer)",
             "torch": f"PyTorch {torch.__version__ if torch else ''} autograd"}
    for side, (wall, cpu) in best.items():
        print(f"  {names[side]:<48} {1000 * wall:7.2f} ms/iteration wall, {1000 * cpu:7.2f} ms CPU")
    after_wall, after_cpu = best["after"]
    print(f"  after / before: {after_wall / best['before'][0]:.2f} (wall), "
          f"{after_cpu / best['before'][1]:.2f} (CPU)")
    shared = len(costs["before"])
    before_gap = max(abs(a - b) for a, b in zip(costs["before"], costs["after"][:shared]))
    print(f"  same costs, before and after: largest difference over {shared} recorded costs {before_gap:.1e}")
    recomputed_gap = max(abs(a - b) for a, b in zip(costs["recomputed"], costs["after"]))
    print(f"  same costs, after with W1 X updated and recomputed: largest difference over "
          f"{len(costs['after'])} recorded costs {recomputed_gap:.1e}")
    if torch is None:
        print("  PyTorch: not installed (pip install torch==2.13.0), skipped")
    else:
        torch_wall, torch_cpu = best["torch"]
        torch_gap = max(abs(a - b) for a, b in zip(costs["after"], costs["torch"]))
        print(f"  after / PyTorch: {after_wall / torch_wall:.2f} (wall), {after_cpu / torch_cpu:.2f} (CPU)"
              f"   (target: at most 0.80)")
        recomputed_wall, recomputed_cpu = best["recomputed"]
        print(f"  after with W1 X recomputed / PyTorch: {recomputed_wall / torch_wall:.2f} (wall), "
              f"{recomputed_cpu / torch_cpu:.2f} (CPU)")
        print(f"  same costs, after and PyTorch: last {costs['after'][-1]:.10f} and {costs['torch'][-1]:.10f}; "
              f"largest difference over {len(costs['after'])} recorded costs {torch_gap:.1e}")
    if args.profile_iterations:
        start = starting_parameters(model, layers)
        print_profile("where the time goes, before", *profile_before(X, Y, start, args.profile_iterations),
                      args.profile_iterations)
        print_profile("where the time goes, after", *profile_after(X, Y, start, args.profile_iterations),
                      args.profile_iterations)
        print_profile("where the time goes, after with W1 X recomputed",
                      *profile_after(X, Y, start, args.profile_iterations, False), args.profile_iterations)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2500)
    parser.add_argument("--before-iterations", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile-iterations", type=int, default=300, help="0 skips the profiles")
    parser.add_argument("--model", choices=["L_layer", "two_layer", "both"], default="both")
    args = parser.parse_args(argv)
    if min(args.iterations, args.before_iterations, args.repeats) < 1:
        parser.error("--iterations, --before-iterations and --repeats must be at least 1")

    data = load_cat_data()
    X, Y = flatten_and_scale(data.train_x), data.train_y
    torch = _import_torch()
    print(f"float64, one thread, NumPy {np.__version__}"
          + (f", PyTorch {torch.__version__}" if torch else ", PyTorch not installed"))
    for model in (MODELS if args.model == "both" else [args.model]):
        report(model, X, Y, args, torch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
