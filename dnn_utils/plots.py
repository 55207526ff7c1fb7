"""Diagrams and training plots for the course notebooks, drawn with matplotlib.

Every function draws on a given Axes, or on a new figure when ``ax`` is None,
and returns the matplotlib Figure. They never call ``plt.show()``, so they work
with any backend, including Agg (no display).

- ``draw_network(layer_dims)``: the layers of an L-layer network as columns of
  units, labelled ``[LINEAR->RELU] x (L-1) -> LINEAR -> SIGMOID``.
- ``draw_forward_backward(L)``: the forward pass, the caches it keeps, and the
  backward pass that uses them to produce ``dA``, ``dW`` and ``db``.
- ``plot_learning_curves(curves)``: several cost curves on one set of axes.
- ``plot_decision_boundary(parameters, X, Y)``: what a trained network answers
  everywhere in a two-dimensional input plane, with the examples on top.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

FORWARD_COLOR = "#c9b3e6"
BACKWARD_COLOR = "#f2b8b5"
COST_COLOR = "#f7e3a1"


def _axes(ax, figsize):
    """The Axes to draw on and its Figure (a new figure when ``ax`` is None)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def _unit_heights(n_shown, spacing):
    """Vertical positions of ``n_shown`` units centred on 0."""
    top = (n_shown - 1) * spacing / 2
    return [top - i * spacing for i in range(n_shown)]


