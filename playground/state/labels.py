"""Short labels that tell runs apart: the settings that differ between them, in a few words
(the Compare view's pinned runs)."""

from __future__ import annotations

from . import netshape as shape


def describe_differences(settings_list):
    """Short labels naming what differs between settings, e.g. "SGD, lr 0.1" vs
    "full batch, lr 1" — only the fields that are not the same for all of them."""
    if not settings_list:
        return []
    parts = []
    for s in settings_list:
        parts.append({
            "data": f"{s.dataset}",
            "inputs": f"inputs {shape.features_text(s.features)}",
            "net": f"hidden {shape.widths_text(s.widths, '-')} {s.activation}",
            "init": f"init {s.init}",
            "batch": {"full batch": "full batch", "mini-batch": f"mini-batch {s.batch_size}",
                      "SGD": "SGD"}[s.batch_mode],
            "opt": s.optimizer,
            "lr": f"lr {s.lr:g}",
            "l2": f"L2 {s.l2:g}",
            "l1": f"L1 {s.l1:g}",
            "seed": f"seed {s.seed}",
        })
    keys = [k for k in parts[0] if len({p[k] for p in parts}) > 1]
    if not keys:
        keys = ["batch", "lr"]
    return [", ".join(p[k] for k in keys) for p in parts]
