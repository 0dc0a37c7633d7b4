"""Every figure: palette, inert user text, lean layouts that keep the zoom."""

import numpy as np

from playground import figures as F


def _strings(obj):
    """Every string anywhere in a figure's dict (names, hover, annotations, titles, text)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        for v in obj.ravel():
            yield from _strings(v)


def _of_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


def test_axes_with_tick_labels_never_measure_them_to_hide_overflow(all_figures):
    """plotly.js's default ticklabeloverflow hides labels past the chart by measuring every
    label after each redraw (a forced page layout each); the figures opt out."""
    checked = set()
    for name, fig in all_figures.items():
        layout = fig.to_plotly_json()["layout"]
        axes = {k: v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}
        for key, axis in axes.items():
            if axis.get("showticklabels", True):
                assert axis.get("ticklabeloverflow") == "allow", (name, key)
                checked.add(name)
    assert {"decision", "loss", "grad_norm", "unit", "data"} <= checked


def test_palette_is_okabe_ito_first_and_distinct():
    assert F.PALETTE[:8] == ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                             "#D55E00", "#F0E442", "#000000")
    assert len(F.PALETTE) == 10 and len(set(F.PALETTE)) == 10
    assert F.class_colors(3) == list(F.PALETTE[:3])
    assert F.class_colors(12)[10:] == [F.PALETTE[0], F.PALETTE[1]]



def test_safe_text_makes_markup_literal(evil):
    for raw, escaped in zip(*evil):
        assert F.safe_text(raw) == escaped
        assert "<" not in F.safe_text(raw) and "%{" not in F.safe_text(raw)
    assert F.safe_text(3) == "3"


def test_every_figure_is_lean_keeps_zoom_and_serialises(all_figures):
    for name, fig in all_figures.items():
        assert fig.layout.uirevision == F.UIREVISION, name
        assert fig.layout.template.layout.to_plotly_json() == {}, name
        assert '"bdata"' in fig.to_json(), name       # arrays travel as typed arrays


def test_untrusted_names_never_appear_raw(all_figures, evil):
    EVIL, EVIL_ESCAPED = evil
    for name, fig in all_figures.items():
        texts = list(_strings(fig.to_plotly_json()))
        for raw in EVIL:
            assert not any(raw in s for s in texts), (name, raw)
    decision = all_figures["decision"]
    names = [t.name for t in _of_type(decision, "scatter")]
    assert names[:3] == EVIL_ESCAPED and names[3] == EVIL_ESCAPED[0] + " (test)"
    assert decision.layout.title.text == EVIL_ESCAPED[0]
    assert [t.name for t in all_figures["data"].data] == EVIL_ESCAPED


def test_the_live_map_stays_within_its_wire_budget():
    """The page sends the decision map every frame. On the page's 100×100 grid it travels
    as a palette PNG plus the points, ~9 kB (measured); the per-cell hover detail, sent
    only when paused, is what makes it large (~43 kB more). A builder that sent the grid as
    numbers in every frame would break the budget."""
    from playground.engine.datasets import grid_axes, grid_points, make_dataset
    from playground.engine.model import MLP

    X, y = make_dataset("spiral", 300, 0.2, 3, 0)
    xs, ys = grid_axes(X, resolution=100, margin=0.05)
    P = MLP([2, 100, 3], seed=0).predict_proba(grid_points(xs, ys))
    lean = F.decision_region_figure(xs, ys, P, X, y, image=True, hover_detail=False,
                                    refine=True)
    paused = F.decision_region_figure(xs, ys, P, X, y, image=True, hover_detail=True,
                                      refine=True)
    assert F.figure_payload_bytes(lean) < 16_000
    assert 20_000 < F.figure_payload_bytes(paused) - F.figure_payload_bytes(lean)
    assert F.figure_payload_bytes(paused) < 64_000
