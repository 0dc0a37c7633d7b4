"""The network diagram."""

import numpy as np

from playground import figures as F
from playground.engine.model import MLP


def test_network_counts_small_net(all_figures, net, evil):
    EVIL_ESCAPED = evil[1]
    fig = all_figures["network"]
    assert fig.layout.meta["links"] == 2 * 16 + 16 * 8 + 8 * 3
    assert fig.layout.meta["nodes"] == 2 + 16 + 8 + 3
    links = [t for t in fig.data if t.mode == "lines"]
    assert 1 <= len(links) <= 8
    # NaN-separated segments: 3 points per link
    assert sum(len(t.x) for t in links) == 3 * fig.layout.meta["links"]
    output = fig.data[-1]
    assert list(output.text) == EVIL_ESCAPED
    assert list(output.marker.line.color) == list(F.PALETTE[:3])
    assert np.allclose(output.marker.color, net.biases[-1])         # output biases shown
    assert all("bias" in h for h in output.hovertext)


def test_network_folds_wide_layers_into_a_more_node():
    net = MLP([2, 100, 3], seed=0)
    fig = F.network_figure(net.layer_sizes, net.weights, net.biases, max_units=16)
    assert fig.layout.meta["nodes"] == 2 + 16 + 3
    assert fig.layout.meta["links"] == 2 * 15 + 15 * 3
    hidden = fig.data[-2]
    assert hidden.text[-1] == "+85 more"
    assert list(fig.layout.meta["shown"]) == [2, 16, 3]
    wide_in = F.network_figure([40, 5, 2], [np.ones((40, 5)), -np.ones((5, 2))],
                               [np.zeros(5), np.zeros(2)], max_units=10)
    assert wide_in.layout.meta["links"] == 9 * 5 + 5 * 2
    signs = {t.line.color.startswith("rgba(178") for t in wide_in.data if t.mode == "lines"}
    assert signs == {True, False}                    # both signs drawn, in their own traces

