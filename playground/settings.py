"""The playground's configuration: one immutable value, its limits, and its URL form.

The sidebar produces a :class:`Settings`; the rest of the app (and the tests) only read it.
Every field has a range that keeps one shared server healthy, and the same value round-trips
through the URL query string so that a link reproduces a setup. Parsing a URL never raises:
unknown, malformed or out-of-range values are clamped or ignored, with a warning each.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from .datasets import CLASS_RANGE, DATASETS
from .model import ACTIVATIONS, INITS
from .training import OPTIMIZERS

UPLOAD = "upload CSV"
DATA_SOURCES = (*DATASETS, UPLOAD)
BATCH_MODES = ("full batch", "mini-batch", "SGD")
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_CHOICES = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)

# Limits for a shared server: one visitor must not be able to take its memory or CPU.
LIMITS = {
    "samples": (20, 2000),
    "noise": (0.0, 0.5),
    "test_fraction": (0.0, 0.5),
    "data_seed": (0, 1_000_000),
    "layers": (1, 4),
    "units": (1, 256),
    "batch_size": (2, 512),
    "speed": (1, 200),
    "seed": (0, 1_000_000),
}
MAX_URL_VALUE = 64           # characters; longer values are ignored


@dataclass(frozen=True)
class Settings:
    # data
    dataset: str = "spiral"
    samples: int = 300
    noise: float = 0.2
    classes: int = 3
    test_fraction: float = 0.2
    data_seed: int = 0
    # network
    layers: int = 1
    units: int = 100
    activation: str = "relu"
    init: str = "he"
    # training
    lr: float = 1.0
    batch_mode: str = "full batch"
    batch_size: int = 32
    optimizer: str = "sgd"
    l2: float = 1e-3
    speed: int = 20
    seed: int = 0

    # -- what a change means ---------------------------------------------------------------
    def data_key(self):
        """Changing any of these makes new data (and so a new run)."""
        return (self.dataset, self.samples, self.noise, self.classes, self.test_fraction,
                self.data_seed)

    def network_key(self):
        """Changing any of these starts a new run on the same data."""
        return (self.layers, self.units, self.activation, self.init, self.seed)

    @property
    def hidden(self):
        return [self.units] * self.layers

    @property
    def trainer_batch_size(self):
        """The Trainer's batch_size: None (full batch), B, or 1 (SGD)."""
        return {"full batch": None, "mini-batch": self.batch_size, "SGD": 1}[self.batch_mode]

    def with_changes(self, **changes):
        return replace(self, **changes)

    def to_dict(self):
        return asdict(self)

    def describe(self):
        """A short human label, e.g. "SGD, lr 0.1, mini-batch 32"."""
        batch = {"full batch": "full batch", "mini-batch": f"mini-batch {self.batch_size}",
                 "SGD": "SGD (batch 1)"}[self.batch_mode]
        return f"{self.optimizer}, lr {self.lr:g}, {batch}"


DEFAULTS = Settings()

# URL keys: short, stable names (they are part of shared links).
URL_KEYS = {
    "dataset": "data", "samples": "n", "noise": "noise", "classes": "k",
    "test_fraction": "test", "data_seed": "dseed", "layers": "layers", "units": "units",
    "activation": "act", "init": "init", "lr": "lr", "batch_mode": "batch",
    "batch_size": "bs", "optimizer": "opt", "l2": "l2", "speed": "speed", "seed": "seed",
}
_FIELD_BY_URL = {v: k for k, v in URL_KEYS.items()}
_CHOICES = {"dataset": DATA_SOURCES, "activation": ACTIVATIONS, "init": INITS,
            "batch_mode": BATCH_MODES, "optimizer": OPTIMIZERS}
_TYPES = {f.name: f.type for f in fields(Settings)}


def to_query(settings):
    """The settings as URL query parameters (strings), omitting values equal to the defaults
    so that links stay short."""
    out = {}
    for name, key in URL_KEYS.items():
        value = getattr(settings, name)
        if value != getattr(DEFAULTS, name):
            out[key] = f"{value:g}" if isinstance(value, float) else str(value)
    return out


