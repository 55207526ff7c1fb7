"""A small two-dimensional data set, generated on the spot: seeded, fast, easy to plot.

The generator draws from its own ``np.random.RandomState(seed)``, so it
never disturbs NumPy's global generator (which the graded functions seed for
themselves). It returns the course's layout: ``X`` of shape (2, m), one point
per column, and ``Y`` of shape (1, m) holding the integer labels 0 and 1.

- ``moons(m, noise, seed)``: two interleaved half circles, one per class. No
  straight line separates them, so a network needs hidden layers to do well.
"""
import numpy as np


def moons(m=300, noise=0.2, seed=0):
    """Two interleaved half moons with Gaussian noise.

    Class 0 lies on the upper half circle of radius 1 centred at (0, 0),
    class 1 on the lower half circle centred at (1, 0.5); the first
    ``(m + 1) // 2`` points (before shuffling) are class 0. The points are
    shuffled, then centred on the origin.

    Args:
        m: number of points, at least 2.
        noise: standard deviation of the Gaussian noise added to both coordinates.
        seed: seed of the private generator.

    Returns:
        X: shape (2, m), floats.
        Y: shape (1, m), int64 labels 0 or 1, both present.
    """
    if m < 2:
        raise ValueError("moons needs at least two points, one per class")
    rng = np.random.RandomState(seed)
    m0 = (m + 1) // 2
    angles0 = np.linspace(0, np.pi, m0)
    angles1 = np.linspace(0, np.pi, m - m0)
    upper = np.stack([np.cos(angles0), np.sin(angles0)])
    lower = np.stack([1 - np.cos(angles1), 0.5 - np.sin(angles1)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.randn(2, m)
    Y = np.concatenate([np.zeros(m0, dtype=np.int64), np.ones(m - m0, dtype=np.int64)])
    order = rng.permutation(m)
    X, Y = X[:, order], Y[order].reshape(1, m)
    return X - np.array([[0.5], [0.25]]), Y

