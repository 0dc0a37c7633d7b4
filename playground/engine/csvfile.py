"""Data sets as CSV files: reading a user's upload (:func:`load_csv`) and writing one for
download (:func:`dataset_to_csv`, :func:`sample_csv`).

CSV format (``load_csv`` / ``dataset_to_csv``) — three columns ``x1, x2, label``, one point per
line, with an optional header row (taken as a header when neither of its first two fields is a
number). Labels may be integers or any text; they become classes 0..K-1 in sorted order (numeric
order when every label is an integer). Accepted variations: UTF-8 with or without BOM, CRLF or
LF line endings, quoted fields, spaces around fields, blank lines, and a comma, semicolon or tab
delimiter. Anything else is refused with a :class:`DatasetError` that says what is wrong and on
which line, because the file comes from a user who has to be able to fix it.

Pure NumPy and the standard library: this module knows nothing about the UI.
"""

import csv
import functools
import io
import math
import os

import numpy as np

from .datasets import MAX_CLASSES, MIN_ROWS, DatasetError, make_dataset

MAX_CSV_ROWS = 20_000       # rows accepted from an uploaded CSV
MAX_UPLOAD_BYTES = 2_000_000
MAX_ABS_VALUE = 1e6         # larger coordinates would wreck the numerics of an unscaled net
MAX_NAME_CHARS = 40         # class names longer than this are cut in ``class_names``

_COLUMNS = "x1, x2, label"


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
        if len(labels) > MAX_CSV_ROWS:
            raise DatasetError(f"The file has more than {MAX_CSV_ROWS:,} data rows; "
                               f"the limit is {MAX_CSV_ROWS:,}.")
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
