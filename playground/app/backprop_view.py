"""The Backprop view: one training point followed forward to its loss and back to its share
of every gradient, in the Math view's symbols.

A click on a point of the decision map picks the point (:func:`take_click`, at the start of
a live frame) and opens this view. The numbers are :func:`playground.engine.backprop.point_trace`'s,
recomputed from the current network whenever the view is drawn: live while playing, still
while paused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ..engine.activations import activation, fill
from ..engine.backprop import batch_grads, point_trace
from ..figures.common import sci_text, subscript, tex_number
from .page_state import plain
from .viewkit import memory, register

BACKPROP_VIEW = "Backprop"
TOP_UNITS = 8              # a wider layer shows its largest entries only
TOP_ENTRIES = 5            # rows of a layer's dW table
# the map sends float32 coordinates: a training point is matched within this distance, so a
# click on a test point (never that close to a training point, in practice) is not one
CLICK_TOLERANCE = 1e-4


@dataclass
class BackpropMemory:
    # the traced point: its index in the training set, and where the click was (a new data
    # set, or a click beside every training point, leaves no index)
    traced: int | None = None
    traced_at: tuple | None = None
    click_seen: object = None    # the map's last click taken (its browser time)


def take_click(page):
    """Take a new click on the map (the chart's ``click`` state): trace the training point
    under it and switch to this view. A click is taken once (by its browser time ``t``)."""
    mem = memory(page, BackpropMemory)
    click = (st.session_state.get("regions") or {}).get("click")
    if not isinstance(click, dict) or click.get("t") == mem.click_seen:
        return
    mem.click_seen = click.get("t")
    try:
        at = (float(click["x"]), float(click["y"]))
    except (KeyError, TypeError, ValueError):
        return
    X = page.pg.data.X_train
    if not (np.isfinite(at).all() and len(X)):
        return
    distance = np.hypot(X[:, 0] - at[0], X[:, 1] - at[1])
    i = int(np.argmin(distance))
    mem.traced = i if distance[i] <= CLICK_TOLERANCE else None
    mem.traced_at = tuple(float(v) for v in X[i]) if mem.traced is not None else at
    page.view = st.session_state.w_view = BACKPROP_VIEW


def traced_index(page):
    """The traced point's index in the training set, or None (none picked, or the data have
    changed under it: the index then no longer names the point that was clicked)."""
    mem = memory(page, BackpropMemory)
    i, X = mem.traced, page.pg.data.X_train
    if i is None or i >= len(X) or not np.allclose(X[i], mem.traced_at, rtol=0, atol=1e-12):
        return None
    return i


def highlight(page):
    """Where the map rings the traced point: only while this view is chosen."""
    chosen = st.session_state.get("w_view") or page.view
    i = traced_index(page) if chosen == BACKPROP_VIEW else None
    return None if i is None else tuple(page.pg.data.X_train[i])


def _top(v, k=TOP_UNITS):
    """The indices of v's k largest |entries|, largest first; all of them when v fits."""
    return np.arange(len(v)) if len(v) <= k else np.argsort(-np.abs(v), kind="stable")[:k]


def tex_table(header, index_name, rows, columns):
    """A narrow table of numbers: one row per index in ``rows`` (shown 1-based for units),
    one column per (name, vector). Units down the page fit the view's column where row
    vectors of a wide layer do not."""
    spec = "r|" + "r" * len(columns)
    head = " & ".join([index_name] + [name for name, _ in columns])
    body = r" \\ ".join(" & ".join([str(k)] + [tex_number(v[j]) for _, v in columns])
                        for j, k in rows)
    return (r"\begin{gathered} %s \\[2pt] \begin{array}{%s} %s \\ \hline %s \end{array}"
            r" \end{gathered}" % (header, spec, head, body))


def _units(v):
    return [(int(u), int(u) + 1) for u in _top(v)]


def _shown(v, name):
    n = len(v)
    return "" if n <= TOP_UNITS else f"{TOP_UNITS} of {n} units shown, the largest |{name}|"


@register(BACKPROP_VIEW, position=4)
def show_trace(page):
    pg = page.pg
    tr, d = pg.trainer, pg.data
    i = traced_index(page)
    if i is None:
        mem = memory(page, BackpropMemory)
        if mem.traced_at is not None and mem.traced is None:
            st.caption("That is not a training point (test points are not in the batch, so "
                       "they add nothing to the gradient).")
        st.caption("Click a training point (filled) on the map to follow it through the "
                   "network: forward to its loss, then back to its share of every gradient.")
        return
    text = trace_text(tr.net, d.X_train, d.y_train, i, d.class_names)
    st.markdown(text["point"])
    st.caption(_batch_line(tr, len(d.X_train)))
    for title, key in (("Forward", "forward"), ("Backward", "backward")):
        st.subheader(title, anchor=False)
        blocks, notes = text[key]
        # one element per pass: each st.* call is a message per live frame
        st.latex(r"\begin{gathered} " + r" \\[12pt] ".join(blocks) + r" \end{gathered}")
        if notes:
            st.caption(notes)
    st.subheader("Its share of each dW", anchor=False)
    st.caption("A batch's dW is the sum over its points of one outer product each, hᵀ dr "
               "(h₀ = x): this point's term beside the whole sum. cos > 0: the point pulls "
               "the weights the way the batch does.")
    for tex, table in text["shares"]:
        st.latex(tex)
        st.markdown(table)


