"""Deterministic inputs of the documented examples, and their printed values.

``testcases.step_by_step`` holds the generators; ``testcases.expected`` reads
the values printed in the seed notebooks from ``testcases/data``.
"""
from testcases.expected import documented, run_examples

__all__ = ["documented", "run_examples"]
