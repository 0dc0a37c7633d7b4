"""A page for a projector: honest colours in the Gradients and Hidden units views,
and the notation students know in the Math view (driven by AppTest)."""

import numpy as np
import pytest
from apptest import chart_figures, click, new_session, page, set_widths, view

from playground.figures.common import tex_number


@pytest.fixture
def at():
    return new_session()


def _heatmap_figures(at, first_name):
    """The view's heatmap figures whose first trace is named ``first_name`` ("dW1", "W1")."""
    return [f for f in chart_figures(at)
            if f["data"] and f["data"][0].get("type") == "heatmap"
            and f["data"][0].get("name") == first_name]


def _zmax(trace):
    return trace["zmax"]


def test_gradients_share_one_scale_until_scale_per_layer_is_on(at):
    set_widths(at, 8, 8)
    click(at, "Step")
    view(at, "Gradients")
    grads = page(at).pg.trainer.last_grads
    m = max(float(np.abs(a).max()) for pair in grads for a in pair)
    (fig,) = _heatmap_figures(at, "dW1")
    heats = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert len(heats) == 2 * len(grads)
    assert all(_zmax(t) == pytest.approx(m, rel=1e-6) and t["zmin"] == -t["zmax"]
               for t in heats)
    assert "one scale for all layers" in " ".join(c.value for c in at.caption)
    # the weights' figure too, on its own shared scale
    net = page(at).pg.trainer.net
    m_w = max(float(np.abs(a).max()) for a in [*net.weights, *net.biases])
    (weights,) = _heatmap_figures(at, "W1")
    assert all(_zmax(t) == pytest.approx(m_w, rel=1e-6) for t in weights["data"])

    at.toggle(key="w_scale_per_layer").set_value(True).run()
    assert not at.exception
    (fig,) = _heatmap_figures(at, "dW1")
    heats = [t for t in fig["data"] if t["type"] == "heatmap"]
    for l, (dW, db) in enumerate(grads):
        m_l = max(float(np.abs(dW).max()), float(np.abs(db).max()))
        assert [_zmax(t) for t in heats[2 * l:2 * l + 2]] == pytest.approx([m_l, m_l])
    assert "each layer on its own scale" in " ".join(c.value for c in at.caption)


def test_every_unit_can_be_opened_large(at):
    assert at.slider(key="w_width_1").value == 100 and at.slider(key="w_layers").value == 1
    view(at, "Hidden units")
    box = at.selectbox(key="w_unit")
    assert box.options == [f"h1.{u}" for u in range(1, 101)]
    (tiles,) = [f for f in chart_figures(at)
                if any("first 32 of 100 shown" in a.get("text", "")
                       for a in f["layout"].get("annotations", []))]
    assert sum(t["type"] == "heatmap" for t in tiles["data"]) == 32
    box.select("h1.77").run()
    assert not at.exception
    (big,) = [f for f in chart_figures(at)
              if f["layout"].get("title", {}).get("text") == "Unit h1.77"]
    acts = page(at).pg.grid_activations()[0]
    heat = big["data"][0]
    # ReLU: the layer's range [0, layer max], the same as the tiles'
    assert heat["zmin"] == 0 and heat["zmax"] == pytest.approx(float(acts.max()), rel=1e-6)
    # the training points are drawn over the map, white-outlined
    points = [t for t in big["data"] if t["type"] == "scatter"]
    assert points and all(t["marker"]["line"]["color"] == "white" for t in points)


def test_sigmoid_units_are_coloured_on_zero_to_one(at):
    at.selectbox(key="w_activation").select("sigmoid").run()
    at.selectbox(key="w_init").select("zeros").run()
    click(at, "Step")
    view(at, "Hidden units")
    (tiles,) = [f for f in chart_figures(at) if "coloraxis" in f["layout"]]
    assert (tiles["layout"]["coloraxis"]["cmin"], tiles["layout"]["coloraxis"]["cmax"]) \
        == (0, 254)
    assert "0 (purple) … 1 (yellow)" in tiles["layout"]["annotations"][0]["text"]
    (big,) = [f for f in chart_figures(at)
              if f["layout"].get("title", {}).get("text") == "Unit h1.1"]
    assert (big["data"][0]["zmin"], big["data"][0]["zmax"]) == (0, 1)


def test_math_view_writes_y_for_the_label_and_y_hat_for_the_prediction(at):
    click(at, "Step")
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert r"\hat y = \operatorname{softmax}(\text{score})" in latex
    assert r"\frac{\hat y - \operatorname{onehot}(y)}{n}" in latex
    assert r"-\log \hat y_{i,\,y_i}" in latex
    assert "softmax" not in latex.replace(r"\hat y = \operatorname{softmax}", "")  # once
    assert r"\operatorname{onehot}(\hat y)" not in latex
    text = " ".join([*(c.value for c in at.caption), *(m.value for m in at.markdown)])
    assert "seed" not in (latex + text).lower()


def test_math_view_prints_tiny_gradients_in_scientific_notation(at):
    # three tanh layers of small init: every ‖dW‖ is ~3e-5, which "%.4f" showed as 0.0000
    at.slider(key="w_layers").set_value(3).run()
    at.selectbox(key="w_activation").select("tanh").run()
    at.selectbox(key="w_init").select("small").run()
    click(at, "Step")
    view(at, "Math")
    norms = next(x.value for x in at.latex if r"\lVert dW_{1} \rVert" in x.value)
    values = [float(np.linalg.norm(dW)) for dW, _ in page(at).pg.trainer.last_grads]
    assert values[0] < 1e-3                      # the layer far from the output: vanishing
    for l, v in enumerate(values, start=1):
        if v < 1e-3:
            exp = int(np.floor(np.log10(v)))
            shown = rf"{v / 10.0 ** exp:.2f} \times 10^{{{exp}}}"
        else:
            shown = f"{v:.4f}"
        assert rf"\lVert dW_{{{l}}} \rVert = {shown}" in norms


def test_tex_number_fixed_in_the_middle_scientific_at_the_ends():
    assert tex_number(1e-9) == r"+1.00 \times 10^{-9}"
    assert tex_number(-1.234e-5) == r"-1.23 \times 10^{-5}"
    assert tex_number(2.5e4, signed=False) == r"2.50 \times 10^{4}"
    assert tex_number(9.9999e-5) == r"+1.00 \times 10^{-4}"      # rounding moves the exponent
    assert tex_number(0.12345, decimals=4) == "+0.1235"
    assert tex_number(-0.001, decimals=4) == "-0.0010"
    assert tex_number(0.12345) == "+0.123" and tex_number(1234.4) == "+1234"   # 3 digits
    assert tex_number(0.0) == "0"
