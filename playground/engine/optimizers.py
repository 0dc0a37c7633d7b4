"""Optimizers: each updates the parameter arrays in place from gradients it does not modify.

``sgd`` is exactly the seed's update ``W ← W − lr·dW``; ``momentum`` and ``adam`` are the usual
ones (CS231n's ``optim.py`` conventions). ``state()``/``load_state()`` are what run files keep.
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


class SGD:
    name = "sgd"

    def __init__(self, params):
        self._scratch = [np.empty_like(p) for p in params]

    def update(self, params, grads, lr):
        for p, g, s in zip(params, grads, self._scratch):
            np.subtract(p, np.multiply(g, lr, out=s), out=p)     # W ← W − lr·dW

    def state(self):
        return {}

    def load_state(self, state):
        pass


class Momentum:
    name = "momentum"

    def __init__(self, params, momentum=0.9):
        self.momentum = momentum
        self.velocity = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def update(self, params, grads, lr):
        for p, g, v, s in zip(params, grads, self.velocity, self._scratch):
            v *= self.momentum                        # v ← μ·v − lr·dW;  W ← W + v
            np.multiply(g, lr, out=s)
            v -= s
            p += v

    def state(self):
        return {f"velocity{i}": v for i, v in enumerate(self.velocity)}

    def load_state(self, state):
        for i, v in enumerate(self.velocity):
            v[...] = state[f"velocity{i}"]


class Adam:
    name = "adam"

    def __init__(self, params, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def update(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # bias-corrected step size folded into one scalar
        step = lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, g, m, v, s in zip(params, grads, self.m, self.v, self._scratch):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s += self.eps
            np.divide(m, s, out=s)
            s *= step
            p -= s

    def state(self):
        out = {"t": np.array(self.t)}
        out.update({f"m{i}": m for i, m in enumerate(self.m)})
        out.update({f"v{i}": v for i, v in enumerate(self.v)})
        return out

    def load_state(self, state):
        self.t = int(state["t"])
        for i in range(len(self.m)):
            self.m[i][...] = state[f"m{i}"]
            self.v[i][...] = state[f"v{i}"]


def make_optimizer(name, params, momentum=0.9):
    if name == "sgd":
        return SGD(params)
    if name == "momentum":
        return Momentum(params, momentum)
    if name == "adam":
        return Adam(params)
    raise ValueError(f"Unknown optimizer {name!r}; choose one of {OPTIMIZERS}.")
