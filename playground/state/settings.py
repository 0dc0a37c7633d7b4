"""The playground's configuration: one immutable value, its limits, and its URL form.

The sidebar produces a :class:`Settings`; the rest of the app (and the tests) only read it.
Every field has a range that keeps one shared server healthy, and the same value round-trips
through the URL query string so that a link reproduces a setup. Parsing a URL never raises:
unknown, malformed or out-of-range values are clamped or ignored, with a warning each.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from ..engine.activations import ACTIVATIONS
from ..engine.datasets import CLASS_RANGE, DATASETS
from ..engine.model import INITS
from ..engine.tasks import DEFAULT as DEFAULT_TASK
from ..engine.tasks import TASKS, task, task_of_dataset
from ..engine.training import OPTIMIZERS
from . import netshape as shape

UPLOAD = "upload CSV"
DATA_SOURCES = (*DATASETS, UPLOAD)
# every dataset a URL may name; the sidebar offers those of the problem type (engine.tasks)
_ALL_SOURCES = (*(d for t in TASKS.values() for d in t.datasets), UPLOAD)
BATCH_MODES = ("full batch", "mini-batch", "SGD")


def batch_mode_of(batch_size):
    """The batch mode of a Trainer's batch_size (None, B or 1); the inverse of
    :attr:`Settings.trainer_batch_size`."""
    return "full batch" if batch_size is None else "SGD" if batch_size == 1 else "mini-batch"

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_CHOICES = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)
L1_CHOICES = L2_CHOICES

# Limits for a shared server: one visitor must not be able to take its memory or CPU.
LIMITS = {
    "samples": (20, 2000),
    "noise": (0.0, 0.5),
    "test_fraction": (0.0, 0.5),
    "data_seed": (0, 1_000_000),
    "layers": (0, shape.MAX_LAYERS),   # hidden layers; 0 is a linear model on the inputs
    "units": shape.WIDTH_RANGE,        # each hidden layer's width (a tuple: see netshape)
    "batch_size": (2, 512),
    "speed": (1, 200),
    "seed": (0, 1_000_000),
}
MAX_URL_VALUE = 64           # characters; longer values are ignored
SLIDER_FLOATS = ("noise", "test_fraction")   # kept to 6 decimals, so that a link is exact


@dataclass(frozen=True)
class Settings:
    # data
    task: str = DEFAULT_TASK.name   # or regression: float targets, one linear output
    dataset: str = "spiral"
    samples: int = 300
    noise: float = 0.2
    classes: int = 3
    test_fraction: float = 0.2
    data_seed: int = 0
    # network
    features: tuple = shape.RAW_FEATURES     # input feature ids, in engine.FEATURES order
    widths: tuple = (shape.DEFAULT_WIDTH,)   # units per hidden layer from the input; () none
    activation: str = "relu"
    init: str = "he"
    # training
    lr: float = 1.0
    lr_auto: bool = True      # the learning rate follows the optimizer, batch mode and depth
    batch_mode: str = "full batch"
    batch_size: int = 32
    optimizer: str = "sgd"
    l2: float = 1e-3
    l1: float = 0.0
    speed: int = 1            # updates per frame: the spiral separates in ~10 s of Play
    seed: int = 0

    # -- what a change means ---------------------------------------------------------------
    def network_key(self):
        """Changing any of these starts a new run on the same data."""
        return (self.features, self.widths, self.activation, self.init, self.seed)

    @property
    def layers(self):
        """The number of hidden layers."""
        return len(self.widths)

    @property
    def hidden(self):
        return list(self.widths)

    @property
    def model_features(self):
        """The MLP's ``features``: None for the raw x₁, x₂."""
        return shape.model_features(self.features)

    @property
    def trainer_batch_size(self):
        """The Trainer's batch_size: None (full batch), B, or 1 (SGD); the inverse of
        :func:`batch_mode_of`."""
        return {"full batch": None, "mini-batch": self.batch_size, "SGD": 1}[self.batch_mode]

    def with_changes(self, **changes):
        """A copy with ``changes``; ``layers`` and ``units`` (the old links' form, still
        handy in scripts) reshape ``widths``: see :func:`netshape.uniform_widths`."""
        if "layers" in changes or "units" in changes:
            changes["widths"] = shape.uniform_widths(
                self.widths, changes.pop("layers", None), changes.pop("units", None))
        return replace(self, **changes)

    def to_dict(self):
        return asdict(self)

    def describe(self):
        """A short human label, e.g. "SGD, lr 0.1, mini-batch 32"."""
        batch = {"full batch": "full batch", "mini-batch": f"mini-batch {self.batch_size}",
                 "SGD": "SGD (batch 1)"}[self.batch_mode]
        return f"{self.optimizer}, lr {self.lr:g}, {batch}"


