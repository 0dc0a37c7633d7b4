"""The network's shape among the settings: its input features and a width per hidden layer,
in the URL and checked.

These settings are tuples (``features``: ids from :data:`~playground.engine.features.FEATURES`;
``widths``: units per hidden layer, input side first), so their URL form is a comma-separated
list (``features=x1,x2,x1sq``; ``hidden=8,8,4``, ``hidden=0`` for no hidden layer) and they
need checks of their own beside the numbers and choices of :mod:`playground.state.settings`.
Like the rest of the URL parsing, nothing here raises: a bad value gives a warning.
"""

from __future__ import annotations

import math

from ..engine.features import FEATURE_LABELS, FEATURES

MAX_LAYERS = 4               # hidden layers (0 is a linear model on the inputs)
WIDTH_RANGE = (1, 256)       # units in one hidden layer
DEFAULT_WIDTH = 100
NO_HIDDEN = "0"              # the URL's word for "no hidden layer"
RAW_FEATURES = ("x1", "x2")  # the network reads the point itself (the engine's None)


def widths_query(widths):
    """``(8, 8, 4)`` → "8,8,4"; ``()`` → "0"."""
    return ",".join(map(str, widths)) if widths else NO_HIDDEN


def widths_text(widths, sep=", "):
    """"8, 8, 4", or "none" for a network without a hidden layer."""
    return sep.join(map(str, widths)) if widths else "none"


def parse_widths(key, raw):
    """``(widths, warning)`` for a URL value such as "8,8,4"; widths None means ignored.
    Ranges are :func:`clamp_widths`' job; here only the form is checked."""
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    if raw.lower() in ("", NO_HIDDEN, "none"):
        return (), None
    widths, rounded = [], False
    for part in raw.split(","):
        try:
            number = float(part.strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return None, (f"URL parameter '{key}={shown}' is not a list of layer widths "
                          f"(e.g. {key}=8,8,4); the default was used.")
        rounded |= number != int(number)
        widths.append(int(round(number)))
    warning = f"URL parameter '{key}={shown}' was rounded." if rounded else None
    return tuple(widths), warning


def uniform_widths(base_widths, layers=None, units=None):
    """``layers`` hidden layers of ``units`` each, as links before per-layer widths said it
    (``layers=3&units=8``); what is not given comes from ``base_widths`` (their depth, their
    first width, or the default width)."""
    layers = len(base_widths) if layers is None else int(layers)
    if units is None:
        units = base_widths[0] if base_widths else DEFAULT_WIDTH
    return (int(units),) * layers


def clamp_layers(layers):
    """An old link's ``layers`` brought into range before a tuple is made of it (a tampered
    ``layers=1e9`` must not build a billion widths); ``(layers, warnings)``."""
    if 0 <= layers <= MAX_LAYERS:
        return layers, []
    new = min(max(layers, 0), MAX_LAYERS)
    return new, [f"Layers {layers:g} is outside 0–{MAX_LAYERS}; using {new}."]


def clamp_widths(widths, default):
    """``(widths, warnings)``: a tuple of at most :data:`MAX_LAYERS` ints in
    :data:`WIDTH_RANGE`. Widths can come from a URL or a run file, so nothing is assumed:
    anything that is not a sequence of finite numbers gives ``default``."""
    lo, hi = WIDTH_RANGE
    try:
        numbers = [float(w) for w in widths]
    except (TypeError, ValueError):
        numbers = [math.nan]
    if isinstance(widths, (str, bytes)) or not all(math.isfinite(w) for w in numbers):
        return tuple(default), [f"Hidden layer widths {str(widths)[:40]!r} are not numbers; "
                                f"using {widths_text(default)}."]
    warnings = []
    if len(numbers) > MAX_LAYERS:
        warnings.append(f"Hidden layers {len(numbers)} is outside 0–{MAX_LAYERS}; using the "
                        f"first {MAX_LAYERS}.")
        numbers = numbers[:MAX_LAYERS]
    out = []
    for number in numbers:
        width = int(round(number))
        if not lo <= width <= hi:
            new = min(max(width, lo), hi)
            warnings.append(f"Units {number:g} in a hidden layer is outside {lo}–{hi}; "
                            f"using {new}.")
            width = new
        out.append(width)
    return tuple(out), list(dict.fromkeys(warnings))       # one warning per bad value


# -- input features ------------------------------------------------------------------------
def features_query(features):
    """``("x1", "x1sq")`` → "x1,x1sq"."""
    return ",".join(features)


def features_text(features):
    """"x₁, x₂, x₁²": the features' labels."""
    return ", ".join(FEATURE_LABELS.get(f, str(f)) for f in features)


def model_features(features):
    """What the engine's MLP takes: None for the raw x₁, x₂ (so that such a network and its
    run files are exactly those of before features), otherwise the ids."""
    return None if tuple(features) == RAW_FEATURES else tuple(features)


def parse_features(key, raw):
    """``(features, warning)`` for a URL value such as "x1,x2,x1sq" (any case, any order);
    features None means ignored. Unknown names are left out with a warning."""
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    known = [f for f in FEATURES if f in names]
    if not known:
        return None, (f"URL parameter '{key}={shown}' names no input feature (choose from "
                      f"{', '.join(FEATURES)}); using {features_text(RAW_FEATURES)}.")
    unknown = [n for n in dict.fromkeys(names) if n not in FEATURES]
    warning = None
    if unknown:
        warning = (f"URL parameter '{key}={shown}': {', '.join(map(repr, unknown))[:60]} "
                   f"{'is' if len(unknown) == 1 else 'are'} not an input feature (choose "
                   f"from {', '.join(FEATURES)}); left out.")
    return tuple(known), warning


def clamp_features(features):
    """``(features, warnings)``: distinct known ids in :data:`FEATURES`' order, at least one.
    Features can come from a URL or a run file, so nothing is assumed."""
    try:
        names = [] if isinstance(features, (str, bytes)) else list(features)
    except TypeError:
        names = []
    known = tuple(f for f in FEATURES if f in names)
    if not known:
        return RAW_FEATURES, [f"Input features {str(features)[:40]!r} name no known feature; "
                              f"using {features_text(RAW_FEATURES)}."]
    unknown = [str(n)[:20] for n in names if n not in FEATURES]
    if unknown:
        return known, [f"Input features {', '.join(map(repr, unknown))[:60]} are not known; "
                       f"using {features_text(known)}."]
    return known, []