def draw_network(layer_dims, ax=None, max_units=6):
    """Draw an L-layer network as columns of circles, one column per layer.

    Layer 0 is the input X; layers 1..L-1 are LINEAR->RELU and layer L is
    LINEAR->SIGMOID. A layer with more than ``max_units`` units shows only
    ``max_units`` circles, with a vertical ellipsis in the middle; its true
    size is written under the column.

    Args:
        layer_dims: sizes [n_0, n_1, ..., n_L], at least two entries.
        ax: matplotlib Axes to draw on; a new figure is made when None.
        max_units: most circles drawn in one column (at least 2).

    Returns:
        the matplotlib Figure holding the drawing.

    Raises:
        ValueError: fewer than two layer sizes, a size below 1, or max_units < 2.
    """
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2:
        raise ValueError("layer_dims needs the input size and at least one layer")
    if min(layer_dims) < 1:
        raise ValueError("every layer needs at least one unit")
    if max_units < 2:
        raise ValueError("max_units must be at least 2")

    L = len(layer_dims) - 1
    x_gap, spacing, radius = 2.6, 0.9, 0.28

    columns = []
    for l, n in enumerate(layer_dims):
        shown = min(n, max_units)
        truncated = n > max_units
        ys = _unit_heights(shown + (1 if truncated else 0), spacing)
        if truncated:  # leave the middle slot free for the ellipsis
            del ys[shown // 2]
        columns.append((l * x_gap, ys, truncated))
    lowest = min(min(ys) for _, ys, _ in columns)
    highest = max(max(ys) for _, ys, _ in columns)
    width, height = (L + 1) * x_gap, highest - lowest + 3.1
    fig, ax = _axes(ax, figsize=(min(0.65 * width, 14), 0.65 * height))

    # connections first, so the circles are drawn over them
    for (x0, ys0, _), (x1, ys1, _) in zip(columns[:-1], columns[1:]):
        for y0 in ys0:
            for y1 in ys1:
                ax.plot([x0 + radius, x1 - radius], [y0, y1], color="0.8", lw=0.6, zorder=1)

    for l, ((x, ys, truncated), n) in enumerate(zip(columns, layer_dims)):
        if l == 0:
            face, name = "#d9e7f5", "input\nX"
        elif l < L:
            face, name = FORWARD_COLOR, "LINEAR\n->RELU"
        else:
            face, name = "#b5dfc4", "LINEAR\n->SIGMOID"
        for y in ys:
            ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor="0.25", lw=1.0, zorder=2))
        if truncated:
            middle = (ys[len(ys) // 2 - 1] + ys[len(ys) // 2]) / 2
            ax.text(x, middle, "\u22ee", ha="center", va="center", fontsize=16, zorder=3)
        title = "layer 0" if l == 0 else f"layer {l}"
        ax.text(x, highest + 0.75, title, ha="center", va="bottom", fontsize=10, weight="bold")
        ax.text(x, lowest - 0.6, f"{name}\n$n^{{[{l}]}} = {n}$", ha="center", va="top", fontsize=9)

    structure = "LINEAR->SIGMOID" if L == 1 else \
        f"[LINEAR->RELU] x {L - 1} -> LINEAR->SIGMOID"
    ax.set_title(f"L = {L} layer{'s' if L > 1 else ''}: {structure}", fontsize=11)
    ax.set_xlim(-x_gap / 2, L * x_gap + x_gap / 2)
    ax.set_ylim(lowest - 1.7, highest + 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _box(ax, x, y, text, color, width, height):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.05", facecolor=color, edgecolor="0.3", lw=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=8)


def _arrow(ax, start, end, label="", color="0.2", style="-|>", dashed=False, offset=(0.0, 0.18)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color,
                                 lw=1.2, linestyle="--" if dashed else "-"))
    if label:
        x = (start[0] + end[0]) / 2 + offset[0]
        y = (start[1] + end[1]) / 2 + offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=9, color=color)


def draw_forward_backward(L=3, ax=None):
    """Draw one forward and one backward pass through an L-layer network.

    Top row: a box per layer's forward step (LINEAR->RELU for layers 1..L-1,
    LINEAR->SIGMOID for layer L), with arrows carrying A[0] = X, A[1], ...,
    A[L] to the cost. Dashed arrows pass each layer's cache down to the
    bottom row, where a box per layer's backward step sends dA[l-1] to the
    left and hands out dW[l], db[l].

    The figure has 2L + 1 boxes (L forward, L backward, one for the cost) and
    4L + 2 arrows (L + 1 forward, 1 from the cost, L backward, L caches,
    L for the parameter gradients).

    Args:
        L: number of layers, at least 1.
        ax: matplotlib Axes to draw on; a new figure is made when None.

    Returns:
        the matplotlib Figure holding the drawing.

    Raises:
        ValueError: L is below 1.
    """
    L = int(L)
    if L < 1:
        raise ValueError("L must be at least 1")
    fig, ax = _axes(ax, figsize=(min(0.85 * (3.4 * (L + 1) + 1.5), 15), 3.8))
    gap, width, height = 3.4, 2.3, 0.8
    top, bottom = 2.0, 0.0

    def x_of(l):
        return l * gap

    for l in range(1, L + 1):
        kind = "SIGMOID" if l == L else "RELU"
        _box(ax, x_of(l), top, f"layer {l}\nLINEAR->{kind}", FORWARD_COLOR, width, height)
        _box(ax, x_of(l), bottom, f"layer {l}\n{kind} backward\n+ LINEAR backward",
             BACKWARD_COLOR, width, height + 0.15)
    cost_x = x_of(L + 1)
    _box(ax, cost_x, (top + bottom) / 2, "cost J", COST_COLOR, width * 0.8, height)

    half = width / 2 + 0.08
    # forward: X into layer 1, A[l-1] into layer l, A[L] into the cost
    ax.text(x_of(0) + 0.2, top, "X = A[0]", ha="center", va="center", fontsize=10)
    for l in range(1, L + 1):
        start = x_of(0) + 0.75 if l == 1 else x_of(l - 1) + half
        _arrow(ax, (start, top), (x_of(l) - half, top), "" if l == 1 else f"A[{l - 1}]")
    _arrow(ax, (x_of(L) + half, top), (cost_x - 0.35, (top + bottom) / 2 + 0.3), f"A[{L}]",
           offset=(0.0, 0.25))

    # the cost starts the backward pass
    _arrow(ax, (cost_x - 0.35, (top + bottom) / 2 - 0.3), (x_of(L) + half, bottom), f"dA[{L}]",
           color="#b03a2e", offset=(0.05, -0.3))

    # caches go down; the backward pass goes right to left
    for l in range(1, L + 1):
        _arrow(ax, (x_of(l), top - height / 2 - 0.06), (x_of(l), bottom + height / 2 + 0.15),
               f"cache {l}", color="0.35", dashed=True, offset=(0.45, 0.0))
        end = x_of(0) + 0.75 if l == 1 else x_of(l - 1) + half
        _arrow(ax, (x_of(l) - half, bottom), (end, bottom), f"dA[{l - 1}]", color="#b03a2e")
        _arrow(ax, (x_of(l), bottom - height / 2 - 0.15), (x_of(l), bottom - 1.1),
               "", color="#b03a2e")
        ax.text(x_of(l), bottom - 1.3, f"dW[{l}], db[{l}]", ha="center", va="center",
                fontsize=9, color="#b03a2e")

    ax.text(x_of(0) - 0.4, top + 0.75, "forward", fontsize=10, weight="bold", color="#5b3a8c")
    ax.text(x_of(0) - 0.4, bottom - 0.95, "backward", fontsize=10, weight="bold", color="#b03a2e")
    ax.set_title(f"Forward and backward pass of an L = {L} layer network", fontsize=11)
    ax.set_xlim(x_of(0) - 0.6, cost_x + width / 2 + 0.3)
    ax.set_ylim(bottom - 1.6, top + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def plot_learning_curves(curves, ax=None, xlabel="epoch", title=None):
    """Draw one cost curve per entry of ``curves`` on the same axes.

    A curve whose costs are not all finite (a run that diverged to inf or
    NaN) is drawn up to its first non-finite cost, and its legend entry says
    from which point on it diverged.

    Args:
        curves: {label: sequence of costs}, the k-th cost drawn at x = k.
        ax: matplotlib Axes to draw on; a new figure is made when None.
        xlabel: what one step along x is ("epoch", "iteration").
        title: the title, or None for none.

    Returns:
        the matplotlib Figure holding the plot.
    """
    fig, ax = _axes(ax, figsize=(7, 4))
    for label, costs in curves.items():
        costs = np.asarray(costs, dtype=float)
        finite = np.isfinite(costs)
        end = len(costs) if finite.all() else int(np.argmin(finite))
        if end < len(costs):
            label = f"{label} (not finite from {xlabel} {end} on)"
        ax.plot(np.arange(end), costs[:end], label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cost")
    if title:
        ax.set_title(title)
    ax.legend()
    return fig


def plot_decision_boundary(parameters, X, Y, ax=None, title=None, resolution=200):
    """Colour the input plane by the network's answer and draw the examples on top.

    The network is [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID with ``parameters``
    (``dnn_utils.step_by_step.L_model_forward``, no dropout); a point is called
    1 where its output is above 0.5. The plane covers the examples with a
    margin of half a unit.

    Args:
        parameters: W1..WL, b1..bL of a network with 2 inputs and 1 output.
        X: examples, shape (2, m).
        Y: labels 0 or 1, shape (1, m).
        ax: matplotlib Axes to draw on; a new figure is made when None.
        title: the title, or None for none.
        resolution: number of grid points along each axis.

    Returns:
        the matplotlib Figure holding the plot.

    Raises:
        ValueError: X does not have two rows.
    """
    from dnn_utils.step_by_step import L_model_forward
    X = np.asarray(X, dtype=float)
    if X.shape[0] != 2:
        raise ValueError(f"a decision boundary needs two input features; X has {X.shape[0]}")
    fig, ax = _axes(ax, figsize=(5, 4.2))
    xs = np.linspace(X[0].min() - 0.5, X[0].max() + 0.5, resolution)
    ys = np.linspace(X[1].min() - 0.5, X[1].max() + 0.5, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    probabilities, _ = L_model_forward(np.stack([grid_x.ravel(), grid_y.ravel()]), parameters)
    answer = (probabilities > 0.5).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, answer, levels=[-0.5, 0.5, 1.5], colors=["#f2b8b5", "#b5d3f2"], alpha=0.8)
    labels = np.asarray(Y).ravel()
    for value, color in ((0, "#b03a2e"), (1, "#1f4e79")):
        chosen = labels == value
        ax.scatter(X[0, chosen], X[1, chosen], s=14, c=color, edgecolors="white", linewidths=0.4,
                   label=f"y = {value}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig
