"""Guard rails that teach: notice a run that has stopped learning and say why, in words a
student can act on.

The check reads the run as it is now, not how often it was evaluated: the symptom from a
forward pass over the training set (the loss at ln K, the accuracy at chance, or most of a
layer's units dead or saturated), and whether the loss is still falling from the per-update
loss the trainer records for every update. So Step, Step epoch and Play all get the same
answer for the same run, and a loss that is still falling is never called a stall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engine.activations import ACTIVATIONS
from ..engine.tasks import TASKS
from .netshape import features_text
from .settings import LEARNING_RATES, auto_lr

MIN_UPDATES = 100          # a run younger than this is still finding its way
WINDOW = 100               # updates over which the loss must not have fallen
MIN_ROWS = 8               # loss records the trend is read from (more than WINDOW if need be)
DEAD_SHARE = 0.9           # a layer with this share of dead (or saturated) units is stuck
LOSS_TOLERANCE = 0.02      # relative distance from ln K that counts as "at ln K"
CHANCE_MARGIN = 0.05       # accuracy within this of 1/K counts as "at chance"
FLAT = 0.05                # a loss that fell less than this share over the window is flat
SIGNIFICANT = 3.0          # a fall within this many standard errors is noise, not a fall

@dataclass(frozen=True)
class Stall:
    what: str              # the symptom, with numbers
    cause: str             # the likely cause and a fix


def stall(pg, held=False):
    """A :class:`Stall` when the run has stopped learning (the loss at ln K, the accuracy at
    chance, or ≥ 90 % of a layer's units stuck, with a loss that has not fallen over the last
    WINDOW updates), else None. A diverged run has its own banner. ``held``: the run was
    found stalled at the last check, and stays so while a symptom lasts (a loss bouncing at
    a too-large rate can look like a fall over one window and not over the next)."""
    tr = pg.trainer
    if tr.diverged or tr.updates < MIN_UPDATES or (not held and still_falling(tr)):
        return None
    m = tr.record_metrics()
    k = tr.net.n_classes
    ln_k = math.log(k)
    health = pg.unit_health()
    worst = int(np.argmax(health)) if health else 0
    act = ACTIVATIONS[tr.net.activation]
    stuck = bool(health) and health[worst] >= DEAD_SHARE and act.stuck is not None
    symptoms = []
    # regression has no ln K and no accuracy (NaN): only its stuck units count
    if TASKS[tr.net.task].accuracy:
        loss, acc = m["train_loss"], m["train_acc"]
        if abs(loss - ln_k) <= LOSS_TOLERANCE * ln_k:
            symptoms.append(f"The training loss is at ln {k} = {ln_k:.3f}, the loss of "
                            f"guessing every class with probability 1/{k}, and has not "
                            f"fallen over the last {WINDOW} updates.")
        elif acc <= 1 / k + CHANCE_MARGIN:
            symptoms.append(f"The training accuracy is at chance ({acc:.0%}; {1 / k:.0%} "
                            f"for {k} classes) and the loss has not fallen over the last "
                            f"{WINDOW} updates.")
    if stuck:
        symptoms.append(f"{health[worst]:.0%} of layer {worst + 1}'s units are "
                        f"{act.stuck_words}.")
    if not symptoms:
        return None
    return Stall(" ".join(symptoms), _cause(pg, stuck))


def still_falling(tr):
    """Whether the training loss is still falling: over the last WINDOW updates (at least
    MIN_ROWS records of the per-update loss), a least-squares line through the loss falls
    by more than FLAT of its level and by more than SIGNIFICANT standard errors (a
    mini-batch's noisy loss needs the second, a full batch's smooth one the first)."""
    series = tr.history.loss
    steps, loss = series.column("step"), series.column("loss")
    recent = steps > tr.updates - WINDOW
    if recent.sum() < MIN_ROWS:
        recent = np.zeros(len(steps), dtype=bool)
        recent[-MIN_ROWS:] = True
    x, y = steps[recent], loss[recent]
    if len(x) < 3 or not np.all(np.isfinite(y)):
        return False
    x = x - x.mean()
    sxx = float(x @ x)
    if sxx == 0:
        return False
    slope = float(x @ (y - y.mean())) / sxx
    fall = -slope * (x[-1] - x[0])
    residual = y - y.mean() - slope * x
    se = math.sqrt(float(residual @ residual) / max(len(x) - 2, 1) / sxx)
    return fall > FLAT * abs(float(np.mean(y))) and -slope > SIGNIFICANT * se


def _smaller_rate(lr, suggested):
    """A learning rate to suggest below ``lr``: the automatic one if it is smaller, else the
    choice about ten times smaller."""
    if suggested < lr:
        return suggested
    lower = [c for c in LEARNING_RATES if c <= lr / 9]
    return lower[-1] if lower else LEARNING_RATES[0]


def _cause(pg, stuck):
    """The likely cause and what to try; never something the run already uses."""
    s, tr = pg.settings, pg.trainer
    act = ACTIVATIONS[s.activation]
    suggested = auto_lr(s)
    if not s.widths:          # checked first: without hidden units, zero init is harmless
        return (f"Likely cause: without a hidden layer the network is a linear classifier "
                f"on its inputs ({features_text(s.features)}), which cannot separate this "
                f"data. Add a hidden layer, or inputs that can (x₁² and x₂² for rings).")
    if s.init == "zeros":
        fix = {"he": "He", "xavier": "Xavier"}[act.init]
        return ("Likely cause: zero initialisation. Every hidden unit starts equal and gets "
                f"the same gradient, so they stay equal. Choose {fix} initialisation and "
                "press Reset.")
    smaller = _smaller_rate(tr.lr, suggested)
    if stuck and act.stuck_word == "dead":
        fixes = [f"a learning rate of {smaller:g}" + (" (Auto)" if smaller == suggested
                                                      else "")]
        if act.remedy:
            fixes.append(act.remedy)
        return (f"Likely cause: the learning rate {tr.lr:g} is too large for this "
                f"{s.optimizer} run; large early updates pushed the units below zero on "
                f"every point. Try {' or '.join(fixes)}, and press Reset.")
    deep = s.layers >= 3
    if stuck or (act.stuck_word == "saturated" and deep):
        fixes = ["relu with He initialisation"]
        if s.init != "xavier" and not deep:
            fixes.append("Xavier initialisation")
        if deep:
            fixes.append("fewer layers")
        if s.optimizer != "adam":
            fixes.append("Adam")
        fixes.append(f"a learning rate of {smaller:g}")
        why = ("saturated units, whose derivative is almost 0" if stuck else
               f"vanishing gradients: each {s.activation} layer multiplies the gradient on "
               f"its way back by its derivative (σ′ ≤ ¼), so the layers near the input "
               f"barely learn (see the gradient norms in Gradients)")
        return (f"Likely cause: {why}. Try {', '.join(fixes[:-1])} or {fixes[-1]}, and "
                f"press Reset.")
    if tr.lr < suggested:
        return (f"Likely cause: the learning rate {tr.lr:g} is too small to move the weights "
                f"in reasonable time. Try {suggested:g} (Auto).")
    if act.forward is None:                   # the identity: the whole net is linear
        return ("Likely cause: linear hidden units make the whole network a linear "
                "classifier, which cannot separate this data. Choose relu or tanh.")
    return (f"Likely cause: the learning rate {tr.lr:g} is too large for this "
            f"{s.optimizer} run. Try {smaller:g}, then press Reset.")
