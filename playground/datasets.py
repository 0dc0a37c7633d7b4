"""Toy 2-D classification datasets, a stratified split, and a forgiving-but-strict CSV loader.

Generated datasets (``make_dataset``) — every one returns ``X`` float64 of shape (n, 2), scaled
to about [-1, 1]², and ``y`` int64 labels 0..K-1 with class sizes differing by at most one.
Rows are shuffled so a split or a mini-batch is never ordered by class.

* ``spiral``       K arms winding out from the centre (the CS231n example); ``noise`` is the
                   standard deviation, in radians, of the jitter on each point's angle
                   (0.2 gives the CS231n picture). 2-6 classes.
* ``moons``        two interleaving half circles (as sklearn's ``make_moons``); ``noise`` is
                   Gaussian jitter in the original units (circle radius 1). 2 classes.
* ``circles``      a ring of radius 1 around a ring of radius 0.5; Gaussian jitter ``noise``.
                   2 classes.
* ``xor``          uniform points in the four quadrants, kept 0.06 away from the axes (as in the
                   TensorFlow playground); class 1 where x·y ≥ 0. Labels are fixed first, then
                   each point is jittered by Gaussian noise of std ``0.5 * noise``. 2 classes.
* ``blobs``        K Gaussian clusters centred evenly on a circle of radius 0.6, each with std
                   ``0.1 + 0.5 * noise``. 2-6 classes.
* ``checkerboard`` uniform points on a 4×4 board over [-1, 1]²; cell (i, j) has class
                   (i + j) mod K, then positions are jittered by std ``0.5 * noise``. 2-4 classes.

CSV format (``load_csv`` / ``dataset_to_csv``) — three columns ``x1, x2, label``, one point per
line, with an optional header row (taken as a header when neither of its first two fields is a
number). Labels may be integers or any text; they become classes 0..K-1 in sorted order (numeric
order when every label is an integer). Accepted variations: UTF-8 with or without BOM, CRLF or
LF line endings, quoted fields, spaces around fields, blank lines, and a comma, semicolon or tab
delimiter. Anything else is refused with a :class:`DatasetError` that says what is wrong and on
which line, because the file comes from a user who has to be able to fix it.

Pure NumPy and the standard library: this module knows nothing about the UI.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import operator
import os

import numpy as np

DATASETS: tuple[str, ...] = ("spiral", "moons", "circles", "xor", "blobs", "checkerboard")
CLASS_RANGE: dict[str, tuple[int, int]] = {
    "spiral": (2, 6),
    "moons": (2, 2),
    "circles": (2, 2),
    "xor": (2, 2),
    "blobs": (2, 6),
    "checkerboard": (2, 4),
}

MAX_SAMPLES = 5000          # generated points; more only slows the live page down
MAX_ROWS = 20_000           # rows accepted from an uploaded CSV
MIN_ROWS = 4
MAX_CLASSES = 10
MAX_UPLOAD_BYTES = 2_000_000
MAX_ABS_VALUE = 1e6         # larger coordinates would wreck the numerics of an unscaled net
MAX_NAME_CHARS = 40         # class names longer than this are cut in ``class_names``

_COLUMNS = "x1, x2, label"
_AXIS_GAP = 0.06            # xor: keep points off the axes, where the label flips
_BOARD_CELLS = 4            # checkerboard: cells per side


class DatasetError(ValueError):
    """A dataset could not be made or loaded; the message is meant for the end user."""


# --------------------------------------------------------------------------- generation


def classes_for(name: str, n_classes: int) -> int:
    """The class count ``name`` will actually use: ``n_classes`` clamped into its range."""
    low, high = CLASS_RANGE[_check_name(name)]
    return min(max(_as_int(n_classes, "n_classes"), low), high)


def make_dataset(name: str, n_samples: int = 300, noise: float = 0.1, n_classes: int = 3,
                 seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Generate dataset ``name`` (see the module docstring); same arguments, same data."""
    k = classes_for(name, n_classes)
    n = _as_int(n_samples, "n_samples")
    if not MIN_ROWS <= n <= MAX_SAMPLES:
        raise DatasetError(f"n_samples must be between {MIN_ROWS} and {MAX_SAMPLES}; got {n}.")
    if n < k:
        raise DatasetError(f"n_samples={n} is too few for {k} classes (one point each at least).")
    noise = _check_noise(noise)

    rng = np.random.default_rng(seed)
    counts = [n // k + (1 if j < n % k else 0) for j in range(k)]
    X, y = _GENERATORS[name](rng, counts, noise)
    order = rng.permutation(n)
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order].astype(np.int64)


def _check_name(name) -> str:
    if name not in CLASS_RANGE:
        raise DatasetError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    return name


