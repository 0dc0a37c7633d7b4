"""Evaluation: the full train and test loss and accuracy of a network's current parameters
(accuracy is NaN for a regression network)."""

from __future__ import annotations

import numpy as np

from .workspace import Workspace, l1_penalty, l2_penalty


class Evaluation:
    """Forward-only passes over the whole training set (inputs ``Xt``, (D + 1, N), shared,
    not copied) and the test set (``X_test``: the network's inputs, featurized), in buffers
    kept between calls."""

    def __init__(self, net, Xt, Yt, y, X_test, Yt_test, y_test):
        self.net = net
        self._train = Workspace(net, len(y), backward=False)
        self._train.Xt = Xt
        self._test = None
        if len(y_test):
            self._test = Workspace(net, len(y_test), backward=False)
            self._test.set_input(X_test)
        self._sets = (("train", self._train, Yt, y), ("test", self._test, Yt_test, y_test))
        self._regression = net.regression

    def __call__(self, l2, l1=0.0, train_pass=None):
        """``{"train_loss", "train_acc", "test_loss", "test_acc"}`` (NaN without a test set).

        ``train_pass = (loss, Pᵀ)`` of a full-batch ``loss_and_grads`` on the current
        parameters (the same loss formula, l2 and l1) stands in for the training set's pass."""
        out = {}
        for prefix, ws, Yt, y in self._sets:
            if ws is None:
                out[f"{prefix}_loss"] = out[f"{prefix}_acc"] = float("nan")
                continue
            if prefix == "train" and train_pass is not None:
                loss, Pt = train_pass
            else:
                ws.forward()
                Pt = ws.Pt
                loss = ws.loss(Yt)
                if l2:
                    loss += l2_penalty(self.net.weights, l2)
                if l1:
                    loss += l1_penalty(self.net.weights, l1)
            out[f"{prefix}_loss"] = loss
            if self._regression:
                out[f"{prefix}_acc"] = float("nan")
                continue
            # argmax over the (K, n) buffer's rows, counted: half the cost of mean(argmax == y)
            out[f"{prefix}_acc"] = np.count_nonzero(np.argmax(Pt, axis=0) == y) / len(y)
        return out

    def train_activations(self):
        """Every hidden layer's activations on the training set: (n, units) copies."""
        self._train.forward()
        return [a.copy() for a in self._train.A[1:]]
