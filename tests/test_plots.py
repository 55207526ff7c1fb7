"""The notebook diagrams in dnn_utils.plots draw what their docstrings promise, with no display."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

from dnn_utils import plots  # noqa: E402
from dnn_utils.toy_data import moons  # noqa: E402


def _count(fig, kind):
    return sum(isinstance(patch, kind) for ax in fig.axes for patch in ax.patches)


def _texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts] + \
        [ax.get_title() for ax in fig.axes]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("layer_dims, max_units, circles", [
    ([3, 4, 1], 6, 8),
    ([5, 4, 3, 1], 6, 13),
    ([12288, 20, 7, 5, 1], 6, 6 + 6 + 6 + 5 + 1),   # big layers are cut to max_units circles
    ([12288, 20, 7, 5, 1], 4, 4 + 4 + 4 + 4 + 1),
])
def test_draw_network_draws_one_circle_per_shown_unit(layer_dims, max_units, circles):
    fig = plots.draw_network(layer_dims, max_units=max_units)
    assert isinstance(fig, Figure)
    assert _count(fig, Circle) == circles


def test_draw_network_labels_the_layers_and_the_structure():
    fig = plots.draw_network([12288, 20, 7, 5, 1])
    texts = "\n".join(_texts(fig))
    assert "[LINEAR->RELU] x 3 -> LINEAR->SIGMOID" in texts
    assert texts.count("->RELU") == 1 + 3      # the title and the three hidden layers
    assert "12288" in texts                     # a cut layer still shows its true size
    assert "\u22ee" in texts


def test_draw_network_uses_the_given_axes():
    fig, axes = plt.subplots(1, 2)
    returned = plots.draw_network([2, 3, 1], ax=axes[1])
    assert returned is fig
    assert _count(fig, Circle) == 6
    assert not axes[0].patches


@pytest.mark.parametrize("layer_dims", [[], [4], [3, 0, 1]])
def test_draw_network_rejects_impossible_networks(layer_dims):
    with pytest.raises(ValueError):
        plots.draw_network(layer_dims)


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_draw_forward_backward_boxes_and_arrows(L):
    fig = plots.draw_forward_backward(L)
    assert isinstance(fig, Figure)
    assert _count(fig, FancyBboxPatch) == 2 * L + 1   # forward, backward, cost
    assert _count(fig, FancyArrowPatch) == 4 * L + 2
    texts = "\n".join(_texts(fig))
    for l in range(1, L + 1):
        assert f"cache {l}" in texts
        assert f"dW[{l}], db[{l}]" in texts
        assert f"dA[{l - 1}]" in texts
    assert texts.count("LINEAR->SIGMOID") == 1
    assert texts.count("LINEAR->RELU") == L - 1


def test_draw_forward_backward_default_and_given_axes():
    fig, ax = plt.subplots()
    assert plots.draw_forward_backward(ax=ax) is fig
    assert _count(fig, FancyBboxPatch) == 7


def test_draw_forward_backward_rejects_zero_layers():
    with pytest.raises(ValueError):
        plots.draw_forward_backward(0)


def test_figures_render_with_agg(tmp_path):
    for fig in (plots.draw_network([5, 4, 3, 1]), plots.draw_forward_backward(3)):
        path = tmp_path / "figure.png"
        fig.savefig(path)
        assert path.stat().st_size > 1000


def test_learning_curves_one_line_per_run_and_diverged_runs_cut_and_labelled():
    fig = plots.plot_learning_curves({"good": [0.7, 0.5, 0.3], "diverged": [0.7, 2.0, float("nan"), 1.0]},
                                     xlabel="epoch", title="t")
    lines = fig.axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines] == [3, 2]
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels == ["good", "diverged (not finite from epoch 2 on)"]
    assert fig.axes[0].get_xlabel() == "epoch" and fig.axes[0].get_title() == "t"


def test_decision_boundary_draws_every_example_over_the_regions():
    """A one-layer network that answers 1 where x_1 > 0: each class is one scatter holding all its
    examples; a network with other than two inputs is refused."""
    X, Y = moons(40, 0.1, seed=2)
    parameters = {"W1": np.array([[50.0, 0.0]]), "b1": np.zeros((1, 1))}
    fig, ax = plt.subplots()
    assert plots.plot_decision_boundary(parameters, X, Y, ax=ax, title="split", resolution=50) is fig
    scatters = [c for c in ax.collections if len(c.get_offsets()) and c.get_offsets().shape[1] == 2
                and c.get_label().startswith("y = ")]
    assert [len(c.get_offsets()) for c in scatters] == [int((Y == 0).sum()), int((Y == 1).sum())]
    assert ax.get_title() == "split" and ax.get_legend() is not None
    with pytest.raises(ValueError, match="two input features"):
        plots.plot_decision_boundary(parameters, np.zeros((3, 4)), np.zeros((1, 4)))


def test_moons_are_seeded_balanced_and_leave_the_global_generator_alone():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    X, Y = moons(31, 0.2, seed=4)
    assert np.random.rand() == expected
    again, _ = moons(31, 0.2, seed=4)
    assert X.shape == (2, 31) and Y.shape == (1, 31) and Y.dtype == np.int64
    assert np.array_equal(X, again) and not np.array_equal(X, moons(31, 0.2, seed=5)[0])
    assert int(Y.sum()) == 15 and abs(X.mean(axis=1)).max() < 0.3
    with pytest.raises(ValueError):
        moons(1)
