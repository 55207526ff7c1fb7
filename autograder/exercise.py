"""What an exercise is: a graded function, its cases, tolerance, points and mistakes.

``Spec`` is the part a student may hold (name, points, outputs, tolerance,
parameter names): the student kit stores it as data. ``Exercise`` adds what
only the instructor's side has: the reference, the hidden-case generator and
the mistake catalogue.
"""
import inspect
from dataclasses import dataclass, field
from typing import Callable

from autograder.compare import Tolerance


@dataclass(frozen=True)
class Case:
    """One call of a graded function: its arguments and where they came from.

    ``label`` is shown to students for visible cases; a hidden case's label
    never includes its inputs.
    """

    label: str
    args: tuple
    hidden: bool = False


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: a function with the graded signature that makes it.

    When a student's output equals ``variant``'s on the same inputs, the
    report names the mistake.
    """

    exercise: str
    name: str
    message: str
    variant: Callable


@dataclass(frozen=True)
class Spec:
    """What judging needs to know of a graded function, and nothing secret.

    Attributes:
        name: the function's name (the nbgrader ``grade_id`` of its test cell).
        number: position in the notebook, from 1.
        points: points of its test cell.
        outputs: names of the returned values (a tuple), or one name for a single value.
        tolerance: how close numbers must be.
        parameters: the names of the function's parameters, in order.
        uses: other graded functions it may call (answered by the reference while it is checked).
    """

    name: str
    number: int
    points: float
    outputs: object
    tolerance: Tolerance
    parameters: tuple
    uses: tuple = ()


@dataclass(frozen=True)
class Exercise:
    """A graded function.

    Attributes:
        name: the function's name; also the nbgrader ``grade_id`` of its test cell.
        number: position in the notebook, from 1.
        points: points of its test cell.
        reference: the library's implementation, the source of expected outputs.
        outputs: names of the returned values (a tuple), or one name for a single value.
        visible: () -> list of Case, the documented examples.
        hidden: (rng, index) -> args of one hidden case.
        tolerance: how close numbers must be.
        uses: other graded functions it may call; they are swapped for the
            reference while this one is checked, so one mistake costs one exercise.
        n_hidden: number of hidden cases at grading.
    """

    name: str
    number: int
    points: float
    reference: Callable
    outputs: object
    visible: Callable
    hidden: Callable
    tolerance: Tolerance = Tolerance()
    uses: tuple = ()
    n_hidden: int = 4
    mistakes: tuple = field(default=())

    @property
    def parameters(self):
        """The reference's parameter names, in order."""
        return tuple(inspect.signature(self.reference).parameters)

    def spec(self):
        """The Spec of this exercise (what the student kit may hold)."""
        outputs = self.outputs if isinstance(self.outputs, str) else tuple(self.outputs)
        return Spec(self.name, self.number, float(self.points), outputs, self.tolerance,
                    self.parameters, tuple(self.uses))

    def name_outputs(self, result):
        """Pair each returned value with its name: [(name, expected_value)]."""
        if isinstance(self.outputs, str):
            return [(self.outputs, result)]
        return list(zip(self.outputs, result))
