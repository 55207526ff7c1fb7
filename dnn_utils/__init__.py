"""The library the course notebooks import.

- ``dnn_utils.activations``: sigmoid and ReLU with their backward passes.
- ``dnn_utils.step_by_step``: reference implementation of assignment 1.
- ``dnn_utils.application``: reference implementation of assignment 2 (the two models, predict).
- ``dnn_utils.optimization``: reference implementation of assignment 3 (initialisations,
  mini-batches, L2, dropout, momentum, Adam, gradient checking, the model).
- ``dnn_utils.toy_data``: a small seeded two-dimensional data set (the moons).
- ``dnn_utils.plots``: network diagrams, learning curves and decision boundaries.
- ``dnn_utils.data``: loading and checking the cat / non-cat images (h5py).
- ``dnn_utils.training``: progress lines, and ``%%skip_when_grading`` for long notebook cells.
"""
from dnn_utils.activations import relu, relu_backward, sigmoid, sigmoid_backward

__all__ = ["sigmoid", "relu", "sigmoid_backward", "relu_backward"]
