"""The library the course notebooks import.

- ``dnn_utils.activations``: sigmoid and ReLU with their backward passes.
- ``dnn_utils.step_by_step``: reference implementation of assignment 1.
"""
from dnn_utils.activations import relu, relu_backward, sigmoid, sigmoid_backward

__all__ = ["sigmoid", "relu", "sigmoid_backward", "relu_backward"]
