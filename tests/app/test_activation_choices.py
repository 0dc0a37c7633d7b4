"""Every activation of the engine's table is a choice of the page, of links, of run files and
of the command line, and every view that shows an activation's formula or units draws it."""

import numpy as np
import pytest
from apptest import click, new_session, page, view

from playground.__main__ import main
from playground.engine.activations import ACTIVATIONS, fill
from playground.engine.runfiles import load_run, run_to_json

VIEWS_THAT_READ_THE_ACTIVATION = ("Gradients", "Hidden units", "Network", "Math", "Backprop")


@pytest.mark.parametrize("name", ["gelu", "silu", "leaky_relu"])
def test_a_link_opens_the_activation_and_every_view_draws_it(name):
    at = new_session({"act": name})
    assert not at.exception, at.exception
    assert at.selectbox(key="w_activation").value == name
    assert list(at.selectbox(key="w_activation").options) == [
        a.label for a in ACTIVATIONS.values()]
    click(at, "Step")
    assert page(at).pg.trainer.net.activation == name
    for v in VIEWS_THAT_READ_THE_ACTIVATION:
        view(at, v)
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert fill(ACTIVATIONS[name].tex, "r_{1}") in latex
    assert fill(ACTIVATIONS[name].dtex, "r_{1}", "h_{1}") in latex     # dr₁ = dh₁ ⊙ f′(r₁)
    assert ACTIVATIONS[name].definition in " ".join(c.value for c in at.caption)


def test_the_activation_reaches_run_files_and_back():
    at = new_session({"act": "silu"})
    click(at, "Step")
    trainer = page(at).pg.trainer
    loaded, _ = load_run(run_to_json(trainer).encode())
    assert loaded.net.activation == "silu"
    X = np.array([[0.3, -0.2], [1.0, 0.5]])
    np.testing.assert_array_equal(loaded.net.predict_proba(X), trainer.net.predict_proba(X))


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_the_command_line_trains_with_the_activation(name, capsys, tmp_path):
    out = tmp_path / "run.json"
    assert main(["train", "--dataset", "spiral", "--hidden", "32", "--activation", name,
                 "--lr", "1", "--updates", "300", "--log-every", "300", "--save",
                 str(out)]) == 0
    assert "final train accuracy" in capsys.readouterr().out
    trainer, _ = load_run(out.read_bytes())
    assert trainer.net.activation == name