def _as_int(value, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise DatasetError(f"{what} must be an integer; got {value!r}.") from None


def _check_noise(noise) -> float:
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise DatasetError(f"noise must be a number; got {noise!r}.") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise DatasetError(f"noise must be between 0 and 1; got {noise!r}.")
    return value


def _labels(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _spiral(rng, counts, noise):
    parts = []
    for j, count in enumerate(counts):
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, count) + rng.standard_normal(count) * noise
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    # r <= 1 and the jitter only turns points, so the spiral is already inside [-1, 1]².
    return np.concatenate(parts), _labels(counts)


def _moons(rng, counts, noise):
    outer = np.linspace(0.0, np.pi, counts[0])
    inner = np.linspace(0.0, np.pi, counts[1])
    X = np.concatenate([
        np.column_stack([np.cos(outer), np.sin(outer)]),
        np.column_stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)]),
    ])
    X += rng.standard_normal(X.shape) * noise
    # The noise-free moons span x in [-1, 2], y in [-0.5, 1]: centre them, then halve-and-a-bit.
    return (X - [0.5, 0.25]) / 1.5, _labels(counts)


def _circles(rng, counts, noise):
    parts = []
    for radius, count in zip((1.0, 0.5), counts, strict=True):
        t = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
        parts.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * noise, _labels(counts)


def _xor(rng, counts, noise):
    parts = []
    for label, count in enumerate(counts):
        # Draw each class straight from its two quadrants, so the classes stay exactly balanced.
        magnitude = rng.uniform(_AXIS_GAP, 1.0, size=(count, 2))
        sign_x = rng.choice([-1.0, 1.0], size=count)
        sign_y = sign_x if label == 1 else -sign_x      # class 1 where x·y >= 0
        parts.append(magnitude * np.column_stack([sign_x, sign_y]))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * (0.5 * noise), _labels(counts)


def _blobs(rng, counts, noise):
    k = len(counts)
    angles = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k
    centres = 0.6 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = _labels(counts)
    return centres[y] + rng.standard_normal((len(y), 2)) * (0.1 + 0.5 * noise), y


def _checkerboard(rng, counts, noise):
    k = len(counts)
    i, j = np.divmod(np.arange(_BOARD_CELLS**2), _BOARD_CELLS)
    size = 2.0 / _BOARD_CELLS
    parts = []
    for label, count in enumerate(counts):
        # All cells have the same area, so a uniformly chosen cell of this class, then a uniform
        # point in it, is uniform over the class's region.
        cells = np.flatnonzero((i + j) % k == label)
        pick = rng.choice(cells, size=count)
        corner = np.column_stack([i[pick], j[pick]]) * size - 1.0
        parts.append(corner + rng.uniform(0.0, size, size=(count, 2)))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * (0.5 * noise), _labels(counts)


_GENERATORS = {
    "spiral": _spiral,
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "blobs": _blobs,
    "checkerboard": _checkerboard,
}


# --------------------------------------------------------------------------- splitting


# -- the input plane ---------------------------------------------------------------------------
# The grid the decision map and the hidden-unit maps are drawn on.
def grid_axes(X, resolution=100, margin=0.15):
    """Grid coordinates over the data's bounding box, which is first widened to contain
    [-1, 1]² (the built-in data sets live there) and then padded by ``margin`` × its size
    on each side. Returns (xs, ys), each of length ``resolution``."""
    X = np.asarray(X, dtype=np.float64)
    lo = np.minimum(X.min(axis=0), -1.0) if len(X) else np.array([-1.0, -1.0])
    hi = np.maximum(X.max(axis=0), 1.0) if len(X) else np.array([1.0, 1.0])
    pad = margin * (hi - lo)
    lo, hi = lo - pad, hi + pad
    return (np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))


def grid_points(xs, ys):
    """All grid points as (len(ys)·len(xs), 2), row-major: point i·len(xs) + j is
    (xs[j], ys[i]), so model outputs reshape to a heatmap z of shape (len(ys), len(xs))."""
    gx, gy = np.meshgrid(np.asarray(xs), np.asarray(ys))
    return np.column_stack([gx.ravel(), gy.ravel()])


