"""Run files on the page: which runs it can show, and the settings that describe them.

A run file holds a trained network, its data and its trainer, and (when the page wrote it)
the page's settings. The page continues such a run only where its sidebar can show the
network; the settings are then made to describe the run as it is, with a note for each
value the sidebar had to adapt (e.g. a script's learning rate 0.5 → the nearest choice).
"""

from __future__ import annotations

from ..engine.runfiles import load_run
from ..engine.tasks import TASKS
from .netshape import RAW_FEATURES
from .settings import LIMITS, Settings, batch_mode_of, clamp


def read_run_file(data, current, limits=()):
    """``(trainer, settings, class_names, notes)`` for a run file's bytes (raises
    RunFileError); ``current`` supplies the settings the file does not carry."""
    limits = {"hidden_layers": LIMITS["layers"][1], "units": LIMITS["units"][1],
              **dict(limits)}
    trainer, extra = load_run(data, limits=limits)
    extra = extra if isinstance(extra, dict) else {}
    settings = current
    stored = extra.get("settings")
    if isinstance(stored, dict):
        known = {k: v for k, v in stored.items() if k in Settings.__dataclass_fields__}
        try:
            settings, _ = clamp(Settings(**{**current.to_dict(), **known}))
        except (TypeError, ValueError):
            settings = current
    names = extra.get("class_names")
    k = trainer.net.n_classes
    if TASKS[trainer.net.task].output_names:           # the task names its outputs
        names = list(TASKS[trainer.net.task].output_names)
    elif not (isinstance(names, list) and len(names) == k):
        names = [f"class {i}" for i in range(k)]
    names = tuple(str(n)[:40] for n in names)
    # e.g. a CLI run's lr 0.5 becomes the nearest choice the sidebar offers: say so
    settings, notes = settings_matching(settings, trainer)
    return trainer, settings, names, notes


def run_extra(settings, class_names, source):
    """What the page stores beside a run in its file (read back by :func:`read_run_file`)."""
    return {"settings": settings.to_dict(), "class_names": list(class_names),
            "source": source}


def settings_matching(settings, trainer):
    """Settings whose network and training fields describe ``trainer`` (where the sidebar can
    show them), so that the page shows the imported run as it is; ``(settings, notes)``."""
    net = trainer.net
    changes = {"task": net.task, "features": net.features or RAW_FEATURES,
               "widths": tuple(net.layer_sizes[1:-1]),
               "activation": net.activation, "init": net.init, "seed": min(net.seed, 10**6),
               "optimizer": trainer.optimizer, "lr": trainer.lr, "lr_auto": False,
               "l2": trainer.l2, "l1": trainer.l1}
    bs = trainer.batch_size
    changes["batch_mode"] = batch_mode_of(bs)
    if bs not in (None, 1):
        changes["batch_size"] = bs
    return clamp(settings.with_changes(**changes))
