"""The course insight report: what a class got wrong, and which answers to look at twice.

``build(results, assignment, out_dir)`` reads the results store (``load``),
computes scores and outcomes, ranked named mistakes and case-family pass rates
(``stats``), groups of unnamed wrong answers (``groups``), similarity leads
(``similarity``) and charts (``plots``), and writes one self-contained HTML page
(``render``): charts are embedded PNGs, nothing is fetched when it is opened,
and every piece of student text is HTML-escaped.
"""
from autograder.insight.render import build, report_path

__all__ = ["build", "report_path"]