def train_test_split(X, y, test_fraction: float = 0.2, seed=0):
    """Stratified split: each class sends ``round(size * test_fraction)`` points to the test set.

    Every class keeps at least one training point. Returns new arrays
    ``(X_train, y_train, X_test, y_test)``, each set shuffled; same seed, same split.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise DatasetError(f"X must be (n, d) and y (n,); got shapes {X.shape} and {y.shape}.")
    try:
        fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise DatasetError(f"test_fraction must be a number; got {test_fraction!r}.") from None
    if not (math.isfinite(fraction) and 0.0 <= fraction <= 0.9):
        raise DatasetError(f"test_fraction must be between 0 and 0.9; got {test_fraction!r}.")

    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = min(math.floor(len(members) * fraction + 0.5), len(members) - 1)
        test.append(members[:n_test])
        train.append(members[n_test:])
    train = rng.permutation(np.concatenate(train)) if train else np.zeros(0, dtype=np.intp)
    test = rng.permutation(np.concatenate(test)) if test else np.zeros(0, dtype=np.intp)
    # Fancy indexing copies, so the caller's arrays are never shared.
    return X[train], y[train], X[test], y[test]


# --------------------------------------------------------------------------- CSV loading


def load_csv(source) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read an ``x1, x2, label`` CSV into ``(X, y, class_names)``.

    ``source`` is a path (``str`` or ``os.PathLike``), ``bytes``, or a binary or text file-like
    object (e.g. Streamlit's ``UploadedFile``; it is read from the start when seekable). A
    ``str`` containing a line break is taken as the CSV text itself, so
    ``load_csv(dataset_to_csv(X, y))`` works; any other ``str`` is a path.
    Coordinates are returned unscaled. Raises :class:`DatasetError` on any problem.
    """
    text = _decode(_read_bytes(source))
    if not text.strip():
        raise DatasetError("The file is empty.")
    delimiter = _sniff_delimiter(text)
    X, labels = _parse_rows(_data_rows(text, delimiter), delimiter)
    y, class_names = _encode_labels(labels)
    return X, y, class_names


def _read_bytes(source) -> bytes | str:
    """The raw content of ``source``; never reads much more than MAX_UPLOAD_BYTES of it."""
    if isinstance(source, str) and ("\n" in source or "\r" in source):
        data = source
    elif isinstance(source, (str, os.PathLike)):
        data = _read_path(source)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)
        try:
            data = source.read(MAX_UPLOAD_BYTES + 1)
        except UnicodeDecodeError:      # a text-mode stream decoding a binary file
            raise DatasetError("The file is not a text CSV file (it is not valid UTF-8); "
                               "save it as CSV, UTF-8.") from None
    else:
        raise TypeError(f"load_csv() needs a path, bytes or a file-like object; "
                        f"got {type(source).__name__}.")
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_UPLOAD_BYTES:
        # A stream was only read up to the cap, so its full size is known only if it says so.
        known = size if isinstance(source, (str, bytes, bytearray, memoryview)) else None
        raise _too_big(known or getattr(source, "size", None))
    return data


def _read_path(path) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_UPLOAD_BYTES:
            raise _too_big(size)
        with open(path, "rb") as handle:
            return handle.read(MAX_UPLOAD_BYTES + 1)
    except OSError as err:
        raise DatasetError(f"Could not read the file {os.fspath(path)!r}: "
                           f"{err.strerror or err}.") from None


def _too_big(size) -> DatasetError:
    limit = f"{MAX_UPLOAD_BYTES / 1e6:.1f} MB ({MAX_UPLOAD_BYTES:,} bytes)"
    if isinstance(size, int):
        return DatasetError(f"The file is too large ({size:,} bytes); the limit is {limit}.")
    return DatasetError(f"The file is larger than the limit of {limit}.")


def _decode(data: bytes | str) -> str:
    """Text without a BOM; NUL characters or invalid UTF-8 mean a binary (or non-UTF-8) file."""
    # NUL first: it is the surest sign of a binary file (a spreadsheet, an image, ...).
    if (b"\x00" if isinstance(data, bytes) else "\x00") in data:
        raise DatasetError("The file is not a text CSV file (it contains NUL bytes); "
                           "save it as CSV, UTF-8.")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DatasetError(f"The file is not a text CSV file (byte {err.start + 1} is not "
                           f"valid UTF-8); save it as CSV, UTF-8.") from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line into exactly 3 fields.

    Semicolon and tab are tried before comma, because files that use them often write decimal
    commas (``0,5;-1,25;a``). When nothing gives 3 fields, a comma unless the line has none.
    """
    first = next(line for line in text.splitlines() if line.strip())
    for delimiter in (";", "\t", ","):
        if len(next(csv.reader([first], delimiter=delimiter))) == 3:
            return delimiter
    if "," not in first:
        for delimiter in (";", "\t"):
            if delimiter in first:
                return delimiter
    return ","


def _data_rows(text: str, delimiter: str):
    """Yield ``(line_number, [x1, x2, label])`` per data row, fields stripped, header skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    first = True
    try:
        for fields in reader:
            fields = [field.strip() for field in fields]
            if not any(fields):         # blank line (or an all-empty row, as Excel exports)
                continue
            line = reader.line_num
            if len(fields) != 3:
                hint = " Is the delimiter a comma, semicolon or tab?" if len(fields) == 1 else ""
                raise DatasetError(f"Line {line}: expected 3 columns ({_COLUMNS}), "
                                   f"found {len(fields)}.{hint}")
            if first:
                first = False
                if _parse_float(fields[0], delimiter) is None and \
                        _parse_float(fields[1], delimiter) is None:
                    continue            # a header row: neither coordinate is a number
            yield line, fields
    except csv.Error as err:
        raise DatasetError(f"Line {reader.line_num}: {err}.") from None