DEFAULTS = Settings()
# Links name their version (``v``): the defaults changed in version 2 (1 update per frame,
# an automatic learning rate, the datasets' own classes and noise), and a link written
# before says nothing of what it left at the old defaults.
VERSION_KEY, URL_VERSION = "v", "2"
V1_DEFAULTS = Settings(speed=20, lr=1.0, lr_auto=False)

# What the generated datasets start with where the general default does not suit them.
DATASET_DEFAULTS = {
    "checkerboard": {"classes": 2},       # two colours: the classic board
    "circles": {"noise": 0.1},            # rings 0.5 apart stay visibly apart
    # regression: no L2 (as TF Playground). Its ½λΣW² of the default network (~0.1) is
    # larger than the loss of predicting the targets' mean (½·Var(y) ≈ 0.08 on plane)
    "plane": {"l2": 0.0},
    "gaussians": {"l2": 0.0},
}


DATASET_FOLLOWS = ("classes", "noise", "l2")   # the fields DATASET_DEFAULTS may set


def defaults_for(dataset):
    """The default settings with ``dataset`` and its own defaults (classes, noise)."""
    return DEFAULTS.with_changes(dataset=dataset, **DATASET_DEFAULTS.get(dataset, {}))


def auto_lr(settings):
    """The automatic learning rate for these settings' task, optimizer, batch mode and depth
    (the task's table: :attr:`~playground.engine.tasks.Task.auto_lr`)."""
    return task(settings.task).learning_rate(settings.optimizer, settings.batch_mode,
                                             settings.layers)


# URL keys: short, stable names (they are part of shared links).
URL_KEYS = {
    "task": "task", "dataset": "data", "samples": "n", "noise": "noise", "classes": "k",
    "test_fraction": "test", "data_seed": "dseed", "features": "features",
    "widths": "hidden",
    "activation": "act", "init": "init", "lr": "lr", "batch_mode": "batch",
    "batch_size": "bs", "optimizer": "opt", "l2": "l2", "l1": "l1", "speed": "speed",
    "seed": "seed",
}
_FIELD_BY_URL = {v: k for k, v in URL_KEYS.items()}
# Links written before per-layer widths: ``layers=3&units=8`` is 8, 8, 8.
OLD_WIDTH_KEYS = ("layers", "units")
_CHOICES = {"task": tuple(TASKS), "dataset": _ALL_SOURCES, "activation": tuple(ACTIVATIONS),
            "init": INITS, "batch_mode": BATCH_MODES, "optimizer": OPTIMIZERS}
_TYPES = {f.name: f.type for f in fields(Settings)}


AUTO = "auto"                # the URL's value of an automatic learning rate (``lr=auto``)


def link_base(settings, base=None):
    """What a link leaves out: ``base`` (e.g. an open lesson's settings, which its reader
    starts from), or else the defaults of the settings' dataset."""
    if base is not None:
        return base
    return defaults_for(settings.dataset).with_changes(dataset=DEFAULTS.dataset)


def to_query(settings, base=None):
    """The settings as URL query parameters (strings), omitting the values its reader gets
    anyway (:func:`link_base`), so that links stay short: ``from_query(to_query(s, base),
    base)`` gives ``s`` back. An automatic learning rate is written ``lr=auto`` where the
    base has a fixed one, and left out where the base is automatic too."""
    out = {}
    ref = link_base(settings, base)
    for name, key in URL_KEYS.items():
        value = getattr(settings, name)
        if name == "lr":
            if settings.lr_auto != ref.lr_auto or not (settings.lr_auto or value == ref.lr):
                out[key] = AUTO if settings.lr_auto else _number_text(value)
            continue
        if value != getattr(ref, name):
            out[key] = (shape.widths_query(value) if name == "widths" else
                        shape.features_query(value) if name == "features" else
                        _number_text(value) if isinstance(value, float) else str(value))
    if out:
        out[VERSION_KEY] = URL_VERSION
    return out


