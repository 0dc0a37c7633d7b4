"""The Math view: the classic two-layer network's equations, generalised to the current depth,
with the current shapes and a few live numbers from the latest update."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ..engine.activations import activation, fill
from ..figures.common import sci_text, tex_number
from .viewkit import register

FEATURE_TEX = {"x1": "x_1", "x2": "x_2", "x1sq": "x_1^2", "x2sq": "x_2^2", "x1x2": "x_1 x_2",
               "sinx1": r"\sin x_1", "sinx2": r"\sin x_2"}


def _matrix(rows):
    body = r" \\ ".join(" & ".join(tex_number(v, decimals=4) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def _penalty(tr):
    """The loss's regularisation terms, L2 and (when on) L1, with their values."""
    l1 = tr.l1 > 0
    return (r"\;+\; \tfrac{\lambda}{2}\sum_l \lVert W_l \rVert^2 %s\qquad (\lambda = %g%s)"
            % (r"\;+\; \lambda_1 \sum_l \lVert W_l \rVert_1 " if l1 else "", tr.l2,
               r",\; \lambda_1 = %g" % tr.l1 if l1 else ""))


def _regression_output(L, n, penalty):
    """The regression network's output, loss and dscore: one linear unit (no softmax), the
    mean of ½(ŷ − y)², whose derivative (ŷ − y)/n has the classification's form."""
    st.latex(r"\hat y = \text{score} = A_{%d} W_{%d} + b_{%d} \in \mathbb{R}^{n \times 1}"
             % (L - 1, L, L))
    st.caption("One linear output unit: the score is the prediction (no softmax).")
    st.latex(r"\mathcal{L} = \frac{1}{n}\sum_{i=1}^{n} \tfrac{1}{2}(\hat y_i - y_i)^2 " + penalty)
    st.subheader("Backward pass")
    st.latex(r"\text{dscore} = \frac{\partial \mathcal{L}}{\partial \hat y} = "
             r"\frac{\hat y - y}{n} \in \mathbb{R}^{%d \times 1}" % n)
    st.caption("The same form as classification's (ŷ − onehot(y))/n: the residual, shared "
               "among the n points of the batch.")


@register("Math", position=3)
def show_math(page):
    render_math(page.pg)