def _parse_float(field: str, delimiter: str) -> float | None:
    # With a semicolon or tab delimiter the file likely came from a locale that writes 0,5.
    if delimiter != "," and field.count(",") == 1 and "." not in field:
        field = field.replace(",", ".")
    try:
        return float(field)
    except ValueError:
        return None


def _parse_rows(rows, delimiter: str):
    """Coordinates as an (n, 2) array and the raw label strings, every field checked."""
    coords, labels = [], []
    for line, (x1, x2, label) in rows:
        coords.append([_coordinate(line, name, field, delimiter)
                       for name, field in (("x1", x1), ("x2", x2))])
        if not label:
            raise DatasetError(f"Line {line}: the label is empty.")
        labels.append(label)
        if len(labels) > MAX_ROWS:
            raise DatasetError(f"The file has more than {MAX_ROWS:,} data rows; "
                               f"the limit is {MAX_ROWS:,}.")
    if not labels:
        raise DatasetError("The file has a header row but no data rows.")
    if len(labels) < MIN_ROWS:
        raise DatasetError(f"The file has only {len(labels)} data rows; "
                           f"at least {MIN_ROWS} are needed.")
    return np.array(coords, dtype=np.float64), labels


def _coordinate(line: int, name: str, field: str, delimiter: str) -> float:
    shown = field if len(field) <= 30 else field[:27] + "..."
    value = _parse_float(field, delimiter)
    if value is None:
        raise DatasetError(f"Line {line}: {name} value {shown!r} is not a number.")
    if not math.isfinite(value):
        raise DatasetError(f"Line {line}: {name} value {shown!r} is not a finite number.")
    if abs(value) > MAX_ABS_VALUE:
        raise DatasetError(f"Line {line}: {name} value {shown!r} is too large "
                           f"(coordinates must be within ±{MAX_ABS_VALUE:,.0f}).")
    return value


def _encode_labels(labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Map labels to 0..K-1 in sorted order (numeric when every label is an integer)."""
    try:
        keys = [int(label) for label in labels]
    except ValueError:
        keys = labels
    classes = sorted(set(keys))
    if len(classes) < 2:
        raise DatasetError(f"The file has only one class ({str(classes[0])!r}); "
                           f"at least 2 are needed.")
    if len(classes) > MAX_CLASSES:
        raise DatasetError(f"The file has {len(classes)} classes; "
                           f"at most {MAX_CLASSES} are supported.")
    index = {key: i for i, key in enumerate(classes)}
    y = np.array([index[key] for key in keys], dtype=np.int64)
    return y, [str(key)[:MAX_NAME_CHARS] for key in classes]


# --------------------------------------------------------------------------- CSV writing


def dataset_to_csv(X, y, class_names=None) -> str:
    """CSV text with a ``x1,x2,label`` header that :func:`load_csv` reads back exactly.

    Coordinates are written with ``repr`` (shortest exact form); labels are written as
    ``class_names[y]`` when names are given. Note that ``load_csv`` numbers classes in sorted
    order, so named classes come back in the sorted order of their names.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise DatasetError(f"X must be (n, 2) and y (n,); got shapes {X.shape} and {y.shape}.")
    if not np.isfinite(X).all():
        raise DatasetError("X contains NaN or infinite values, which a CSV upload would refuse.")
    if class_names is not None:
        names = [str(name) for name in class_names]
        labels = [names[int(label)] for label in y]
    else:
        labels = [int(label) for label in y]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x1", "x2", "label"])
    for (x1, x2), label in zip(X.tolist(), labels, strict=True):
        writer.writerow([repr(x1), repr(x2), label])
    return out.getvalue()


@functools.cache
def sample_csv() -> str:
    """A small valid example upload: 60 points of 3-class blobs labelled red, green and blue."""
    X, y = make_dataset("blobs", n_samples=60, noise=0.1, n_classes=3, seed=7)
    return dataset_to_csv(np.round(X, 3), y, class_names=["red", "green", "blue"])
