"""Given to students of ``optimization``: the gradient check's threshold and the names of theta's entries.

Not graded. ``gradients_to_vector`` is not here: it is ``parameters_to_vector``
(a graded exercise) applied to the gradients, so the notebook defines it from
the student's own ``parameters_to_vector``.
"""

# gradient_check: with epsilon = 1e-7, a correct backward pass gives a relative difference
# far below this threshold (about 1e-9 to 1e-8 on the course's networks); a wrong one, above.
GRADIENT_CHECK_THRESHOLD = 1e-7


def parameter_names(layer_dims):
    """The name of each entry of ``parameters_to_vector``'s theta, in order: "W1[0,0]", ..., "b1[0]", ...

    Provided, not graded: it tells which parameter a gradient check's mismatch belongs to.
    """
    names = []
    for l in range(1, len(layer_dims)):
        names += [f"W{l}[{i},{j}]" for i in range(layer_dims[l]) for j in range(layer_dims[l - 1])]
        names += [f"b{l}[{i}]" for i in range(layer_dims[l])]
    return names
