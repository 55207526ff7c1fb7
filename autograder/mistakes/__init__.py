"""Catalogues of typical wrong answers, one module per assignment.

Each entry is a function with the graded signature that makes one mistake,
registered with ``@mistake(exercise, message)``. The checker runs them on a
failing case and names the one whose output equals the student's. The
example "partly wrong" submission is built from these same functions.
"""
from autograder.exercise import Mistake

CATALOGUE = {}


def mistake(exercise, message):
    """Register the decorated function as a mistake of ``exercise``."""
    def register(variant):
        CATALOGUE.setdefault(exercise, []).append(
            Mistake(exercise=exercise, name=variant.__name__, message=message, variant=variant))
        return variant
    return register


def mistakes_of(exercise):
    """The registered mistakes of one exercise, in definition order."""
    return tuple(CATALOGUE.get(exercise, ()))