def trace_text(net, X, y, i, class_names):
    """Everything the view writes about point i, as TeX and Markdown (no Streamlit: the
    benchmark times it): ``point`` (a line), ``forward`` and ``backward`` ((TeX blocks,
    notes)), ``shares`` (per layer (TeX, table)), and the ``trace`` itself."""
    t = point_trace(net, X, y, i)
    _, grads = batch_grads(net, X, y)
    if net.regression:
        point = (f"**Point {i + 1}** of the {t['n']} training points, target y = "
                 f"{sci_text(t['label'], 3)}; predicted ŷ = {sci_text(t['p'][0], 3)}, its "
                 f"loss ½(ŷ − y)² = {sci_text(t['loss'], 3)}.")
        return {"trace": t, "point": point, "forward": _forward(net, t),
                "backward": _backward(net, t), "shares": _shares(t, grads)}
    label, pred = t["label"], int(np.argmax(t["p"]))
    verdict = "correct" if pred == label else "**misclassified**"
    point = (f"**Point {i + 1}** of the {t['n']} training points, labelled "
             f"{plain(class_names[label])}; predicted {plain(class_names[pred])} with ŷ = "
             f"{sci_text(t['p'][pred], 3)}: {verdict}.")
    return {"trace": t, "point": point, "forward": _forward(net, t),
            "backward": _backward(net, t), "shares": _shares(t, grads)}


def _batch_line(tr, n):
    if tr.mode == "batch":
        batch = f"Its batch is the whole training set (full batch, n = {n}), as in training."
    else:
        how = "one point" if tr.mode == "sgd" else f"mini-batches of {tr.batch_size}"
        batch = (f"Training uses {how} per update; this trace takes the whole training set "
                 f"as its batch (n = {n}).")
    terms = [f"L2 term λW (λ = {tr.l2:g})"] if tr.l2 else []
    terms += [f"L1 term λ₁·sign(W) (λ₁ = {tr.l1:g})"] if tr.l1 else []
    l2 = (f" The {' and the '.join(terms)} belong{'s' if len(terms) == 1 else ''} to no "
          f"point and {'is' if len(terms) == 1 else 'are'} left out.") if terms else ""
    return f"{batch}{l2} Live while playing; paused, it shows update {tr.updates:,}."


def _forward(net, t):
    """TeX blocks of the forward pass (x; per hidden layer r and h; scores, ŷ and the loss)
    and the notes on what a wide layer leaves out."""
    act = activation(net.activation)
    L, K = len(t["r"]), len(t["p"])
    regression = net.regression
    blocks = [r"x = \begin{pmatrix} %s \end{pmatrix},\qquad y = %s"
              % (" & ".join(tex_number(v) for v in t["x"]),
                 tex_number(t["label"]) if regression else "%d" % t["label"])]
    notes = []
    for l in range(1, L):
        r, h = t["r"][l - 1], t["h"][l - 1]
        prev = "x" if l == 1 else "h_{%d}" % (l - 1)
        fl = fill(act.tex, "r_{%d}" % l)
        blocks.append(tex_table(
            r"r_{%d} = %s W_{%d} + b_{%d},\quad h_{%d} = %s" % (l, prev, l, l, l, fl),
            r"\text{unit}", _units(h), [("r_{%d}" % l, r), ("h_{%d}" % l, h)]))
        shown = _shown(h, f"h{subscript(l)}")
        if act.kink:                          # ReLU-like: active above the kink
            shown += ("; " if shown else "") + f"{int((r > 0).sum())} of {len(r)} active"
        if shown:
            notes.append(f"r{subscript(l)}, h{subscript(l)}: {shown}.")
    prev = "x" if L == 1 else "h_{%d}" % (L - 1)
    if regression:
        # one linear output unit: ŷ is the score, the loss the squared residual's half
        yhat = t["p"][0]
        blocks.append(r"\hat y = \text{score} = %s W_{%d} + b_{%d} = %s" % (
            prev, L, L, tex_number(yhat)))
        blocks.append(r"\mathcal{L}_i = \tfrac{1}{2}(\hat y - y)^2 = \tfrac{1}{2}(%s - (%s))^2"
                      r" = %s" % (tex_number(yhat, signed=False),
                                  tex_number(t["label"], signed=False),
                                  tex_number(t["loss"], signed=False, decimals=4)))
        return blocks, " ".join(notes)
    blocks.append(tex_table(
        r"\text{score} = %s W_{%d} + b_{%d},\quad \hat y = \operatorname{softmax}(\text{score})"
        % (prev, L, L), r"\text{class}", [(k, k) for k in range(K)],
        [(r"\text{score}", t["r"][-1]), (r"\hat y", t["p"])]))
    blocks.append(r"\mathcal{L}_i = -\log \hat y_{i,\,y_i} = -\log %s = %s"
                  % (tex_number(t["p"][t["label"]], signed=False, decimals=4),
                     tex_number(t["loss"], signed=False, decimals=4)))
    return blocks, " ".join(notes)