def _number_text(value):
    """The shortest text that reads back as exactly ``value`` ("0.3", "1e-05")."""
    text = f"{value:g}"
    return text if float(text) == value else repr(value)


def from_query(params, base=None):
    """Parse URL query parameters into ``(settings, warnings)``; never raises.

    ``params`` maps a key to a string or to a list of strings (a repeated key: the last
    one counts, with a warning). Unnamed fields take the defaults: the dataset's own, or for
    a link written before ``v`` (:data:`URL_VERSION`) those of the day (:data:`V1_DEFAULTS`),
    so that an old link opens what it did; ``base`` (e.g. a lesson's settings) replaces them.
    """
    warnings = []
    values = {}
    params = dict(params)
    version = params.pop(VERSION_KEY, None)
    version = version[-1] if isinstance(version, (list, tuple)) and version else version
    if version is not None and str(version) != URL_VERSION:
        warnings.append(f"URL version '{_shorten(version)}' is not known; the link was read "
                        f"as version {URL_VERSION}.")
    # (a link naming the task was written after version 1, which had none)
    old_link = version is None and bool(params) and base is None and "task" not in params
    old_widths = {}
    for key, raw in params.items():
        shown = _shorten(key)
        if isinstance(raw, (list, tuple)):
            if not raw:
                continue
            if len(raw) > 1:
                warnings.append(f"URL parameter '{shown}' was given {len(raw)} times; "
                                f"the last value was used.")
            raw = raw[-1]
        name = _FIELD_BY_URL.get(key, key if key in OLD_WIDTH_KEYS else None)
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
            (old_widths if name in OLD_WIDTH_KEYS else values)[name] = value
    if "task" in values and "dataset" not in values and base is None:
        # another task's default dataset (and, below, that dataset's defaults)
        values["dataset"] = task(values["task"]).dataset_for(DEFAULTS.dataset)
    if base is None:
        base = (V1_DEFAULTS if old_link else
                defaults_for(values["dataset"]) if "dataset" in values else DEFAULTS)
    if old_widths and "widths" in values:
        warnings.append(f"URL parameters {', '.join(map(repr, old_widths))} were ignored: "
                        f"'{URL_KEYS['widths']}' gives the hidden layers' widths.")
    elif old_widths:
        layers = old_widths.get("layers")
        if layers is not None:
            layers, more = shape.clamp_layers(layers)
            warnings += more
        values["widths"] = shape.uniform_widths(base.widths, layers, old_widths.get("units"))
    lr = values.pop("lr", None)
    if lr == AUTO:
        values["lr_auto"] = True
    elif lr is not None:
        values.update(lr=lr, lr_auto=False)
    settings = replace(base, **values)
    settings, more = clamp(settings)
    return settings, warnings + more