def render_math(pg):
    tr = pg.trainer
    net = tr.net
    sizes = net.layer_sizes
    L = net.n_layers
    K = sizes[-1]
    n = tr.batch_size or len(tr.X)
    act = activation(net.activation)
    mode = {"batch": "batch gradient descent: every one of the", "minibatch": "mini-batch: "
            f"$N_b = {n}$ of the", "sgd": "stochastic gradient descent: one of the"}[tr.mode]
    layers = f"{L} weight layer{'s' if L != 1 else ''}"
    st.markdown(f"**This run**: {layers}, sizes {' → '.join(map(str, sizes))}; "
                f"{mode} {len(tr.X)} training samples per update (n = {n}).")

    regression = net.regression
    if regression:
        st.caption("Regression. Notation: x is an input, y its target (a number), ŷ the "
                   "network's predicted value (ŷᵢ: sample i).")
    else:
        st.caption("Notation: x is an input, y its true class (a label), ŷ the predicted "
                   "class probabilities (ŷᵢⱼ: sample i, class j).")
    st.subheader("Forward pass")
    x = "x"
    if net.features is None:
        st.latex(r"A_0 = x \in \mathbb{R}^{n \times %d}" % sizes[0])
    else:                          # the input features: the network's input is φ(x)
        x = r"\phi(x)"
        st.latex(r"A_0 = \phi(x) = \left(%s\right) \in \mathbb{R}^{n \times %d}"
                 % (r",\; ".join(FEATURE_TEX[f] for f in net.features), sizes[0]))
        st.caption("x = (x₁, x₂) is the point; φ(x) the input features the network reads, "
                   "one column each.")
    for l in range(1, L):
        st.latex(r"r_{%d} = A_{%d} W_{%d} + b_{%d},\quad A_{%d} = h_{%d} = %s"
                 r"\qquad W_{%d} \in \mathbb{R}^{%d \times %d},\; h_{%d} \in "
                 r"\mathbb{R}^{n \times %d}"
                 % (l, l - 1, l, l, l, l, fill(act.tex, "r_{%d}" % l), l, sizes[l - 1],
                    sizes[l], l, sizes[l]))
    if L > 1:
        st.caption(act.definition)
    l1 = tr.l1 > 0
    if regression:
        _regression_output(L, n, _penalty(tr))
    else:
        st.latex(r"\text{score} = A_{%d} W_{%d} + b_{%d} \in \mathbb{R}^{n \times %d},\qquad "
                 r"\hat y = \operatorname{softmax}(\text{score}),\;\; \hat y_{ij} = "
                 r"\frac{e^{\text{score}_{ij} - m_i}}{\sum_k e^{\text{score}_{ik} - m_i}}"
                 % (L - 1, L, L, K))
        st.caption("The row maximum mᵢ is subtracted whenever the scores are large (the "
                   "classic derivation's code omits it and overflows); it does not change ŷ.")
        st.latex(r"\mathcal{L} = \frac{1}{n}\sum_{i=1}^{n} -\log \hat y_{i,\,y_i} " + _penalty(tr))
    if l1:
        st.caption("‖W‖₁ = Σ|wᵢⱼ| (L1) over the weights, not the biases. Its gradient is "
                   "the subgradient sign(W): +1 or −1, and 0 where a weight is exactly 0.")
    if not regression:
        st.subheader("Backward pass")
        st.latex(r"\text{dscore} = \frac{\hat y - \operatorname{onehot}(y)}{n} "
                 r"\in \mathbb{R}^{%d \times %d}" % (n, K))
    for l in range(L, 0, -1):
        prev = x if l == 1 else "h_{%d}" % (l - 1)
        d = r"\text{dscore}" if l == L else r"dr_{%d}" % l
        sign = r" + \lambda_1 \operatorname{sign}(W_{%d})" % l if l1 else ""
        st.latex(r"dW_{%d} = %s^{\top} %s + \lambda W_{%d}%s \in \mathbb{R}^{%d \times %d},"
                 r"\qquad db_{%d} = \textstyle\sum_i (%s)_i"
                 % (l, prev, d, l, sign, sizes[l - 1], sizes[l], l, d))
        if l > 1:
            st.latex(r"dh_{%d} = %s\, W_{%d}^{\top} \in \mathbb{R}^{%d \times %d},\qquad "
                     r"dr_{%d} = dh_{%d} \odot %s"
                     % (l - 1, d, l, n, sizes[l - 1], l - 1, l - 1,
                        fill(act.dtex, "r_{%d}" % (l - 1), "h_{%d}" % (l - 1))))
    st.subheader("Update")
    opt = {"sgd": r"W \leftarrow W - \eta\, dW",
           "momentum": r"v \leftarrow \mu v - \eta\, dW,\quad W \leftarrow W + v",
           # the engine's form (Kingma & Ba's ε̂): the bias corrections folded into the step
           "adam": r"m \leftarrow \beta_1 m + (1-\beta_1) dW,\; v \leftarrow \beta_2 v + "
                   r"(1-\beta_2) dW^2,\; W \leftarrow W - \eta\, \frac{\sqrt{1-\beta_2^t}}"
                   r"{1-\beta_1^t} \frac{m}{\sqrt{v} + \epsilon}"}[tr.optimizer]
    st.latex(opt + r"\qquad (\eta = %g)" % tr.lr)
    st.caption("Batch gradient descent uses every sample per update, stochastic gradient "
               "descent one, mini-batch N_b (some texts swap the first two names).")

    st.subheader("Live numbers from the latest update")
    last = tr.last_pass()
    if last is None or tr.last_grads is None:
        st.caption("Press Step to see the numbers of an update.")
        return
    rows = last.dscore[:3]
    st.latex(r"\text{dscore}_{1:%d} = %s" % (len(rows), _matrix(np.asarray(rows, float))))
    norms = ", ".join(r"\lVert dW_{%d} \rVert = %s"
                      % (l + 1, tex_number(np.linalg.norm(dW), decimals=4, signed=False))
                      for l, (dW, _) in enumerate(tr.last_grads))
    st.latex(norms)
    st.caption(f"Batch loss of update {tr.updates:,}: {sci_text(tr.last_loss, 4)}")