def _backward(net, t):
    """TeX blocks of the backward pass (dscore; per hidden layer, last first, dh and dr)."""
    act = activation(net.activation)
    L, K = len(t["r"]), len(t["p"])
    if net.regression:
        blocks = [r"\text{dscore} = \frac{\hat y - y}{n} = \frac{%s}{%d} = %s" % (
            tex_number(t["p"][0] - t["label"]), t["n"], tex_number(t["dscore"][0]))]
    else:
        onehot = np.eye(K)[t["label"]]
        blocks = [tex_table(
            r"\text{dscore} = \frac{\hat y - \operatorname{onehot}(y)}{n},\quad n = %d"
            % t["n"], r"\text{class}", [(k, k) for k in range(K)],
            [(r"\hat y - \operatorname{onehot}(y)", t["p"] - onehot),
             (r"\text{dscore}", t["dscore"])])]
    notes = []
    for l in range(L - 1, 0, -1):
        d = r"\text{dscore}" if l + 1 == L else "dr_{%d}" % (l + 1)
        dh, dr = t["dh"][l - 1], t["dr"][l - 1]
        slope = fill(act.dtex, "r_{%d}" % l, "h_{%d}" % l)
        blocks.append(tex_table(
            r"dh_{%d} = %s\, W_{%d}^{\top},\quad dr_{%d} = dh_{%d} \odot %s"
            % (l, d, l + 1, l, l, slope),
            r"\text{unit}", _units(dr), [("dh_{%d}" % l, dh), ("dr_{%d}" % l, dr)]))
        shown = _shown(dr, f"dr{subscript(l)}")
        if shown:
            notes.append(f"dh{subscript(l)}, dr{subscript(l)}: {shown}.")
    return blocks, " ".join(notes)


def _shares(t, grads):
    """Per layer: the point's dW_l term against the batch's dW_l (norms, cosine) in TeX, and
    the point's largest entries beside the batch's as a Markdown table."""
    out = []
    L = len(t["dW"])
    for l in range(L):
        mine, batch = t["dW"][l], grads[l][0]
        prev = "x" if l == 0 else "h_{%d}" % l
        d = r"\text{dscore}" if l == L - 1 else "dr_{%d}" % (l + 1)
        norm_mine, norm_batch = np.linalg.norm(mine), np.linalg.norm(batch)
        cos = float(np.vdot(mine, batch) / (norm_mine * norm_batch)) \
            if norm_mine and norm_batch else 0.0
        tex = (r"\begin{gathered} dW_{%d}^{(i)} = %s^{\top} %s \\ \lVert dW_{%d}^{(i)} \rVert "
               r"= %s,\;\; \lVert dW_{%d} \rVert = %s,\;\; \cos = %s \end{gathered}"
               % (l + 1, prev, d, l + 1, tex_number(norm_mine, signed=False), l + 1,
                  tex_number(norm_batch, signed=False), tex_number(cos)))
        out.append((tex, _entries_table(l + 1, mine, batch)))
    return out


def _entries_table(layer, mine, batch):
    """The point's largest dW entries beside the batch's, as a Markdown table."""
    order = np.argsort(-np.abs(mine), axis=None, kind="stable")[:TOP_ENTRIES]
    rows = [f"| W{subscript(layer)} entry (input, unit) | this point | whole batch |",
            "|---|---:|---:|"]
    for flat in order:
        a, b = np.unravel_index(flat, mine.shape)
        rows.append(f"| ({a + 1}, {b + 1}) | {sci_text(mine[a, b], 3)} | "
                    f"{sci_text(batch[a, b], 3)} |")
    if mine.size > TOP_ENTRIES:
        rows.append(f"| … {mine.size - TOP_ENTRIES:,} more | | |")
    return "\n".join(rows)
