"""The report's charts as PNG data URIs (matplotlib's Agg canvas: no display, no files).

Labels are trusted text only (exercise names, outcome names): student text
never reaches a chart.
"""
import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.insight.stats import OUTCOMES

COLOURS = {"full": "#2e7d32", "partial": "#f9a825", "zero": "#c62828", "timed out": "#6a1b9a",
           "crashed": "#37474f", "not attempted": "#bdbdbd", "not graded": "#8d6e63"}


def _plain(text):
    """``text`` shown as it is: no mathtext (a '$' would start a formula), bounded length."""
    return text[:60].replace("$", r"\$")


def _png(figure):
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def totals_histogram(totals, max_score):
    """Histogram of total scores (one bar per tenth of the maximum)."""
    figure = Figure(figsize=(7, 3))
    axes = figure.add_subplot()
    top = max_score or max(totals, default=1) or 1
    axes.hist(totals, bins=[top * i / 10 for i in range(11)], range=(0, top), color="#1565c0",
              edgecolor="white")
    axes.set_xlabel(f"total score (of {top:g})")
    axes.set_ylabel("submissions")
    axes.set_xlim(0, top)
    return _png(figure)


def outcome_bars(per_exercise):
    """One horizontal stacked bar per exercise: the share of each outcome."""
    rows = list(per_exercise.values())
    figure = Figure(figsize=(8, 0.45 * len(rows) + 1.2))
    axes = figure.add_subplot()
    labels = [f"{r.number}. {r.name}" for r in rows]
    left = [0.0] * len(rows)
    for name in OUTCOMES:
        shares = [r.share(name) for r in rows]
        if any(shares):
            axes.barh(labels, shares, left=left, color=COLOURS[name], label=name)
            left = [a + b for a, b in zip(left, shares)]
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of submissions")
    if any(left):
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize="small",
                    frameon=False)
    return _png(figure)


def points_grid(per_exercise):
    """Small histograms of the points of each exercise."""
    rows = list(per_exercise.values())
    columns = 4
    lines = max(1, -(-len(rows) // columns))
    figure = Figure(figsize=(10, 2.1 * lines))
    for position, row in enumerate(rows, start=1):
        axes = figure.add_subplot(lines, columns, position)
        top = row.max_points or 1
        axes.hist(row.points, bins=[top * i / 5 for i in range(6)], range=(0, top), color="#1565c0",
                  edgecolor="white")
        axes.set_title(f"{row.number}. {row.name}", fontsize="small")
        axes.tick_params(labelsize="x-small")
    figure.tight_layout()
    return _png(figure)


def family_bars(rates):
    """Pass rate per case family (visible and hidden), lowest first."""
    figure = Figure(figsize=(8, 0.4 * len(rates) + 1.2))
    axes = figure.add_subplot()
    labels = [_plain(("hidden: " if r.hidden and not r.family.startswith("hidden") else "") + r.family)
              for r in rates]
    axes.barh(labels, [r.rate for r in rates],
              color=["#6a1b9a" if r.hidden else "#1565c0" for r in rates])
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of cases passed (attempted answers)")
    return _png(figure)
