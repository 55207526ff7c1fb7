"""The library the course notebooks import.

Given to students (in their kits, ``autograder/kit/contents.py``):

- ``dnn_utils.activations``: sigmoid and ReLU with their backward passes.
- ``dnn_utils.toy_data``: a small seeded two-dimensional data set (the moons).
- ``dnn_utils.plots``: network diagrams, learning curves and decision boundaries.
- ``dnn_utils.data``: loading and checking the cat / non-cat images (h5py).
- ``dnn_utils.training``: progress lines, and ``%%skip_when_grading`` for long notebook cells.
- ``dnn_utils.initialization``: the scaled initialisation of application's L-layer model.
- ``dnn_utils.gradient_checking``: the gradient check's threshold and theta's entry names.
- ``dnn_utils.evaluation``: predict and accuracy (from application on: it runs step_by_step's
  forward pass).

The answers (students get an assignment's only in the kits of the assignments after it):

- ``dnn_utils.step_by_step``: reference implementation of assignment 1.
- ``dnn_utils.application``: reference implementation of assignment 2 (the two models), trained
  by ``dnn_utils.fast_path`` (the same arithmetic without what training never uses).
- ``dnn_utils.optimization``: reference implementation of assignment 3 (initialisations,
  mini-batches, L2, dropout, momentum, Adam, gradient checking, the model).
"""
from dnn_utils.activations import relu, relu_backward, sigmoid, sigmoid_backward

__all__ = ["sigmoid", "relu", "sigmoid_backward", "relu_backward"]
