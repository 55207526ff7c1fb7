"""The shape of a documented example, shared by every assignment's test cases."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Example:
    """One documented call: ``function(*args(edition))``, printed as ``quantities(result)``.

    Each assignment binds ``editions`` to its own editions by default (``functools.partial``).
    """

    id: str
    function: str
    args: Callable[[str], tuple]
    quantities: Callable[[object], dict]
    editions: tuple
    note: str = ""


def select(examples, editions, edition):
    """The examples of one edition, in notebook order; ValueError for an unknown edition."""
    if edition not in editions:
        raise ValueError(f"unknown edition {edition!r}; choose one of {editions}")
    return [example for example in examples if edition in example.editions]