def _shorten(text, limit=40):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _parse(name, key, raw):
    """(value, warning) for one URL value; value None means 'ignored'."""
    shown = _shorten(raw)
    if name == "widths":
        return shape.parse_widths(key, raw)
    if name == "features":
        return shape.parse_features(key, raw)
    if name == "lr" and raw.lower() == AUTO:
        return AUTO, None
    if name in _CHOICES:
        choices = _CHOICES[name]
        match = {c.lower(): c for c in choices}.get(raw.lower())
        if match is None:
            return None, (f"URL parameter '{key}={shown}' is not one of "
                          f"{', '.join(choices)}; the default was used.")
        return match, None
    kind = _TYPES.get(name, "int")             # an old link's layers and units are ints
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
    widths, more = shape.clamp_widths(settings.widths, DEFAULTS.widths)
    if more or widths != settings.widths:                # e.g. a run file's JSON list
        changes["widths"] = widths
        warnings += more
    features, more = shape.clamp_features(settings.features)
    if more or features != settings.features:
        changes["features"] = features
        warnings += more
    for name, kind in _TYPES.items():
        if name in _CHOICES or name in ("widths", "features") or kind in ("bool", bool):
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
        if name not in _TYPES:                           # layers, units: see netshape
            continue
        value = getattr(settings, name)
        if not lo <= value <= hi:
            new = min(max(value, lo), hi)
            changes[name] = new
            warnings.append(f"{name.replace('_', ' ').capitalize()} {value:g} is outside "
                            f"{lo:g}–{hi:g}; using {new:g}.")
    if not isinstance(settings.lr_auto, bool):
        changes["lr_auto"] = bool(settings.lr_auto)
    for name in SLIDER_FLOATS:          # 0.1 + 0.05 from a slider is 0.15000000000000002
        value = changes.get(name, getattr(settings, name))
        if round(value, 6) != value:
            changes[name] = round(value, 6)
    lr = settings.lr
    nearest = min(LEARNING_RATES, key=lambda c: abs(math.log10(max(lr, 1e-12)) - math.log10(c)))
    if not math.isclose(lr, nearest, rel_tol=1e-9):
        changes["lr"] = nearest
        warnings.append(f"Learning rate {lr:g} is not one of the choices; using {nearest:g}.")
    for name, choices in (("l2", L2_CHOICES), ("l1", L1_CHOICES)):
        value = getattr(settings, name)
        nearest = min(choices, key=lambda c: abs(c - value))
        if value not in choices:
            changes[name] = nearest
            warnings.append(f"{name.upper()} {value:g} is not one of the choices; using "
                            f"{nearest:g}.")
    changes.update(_task_dataset(settings, warnings))
    if settings.dataset in CLASS_RANGE:
        lo, hi = CLASS_RANGE[settings.dataset]
        if not lo <= settings.classes <= hi:
            new = min(max(settings.classes, lo), hi)
            changes["classes"] = new
            if settings.classes != DEFAULTS.classes:     # the default 3 is silently adapted
                warnings.append(f"The {settings.dataset} dataset allows {lo}–{hi} classes; "
                                f"using {new}.")
    settings = replace(settings, **changes)
    if settings.lr_auto and settings.lr != auto_lr(settings):
        settings = replace(settings, lr=auto_lr(settings))
    return settings, warnings


def follow(applied, chosen):
    """The settings a visitor asks for with the controls: ``chosen`` maps fields to what the
    controls show (a field left out keeps its applied value), read against ``applied``, the
    settings the page trains with. Returned clamped (see :func:`clamp`).

    What a change of one control brings, decided here from the values alone (never from
    which callback fired, so that a change reaches the model whichever way its run came):

    * a new problem type brings a dataset of that type and the automatic learning rate;
    * a new dataset brings its own classes, noise and L2 (:data:`DATASET_DEFAULTS`) where
      the visitor had left the last dataset's;
    * a learning rate other than the applied one takes over from Auto; Auto switched on
      brings the rule's rate back;
    * no input feature at all keeps the applied ones (the network needs one).
    """
    s = replace(applied, **chosen)
    if s.task != applied.task:
        s = replace(s, dataset=task(s.task).dataset_for(s.dataset), lr_auto=True)
    if s.dataset != applied.dataset:
        # as the page shows them: moons' default 3 classes is 2 there
        before, after = (clamp(defaults_for(d))[0] for d in (applied.dataset, s.dataset))
        s = replace(s, **{name: getattr(after, name) for name in DATASET_FOLLOWS
                          if getattr(s, name) == getattr(before, name)})
    if s.lr != applied.lr and not (s.lr_auto and not applied.lr_auto):
        s = replace(s, lr_auto=False)
    if not s.features:
        s = replace(s, features=applied.features)
    return clamp(s)[0]


def _task_dataset(settings, warnings):
    """A dataset the problem type offers: a regression set names its task (``data=plane``
    alone opens a regression run); a classification set or an upload under regression
    becomes "plane", with a warning unless it was the default dataset."""
    own, dataset = task(settings.task), settings.dataset
    owner = task_of_dataset(dataset)
    if owner is not None and owner is not own and own is DEFAULT_TASK:
        return {"task": owner.name}
    if owner is own or (dataset == UPLOAD and own.uploads):
        return {}
    new = own.dataset_for(dataset)
    if dataset != DEFAULTS.dataset:
        warnings.append(f"The dataset {dataset!r} is for {(owner or DEFAULT_TASK).name}; "
                        f"{own.name} uses {new}.")
    return {"dataset": new}
