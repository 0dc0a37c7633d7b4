"""Guard rails that teach: notice a run that has stopped learning and say why, in words a
student can act on."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .netshape import features_text
from .settings import auto_lr

MIN_UPDATES = 100          # a run younger than this is still finding its way
WINDOW = 100               # updates the symptom must have lasted
DEAD_SHARE = 0.9           # a layer with this share of dead (or saturated) units is stuck
LOSS_TOLERANCE = 0.02      # relative distance from ln K that counts as "at ln K"
CHANCE_MARGIN = 0.05       # accuracy within this of 1/K counts as "at chance"
FLAT = 0.05                # a loss that fell less than this share in WINDOW is not moving
                           # (a plateau the loss is still falling through is not a stall)


@dataclass(frozen=True)
class Stall:
    what: str              # the symptom, with numbers
    cause: str             # the likely cause and a fix


def stall(pg):
    """A :class:`Stall` when the run has stopped learning for at least WINDOW updates (the
    loss at ln K, the accuracy at chance, or ≥ 90 % of a layer's units dead or saturated),
    else None. A diverged run has its own banner."""
    tr = pg.trainer
    if tr.diverged or tr.updates < MIN_UPDATES:
        return None
    k = tr.net.n_classes
    ev = tr.history.evals.as_dict()
    if not len(ev["step"]):
        return None                          # an imported run may carry no evaluations
    recent = ev["step"] >= tr.updates - WINDOW
    if ev["step"][0] > tr.updates - WINDOW or recent.sum() < 2:
        return None                          # the history does not reach back far enough
    loss, acc = ev["train_loss"][recent], ev["train_acc"][recent]
    ln_k = math.log(k)
    health = pg.unit_health()
    worst = int(np.argmax(health)) if health else 0
    dead = bool(health) and health[worst] >= DEAD_SHARE
    symptoms = []
    # regression has no ln K and no accuracy (NaN): only its dead or saturated units count
    classifying = tr.net.task != "regression"
    # fallen from its highest point in the window (a run may first overshoot, then descend)
    flat = np.max(loss) - loss[-1] <= FLAT * abs(np.max(loss))
    if classifying and np.all(np.abs(loss - ln_k) <= LOSS_TOLERANCE * ln_k):
        symptoms.append(f"The training loss has stayed at ln {k} = {ln_k:.3f}, the loss of "
                        f"guessing every class with probability 1/{k}, for the last {WINDOW} "
                        f"updates.")
    elif classifying and flat and np.all(acc <= 1 / k + CHANCE_MARGIN):
        symptoms.append(f"The training accuracy has stayed at chance ({1 / k:.0%} for {k} "
                        f"classes) for the last {WINDOW} updates.")
    if dead:
        word = "dead" if tr.net.activation in ("relu", "leaky_relu") else "saturated"
        symptoms.append(f"{health[worst]:.0%} of layer {worst + 1}'s units are {word}: they "
                        f"pass no gradient back.")
    if not symptoms:
        return None
    what = " ".join(symptoms)
    return Stall(what, _cause(pg, health, worst, dead))


def _cause(pg, health, worst, dead):
    s, tr = pg.settings, pg.trainer
    suggested = auto_lr(s)
    if not s.widths:          # checked first: without hidden units, zero init is harmless
        return (f"Likely cause: without a hidden layer the network is a linear classifier "
                f"on its inputs ({features_text(s.features)}), which cannot separate this "
                f"data. Add a hidden layer, or inputs that can (x₁² and x₂² for rings).")
    if s.init == "zeros":
        return ("Likely cause: zero initialisation. Every hidden unit starts equal and gets "
                "the same gradient, so they stay equal. Choose He (ReLU) or Xavier "
                "(tanh, sigmoid) initialisation.")
    if dead and s.activation in ("relu", "leaky_relu"):
        fix = (f"a learning rate of {suggested:g} (Auto)" if suggested < tr.lr
               else f"a learning rate of {tr.lr / 10:g}")
        return (f"Likely cause: the learning rate {tr.lr:g} is too large for this "
                f"{s.optimizer} run; large early updates pushed the ReLUs below zero on every "
                f"point, where their gradient is exactly 0. Try {fix}, or leaky_relu, and "
                f"press Reset.")
    if dead:
        return (f"Likely cause: saturated {s.activation} units, whose derivative is almost 0 "
                f"(vanishing gradients, worse with depth). Try relu, Xavier initialisation "
                f"or a smaller learning rate, and press Reset.")
    if s.activation in ("sigmoid", "tanh") and s.layers >= 3:
        return (f"Likely cause: vanishing gradients. Each {s.activation} layer multiplies the "
                f"gradient on its way back by its derivative (σ′ ≤ ¼), so the layers near the "
                f"input barely learn (see the gradient norms in Gradients). Try relu with He "
                f"initialisation, fewer layers, or Adam, and press Reset.")
    if tr.lr < suggested:
        return (f"Likely cause: the learning rate {tr.lr:g} is too small to move the weights "
                f"in reasonable time. Try {suggested:g} (Auto).")
    if s.activation == "linear":
        return ("Likely cause: linear hidden units make the whole network a linear "
                "classifier, which cannot separate this data. Choose relu or tanh.")
    return (f"Likely cause: the learning rate {tr.lr:g} is too large for this "
            f"{s.optimizer} run. Try {min(suggested, tr.lr / 10):g}, then press Reset.")
