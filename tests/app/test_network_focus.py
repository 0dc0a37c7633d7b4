"""Neuron thumbnails on the page: the Network view's diagram carries a map on every
node, and a node hovered or clicked there (the diagram's chart reports it as its "unit"
state, which is what these tests set) is drawn large on the main map until released."""

import base64
import io

import numpy as np
import pytest
from apptest import button, chart_data, chart_figures, click, new_session, page, set_widths, view
from PIL import Image

from playground.engine.datasets import grid_points
from playground.figures.network_maps import THUMB_LEVELS

TITLE = "Hidden layer 1, unit 3 — activation"


@pytest.fixture
def at():
    at = new_session({"units": "8"})
    click(at, "Step")
    view(at, "Network")
    return at


def report(at, layer, unit, t, how="hover"):
    """What chart.js sends when a node is hovered or clicked (layer None: released)."""
    at.session_state["network"] = {"unit": {"layer": layer, "unit": unit, "how": how, "t": t}}
    at.run()
    assert not at.exception, at.exception


def indices(uri):
    return np.array(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def levels(values, lo, hi, n):
    return np.rint(np.clip((values - lo) / (hi - lo), 0, 1) * n).astype(int)


def main_map(at):
    return chart_figures(at)[0]


def network(at):
    return next(f for f in chart_figures(at) if "thumbnails" in f["layout"].get("meta", {}))


def is_regions(fig):
    return [im["name"] for im in fig["layout"]["images"]] == ["prediction"] and \
        "title" not in fig["layout"]


def test_the_network_view_shows_a_map_on_every_node(at):
    pg = page(at).pg
    fig = network(at)
    names = [im["name"] for im in fig["layout"]["images"]]
    assert names == ["x1", "x2"] + [f"h1.{u}" for u in range(1, 9)] + ["out0", "out1", "out2"]
    assert fig["layout"]["meta"]["thumbnails"] == 13
    # h1.4's pixels: the network's own forward pass over the map's grid, on the layer's
    # ReLU range [0, max of the layer]
    grid = pg.grid()
    ws = pg.trainer.net.forward(grid_points(grid.xs, grid.ys))
    layer = np.asarray(ws.A[1], dtype=np.float64)
    hi = layer.max()
    unit = layer[:, 3].reshape(len(grid.ys), len(grid.xs))[::3, ::3][::-1]
    got = indices(fig["layout"]["images"][5]["source"])
    assert np.abs(got - levels(unit, 0.0, hi, THUMB_LEVELS)).max() <= 1   # float32 rounding
    assert chart_data(at, 2)["units"] == {"released": 0}
    assert any("Point at a node" in c.value for c in at.caption)


def test_a_reported_node_puts_its_map_on_the_main_map_and_a_release_restores(at):
    assert is_regions(main_map(at))
    report(at, 1, 2, t=1)
    fig = main_map(at)
    assert fig["layout"]["title"]["text"] == TITLE
    assert [im["name"] for im in fig["layout"]["images"]] == ["node map"]
    pg = page(at).pg
    grid = pg.grid()
    layer = np.asarray(pg.trainer.net.forward(grid_points(grid.xs, grid.ys)).A[1], float)
    unit = layer[:, 2].reshape(len(grid.ys), len(grid.xs))[::-1]
    got = indices(fig["layout"]["images"][0]["source"])
    assert np.abs(got - levels(unit, 0.0, layer.max(), 254)).max() <= 1
    # the data points stay, as the decision map draws them
    names = [t.get("name") for t in fig["data"] if t["type"] == "scatter"]
    assert {"class 0", "class 1", "class 2"} <= set(names)
    # the diagram rings the node
    assert any(t.get("name") == "selected" for t in network(at)["data"])
    report(at, None, None, t=2)                       # the mouse left the node
    assert is_regions(main_map(at))
    assert not any(t.get("name") == "selected" for t in network(at)["data"])


def test_inputs_and_outputs_have_their_own_titles(at):
    report(at, 0, 0, t=1, how="click")
    assert main_map(at)["layout"]["title"]["text"] == "Input x₁ — its value over the plane"
    report(at, 2, 1, t=2, how="click")
    assert main_map(at)["layout"]["title"]["text"] == "Output class 1 — its probability"


def test_back_button_and_another_view_release_the_node(at):
    assert button(at, "Back to the decision map").disabled
    report(at, 1, 2, t=1, how="click")
    assert main_map(at)["layout"]["title"]["text"] == TITLE
    click(at, "Back to the decision map")
    assert is_regions(main_map(at))
    assert chart_data(at, 2)["units"] == {"released": 1}      # chart.js ends its hold
    at.run()                                          # the same report is not taken again
    assert is_regions(main_map(at))
    report(at, 1, 0, t=3, how="click")
    assert main_map(at)["layout"]["title"]["text"] == "Hidden layer 1, unit 1 — activation"
    view(at, "Gradients")
    assert is_regions(main_map(at))
    view(at, "Network")
    assert is_regions(main_map(at))


def test_a_node_no_longer_drawn_is_not_shown(at):
    report(at, 1, 7, t=1, how="click")
    assert main_map(at)["layout"]["title"]["text"].startswith("Hidden layer 1, unit 8")
    set_widths(at, 4)                                      # a new network of 4 units
    assert not at.exception
    assert is_regions(main_map(at))
    assert chart_data(at, 2)["units"] == {"released": 1}      # chart.js lets go of it too
    report(at, 5, 0, t=2)                             # no such layer: ignored
    assert is_regions(main_map(at))
