"""Case labels in the student's terms.

A visible case is either "the example printed above" (the notebook prints its
result right above the check) or another example described by its inputs
("a second example with 4 inputs, 3 hidden units and 2 outputs"). A hidden
case is described by its structure only ("a deeper network than the
examples"), from its position in the list of hidden cases, never from its
drawn inputs.
"""
import numpy as np

PRINTED = "the example printed above"


def _network(parameters):
    layers = len([k for k in parameters if str(k).startswith("W")])
    return f"a {layers}-layer network"


def describe_value(name, value):
    """A short description of one input in the student's terms: its shape, or its value when tiny."""
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            return f"{name} = {np.array2string(value, separator=', ')}"
        return f"{name} of shape {value.shape}"
    if isinstance(value, dict):
        if any(str(k).startswith("W") for k in value):
            return f"{name} of {_network(value)}"
        return f"{name} with keys {', '.join(map(str, value))}"
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return f"{name} of a {len(value)}-layer network"
    if isinstance(value, tuple) and value and isinstance(value[0], (tuple, np.ndarray)):
        first = value[0] if isinstance(value[0], np.ndarray) else value[0][0]
        return f"{name} with A_prev of shape {np.shape(first)}"
    if isinstance(value, str):
        return f"{name} {value!r}"
    return f"{name} {value}"


def describe_inputs(function, parameters, args):
    """'4 inputs, 3 hidden units and 2 outputs', 'layer_dims [4, 3, 2]' or the inputs' shapes."""
    if function == "initialize_parameters":
        n_x, n_h, n_y = args
        return f"{n_x} inputs, {n_h} hidden units and {n_y} output{'s' if n_y != 1 else ''}"
    if function == "initialize_parameters_deep":
        return f"layer_dims {list(args[0])}"
    parts = [describe_value(name, value) for name, value in zip(parameters, args)]
    return ", ".join(parts)


def visible_label(printed, function, parameters, args, distinguish="", doc=""):
    """The label of a documented example.

    Args:
        printed: True when the notebook prints this example's result above the check.
        function, parameters, args: the graded function, its parameter names and the case's inputs.
        distinguish: what tells apart two printed examples of one function (e.g. "relu").
        doc: a description of the inputs in the student's terms (used instead of their shapes).
    """
    if printed:
        return PRINTED + (f" ({distinguish})" if distinguish else "")
    described = " ".join((doc or describe_inputs(function, parameters, args)).split())
    return f"another example, not printed: {described}"


def hidden_describer(*descriptions):
    """Mark a hidden-case generator with what its case number ``index`` says about the case:
    ``descriptions[index % len(descriptions)]`` (structure only, the same for every salt)."""
    def mark(generator):
        generator.describe = lambda index: descriptions[index % len(descriptions)]
        return generator
    return mark


def hidden_label(exercise, index):
    """'hidden case 2 of 4: a deeper network than the example' (structure only, from ``index``)."""
    describe = getattr(exercise.hidden, "describe", None)
    what = describe(index) if describe is not None else ""
    return f"hidden case {index + 1} of {exercise.n_hidden}" + (f": {what}" if what else "")
