"""Given to students: predictions and accuracy of a trained network (not graded).

``predict`` runs assignment 1's ``L_model_forward``, so it is handed out with the
assignments that come after ``step_by_step``.
"""
import numpy as np

from dnn_utils.step_by_step import L_model_forward


def predict(X, y, parameters):
    """Predict cat (1) or non-cat (0) for every column of X, and print the accuracy.

    Works for both models: a two-layer network is an L-layer one with L = 2.
    An example is called a cat when the network's output is above 0.5.

    Args:
        X: inputs, shape (n_x, m).
        y: true labels, shape (1, m), or None to skip the accuracy.
        parameters: W1..WL, b1..bL of a trained network.

    Returns:
        p: predictions, float array of shape (1, m) holding 0.0 or 1.0.
    """
    AL, _ = L_model_forward(X, parameters)
    p = (AL > 0.5).astype(float)
    if y is not None:
        print(f"Accuracy: {accuracy(p, y):.4f}")
    return p


def accuracy(p, y):
    """Share of predictions ``p`` equal to the labels ``y`` (both (1, m)), a float in [0, 1]."""
    return float(np.mean(np.asarray(p).ravel() == np.asarray(y).ravel()))
