"""The Math view: the seed's equations, generalised to the current depth, with the current
shapes and a few live numbers from the latest update."""

from __future__ import annotations

import numpy as np
import streamlit as st

ACTIVATION_TEX = {
    "relu": (r"\max(0,\, r)", r"\mathbb{1}(r > 0)"),
    "leaky_relu": (r"\max(0.01\,r,\, r)", r"\mathbb{1}(r > 0) + 0.01\,\mathbb{1}(r \le 0)"),
    "tanh": (r"\tanh(r)", r"1 - h^2"),
    "sigmoid": (r"\sigma(r) = \frac{1}{1 + e^{-r}}", r"h\,(1 - h)"),
    "linear": (r"r", r"1"),
}


def _matrix(rows):
    body = r" \\ ".join(" & ".join(f"{v:+.4f}" for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def render_math(pg):
    tr = pg.trainer
    net = tr.net
    sizes = net.layer_sizes
    L = net.n_layers
    K = sizes[-1]
    n = tr.batch_size or len(tr.X)
    f, df = ACTIVATION_TEX[net.activation]
    mode = {"batch": "batch gradient descent: every one of the", "minibatch": "mini-batch: "
            f"$N_b = {n}$ of the", "sgd": "stochastic gradient descent: one of the"}[tr.mode]
    st.markdown(f"**This run**: {L} weight layers, sizes {' → '.join(map(str, sizes))}; "
                f"{mode} {len(tr.X)} training samples per update (n = {n}).")

    st.subheader("Forward pass")
    st.latex(r"A_0 = x \in \mathbb{R}^{n \times %d}" % sizes[0])
    for l in range(1, L):
        st.latex(r"r_{%d} = A_{%d} W_{%d} + b_{%d},\quad A_{%d} = h_{%d} = %s"
                 r"\qquad W_{%d} \in \mathbb{R}^{%d \times %d},\; h_{%d} \in "
                 r"\mathbb{R}^{n \times %d}"
                 % (l, l - 1, l, l, l, l, f.replace("r", "r_{%d}" % l) if net.activation
                    != "sigmoid" else r"\sigma(r_{%d})" % l, l, sizes[l - 1], sizes[l], l,
                    sizes[l]))
    st.latex(r"\text{score} = A_{%d} W_{%d} + b_{%d} \in \mathbb{R}^{n \times %d},\qquad "
             r"y = \operatorname{softmax}(\text{score}),\;\; y_{ij} = "
             r"\frac{e^{\text{score}_{ij} - m_i}}{\sum_k e^{\text{score}_{ik} - m_i}}"
             % (L - 1, L, L, K))
    st.caption("The row maximum mᵢ is subtracted whenever the scores are large (the seed's "
               "code omits it and overflows); it does not change y.")
    st.latex(r"\mathcal{L} = \frac{1}{n}\sum_{i=1}^{n} -\log y_{i,\hat y_i} \;+\; "
             r"\tfrac{\lambda}{2}\sum_l \lVert W_l \rVert^2 \qquad (\lambda = %g)" % tr.l2)

    st.subheader("Backward pass")
    st.latex(r"\text{dscore} = \frac{y - \operatorname{onehot}(\hat y)}{n} "
             r"\in \mathbb{R}^{%d \times %d}" % (n, K))
    for l in range(L, 0, -1):
        prev = "x" if l == 1 else "h_{%d}" % (l - 1)
        d = r"\text{dscore}" if l == L else r"dr_{%d}" % l
        st.latex(r"dW_{%d} = %s^{\top} %s + \lambda W_{%d} \in \mathbb{R}^{%d \times %d},"
                 r"\qquad db_{%d} = \textstyle\sum_i (%s)_i"
                 % (l, prev, d, l, sizes[l - 1], sizes[l], l, d))
        if l > 1:
            st.latex(r"dh_{%d} = %s\, W_{%d}^{\top} \in \mathbb{R}^{%d \times %d},\qquad "
                     r"dr_{%d} = dh_{%d} \odot %s"
                     % (l - 1, d, l, n, sizes[l - 1], l - 1, l - 1,
                        df.replace("r", "r_{%d}" % (l - 1)).replace("h", "h_{%d}" % (l - 1))
                        if net.activation in ("tanh", "sigmoid") else
                        df.replace("r", "r_{%d}" % (l - 1))))
    st.subheader("Update")
    opt = {"sgd": r"W \leftarrow W - \eta\, dW",
           "momentum": r"v \leftarrow \mu v - \eta\, dW,\quad W \leftarrow W + v",
           "adam": r"m \leftarrow \beta_1 m + (1-\beta_1) dW,\; v \leftarrow \beta_2 v + "
                   r"(1-\beta_2) dW^2,\; W \leftarrow W - \eta \frac{\hat m}{\sqrt{\hat v} + "
                   r"\epsilon}"}[tr.optimizer]
    st.latex(opt + r"\qquad (\eta = %g)" % tr.lr)
    st.caption("Batch gradient descent uses every sample per update, stochastic gradient "
               "descent one, mini-batch N_b (the seed text swaps the first two names).")

    st.subheader("Live numbers from the latest update")
    ws = pg.last_pass()
    if ws is None or tr.last_grads is None:
        st.caption("Press Step to see the numbers of an update.")
        return
    rows = ws.dZ[-1][:3]
    st.latex(r"\text{dscore}_{1:%d} = %s" % (len(rows), _matrix(np.asarray(rows, float))))
    norms = ", ".join(r"\lVert dW_{%d} \rVert = %.3g" % (l + 1, float(np.linalg.norm(dW)))
                      for l, (dW, _) in enumerate(tr.last_grads))
    st.latex(norms)
    st.caption(f"Batch loss of update {tr.steps:,}: {tr.last_loss:.4f}")