def from_query(params):
    """Parse URL query parameters into ``(settings, warnings)``; never raises.

    ``params`` maps a key to a string or to a list of strings (a repeated key: the last
    one counts, with a warning).
    """
    warnings = []
    values = {}
    for key, raw in params.items():
        shown = _shorten(key)
        if isinstance(raw, (list, tuple)):
            if not raw:
                continue
            if len(raw) > 1:
                warnings.append(f"URL parameter '{shown}' was given {len(raw)} times; "
                                f"the last value was used.")
            raw = raw[-1]
        name = _FIELD_BY_URL.get(key)
        if name is None:
            warnings.append(f"Unknown URL parameter '{shown}' was ignored.")
            continue
        raw = str(raw)
        if len(raw) > MAX_URL_VALUE:
            warnings.append(f"URL parameter '{key}' is too long ({len(raw):,} characters) "
                            f"and was ignored.")
            continue
        value, warning = _parse(name, key, raw.strip())
        if warning:
            warnings.append(warning)
        if value is not None:
            values[name] = value
    settings = replace(DEFAULTS, **values)
    settings, more = clamp(settings)
    return settings, warnings + more


def _shorten(text, limit=40):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _parse(name, key, raw):
    """(value, warning) for one URL value; value None means 'ignored'."""
    shown = _shorten(raw)
    if name in _CHOICES:
        choices = _CHOICES[name]
        match = {c.lower(): c for c in choices}.get(raw.lower())
        if match is None:
            return None, (f"URL parameter '{key}={shown}' is not one of "
                          f"{', '.join(choices)}; the default was used.")
        return match, None
    kind = _TYPES[name]
    try:
        number = float(raw)
    except ValueError:
        return None, f"URL parameter '{key}={shown}' is not a number; the default was used."
    if not math.isfinite(number):
        return None, f"URL parameter '{key}={shown}' is not a finite number; ignored."
    if kind in ("int", int):
        if number != int(number):
            return int(round(number)), f"URL parameter '{key}={shown}' was rounded."
        return int(number), None
    return number, None


def clamp(settings):
    """Bring every field into its allowed range and type; returns ``(settings, warnings)``.
    Settings can come from a URL or a run file, so nothing about them is assumed."""
    warnings = []
    changes = {}
    for name, choices in _CHOICES.items():
        if getattr(settings, name) not in choices:
            changes[name] = getattr(DEFAULTS, name)
            warnings.append(f"{name.replace('_', ' ').capitalize()} "
                            f"{_shorten(getattr(settings, name))!r} is not one of "
                            f"{', '.join(choices)}; using {changes[name]}.")
    for name, kind in _TYPES.items():
        if name in _CHOICES:
            continue
        value = getattr(settings, name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not math.isfinite(number):
            changes[name] = getattr(DEFAULTS, name)
            warnings.append(f"{name.replace('_', ' ').capitalize()} is not a number; using "
                            f"{changes[name]:g}.")
        elif kind in ("int", int) and not isinstance(value, int):
            changes[name] = int(round(number))
        elif kind in ("float", float) and not isinstance(value, float):
            changes[name] = number
    settings = replace(settings, **changes)
    changes = {}
    for name, (lo, hi) in LIMITS.items():
        value = getattr(settings, name)
        if not lo <= value <= hi:
            new = min(max(value, lo), hi)
            changes[name] = new
            warnings.append(f"{name.replace('_', ' ').capitalize()} {value:g} is outside "
                            f"{lo:g}–{hi:g}; using {new:g}.")
    lr = settings.lr
    nearest = min(LEARNING_RATES, key=lambda c: abs(math.log10(max(lr, 1e-12)) - math.log10(c)))
    if not math.isclose(lr, nearest, rel_tol=1e-9):
        changes["lr"] = nearest
        warnings.append(f"Learning rate {lr:g} is not one of the choices; using {nearest:g}.")
    l2 = settings.l2
    nearest = min(L2_CHOICES, key=lambda c: abs(c - l2))
    if l2 not in L2_CHOICES:
        changes["l2"] = nearest
        warnings.append(f"L2 {l2:g} is not one of the choices; using {nearest:g}.")
    if settings.dataset in CLASS_RANGE:
        lo, hi = CLASS_RANGE[settings.dataset]
        if not lo <= settings.classes <= hi:
            new = min(max(settings.classes, lo), hi)
            changes["classes"] = new
            if settings.classes != DEFAULTS.classes:     # the default 3 is silently adapted
                warnings.append(f"The {settings.dataset} dataset allows {lo}–{hi} classes; "
                                f"using {new}.")
    return replace(settings, **changes), warnings
