"""Tests for playground.engine.csvfile: the CSV loader (the upload corpus in tests/data/uploads,
malformed and valid) and the writer (round trips)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from playground.engine.csvfile import (
    MAX_CSV_ROWS,
    MAX_UPLOAD_BYTES,
    dataset_to_csv,
    load_csv,
    sample_csv,
)
from playground.engine.datasets import DATASETS, MAX_CLASSES, DatasetError, make_dataset

UPLOADS = Path(__file__).resolve().parents[1] / "data" / "uploads"


# --------------------------------------------------------------------------- load_csv: malformed


MALFORMED = [
    ("empty.csv", ["The file is empty."]),
    ("binary_garbage.csv", ["The file is not a text CSV file (", "NUL"]),
    ("wrong_delimiter.csv", ["Line 1: expected 3 columns (x1, x2, label), found 1."]),
    ("header_only.csv", ["header row but no data rows"]),
    ("nan_value.csv", ["Line 5: x1 value 'nan' is not a finite number."]),
    ("inf_value.csv", ["Line 3: x2 value '-inf' is not a finite number."]),
    ("one_class.csv", ["only one class ('a')", "at least 2"]),
    ("eleven_classes.csv", ["11 classes", f"at most {MAX_CLASSES}"]),
    ("too_many_rows.csv", [f"more than {MAX_CSV_ROWS:,} data rows"]),
    ("mixed_types.csv", ["Line 6: x2 value 'abc' is not a number."]),
    ("ragged_rows.csv", ["Line 4: expected 3 columns (x1, x2, label), found 4."]),
    ("empty_label.csv", ["Line 5: the label is empty."]),
    ("huge_value.csv", ["Line 3: x1 value '1e9' is too large", "1,000,000"]),
    ("too_few_rows.csv", ["only 3 data rows", "at least 4"]),
]


@pytest.mark.parametrize("filename, fragments", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_upload_is_refused_with_a_specific_message(filename, fragments):
    with pytest.raises(DatasetError) as info:
        load_csv(UPLOADS / filename)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_every_corpus_file_is_covered():
    covered = {name for name, _ in MALFORMED} | set(VALID)
    assert covered == {path.name for path in UPLOADS.glob("*.csv")}


@pytest.mark.parametrize("make_source", [bytes, io.BytesIO], ids=["bytes", "BytesIO"])
def test_ten_megabyte_upload_is_refused_before_parsing(make_source):
    data = b"0.1,0.2,0\n" * 1_000_000
    assert len(data) == 10_000_000
    with pytest.raises(DatasetError) as info:
        load_csv(make_source(data))
    message = str(info.value)
    assert "too large" in message or "larger than" in message
    assert f"{MAX_UPLOAD_BYTES:,} bytes" in message
    if make_source is bytes:
        assert "10,000,000 bytes" in message


def test_oversized_file_on_disk_reports_its_size(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"0.1,0.2,0\n" * 200_001)
    with pytest.raises(DatasetError, match="2,000,010 bytes"):
        load_csv(path)


@pytest.mark.parametrize("data, fragment", [
    (b"", "The file is empty."),
    (b"  \n\r\n\t\n", "The file is empty."),
    (b"\xef\xbb\xbf", "The file is empty."),
    (b"x1,x2,label\n\xff\xfe,1,2\n", "The file is not a text CSV file (byte 13"),
    (b"x1,x2\n1,2\n", "Line 1: expected 3 columns (x1, x2, label), found 2."),
    (b"1,2,a\n3,4,b\n\n5,6,a\n7,8\n", "Line 5: expected 3 columns"),
    (b"1,2,a\n3,4,b\n5,inf,a\n7,8,b\n", "Line 3: x2 value 'inf' is not a finite number."),
    (b"1,2,a\n3,4,b\n-1e7,0,a\n7,8,b\n", "Line 3: x1 value '-1e7' is too large"),
    (b'1,2,a\n3,4,b\n5,6,"  "\n7,8,b\n', "Line 3: the label is empty."),
    (b"x,y,label\n1,2,a\n3,4,b\n", "only 2 data rows"),
])
def test_malformed_inline_input(data, fragment):
    with pytest.raises(DatasetError) as info:
        load_csv(data)
    assert fragment in str(info.value)


def test_missing_path_is_a_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="Could not read the file"):
        load_csv(tmp_path / "nope.csv")


def test_binary_file_opened_in_text_mode_is_a_dataset_error():
    with open(UPLOADS / "binary_garbage.csv", encoding="utf-8") as handle:
        with pytest.raises(DatasetError, match="not a text CSV file"):
            load_csv(handle)


def test_unsupported_source_type_is_a_type_error():
    with pytest.raises(TypeError):
        load_csv(42)


# --------------------------------------------------------------------------- load_csv: valid


VALID = {
    # file: (rows, class_names)
    "bom.csv": (6, ["0", "1", "2"]),
    "crlf.csv": (8, ["0", "1"]),
    "quoted.csv": (5, ["Doe, Jane", "Smith, John", 'say "hi"']),
    "string_labels.csv": (9, ["bird", "cat", "dog"]),
    "semicolon.csv": (6, ["a", "b"]),
    "whitespace.csv": (4, ["0", "1"]),
    "no_header.csv": (12, ["1", "2", "3"]),
    "markup_labels.csv": (5, ["<b>x</b>", "<script>alert(1)</script>", "[link](http://evil)"]),
}


@pytest.mark.parametrize("filename", sorted(VALID))
def test_valid_upload_loads(filename):
    n_rows, names = VALID[filename]
    X, y, class_names = load_csv(UPLOADS / filename)
    assert X.shape == (n_rows, 2) and X.dtype == np.float64
    assert y.shape == (n_rows,) and y.dtype == np.int64
    assert class_names == names
    assert set(y.tolist()) == set(range(len(names)))
    assert np.isfinite(X).all()


def test_whitespace_file_values_and_line_structure():
    X, y, _ = load_csv(UPLOADS / "whitespace.csv")
    np.testing.assert_array_equal(X, [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6], [-0.7, -0.8]])
    assert y.tolist() == [0, 1, 0, 1]


def test_quoted_and_markup_labels_are_kept_verbatim():
    _, y, names = load_csv(UPLOADS / "quoted.csv")
    assert [names[i] for i in y] == ["Smith, John", "Doe, Jane", "Smith, John", "Doe, Jane",
                                     'say "hi"']
    _, y, names = load_csv(UPLOADS / "markup_labels.csv")
    assert names[y[1]] == "[link](http://evil)"


def test_bom_does_not_leak_into_the_header():
    raw = (UPLOADS / "bom.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    X, _, _ = load_csv(raw)
    assert X.shape == (6, 2)        # a BOM-prefixed header must still be recognised as a header


def test_integer_labels_sort_numerically():
    _, y, names = load_csv(b"0,0,10\n1,1,9\n2,2,-1\n3,3,10\n")
    assert names == ["-1", "9", "10"]
    assert y.tolist() == [2, 1, 0, 2]


def test_tab_delimiter_and_decimal_commas():
    X, y, names = load_csv(b"x1\tx2\tlabel\n1.5\t2\ta\n3\t4\tb\n5\t6\ta\n7\t8\tb\n")
    assert X[0].tolist() == [1.5, 2.0] and names == ["a", "b"]
    X, _, _ = load_csv(b"x1;x2;label\n0,5;-1,25;a\n1;2;b\n3;4;a\n5;6;b\n")
    assert X[0].tolist() == [0.5, -1.25]


def test_long_class_names_are_capped_at_40_characters():
    long_name = "n" * 100
    _, _, names = load_csv(f"0,0,{long_name}\n1,1,b\n2,2,b\n3,3,b\n".encode())
    assert names == ["b", "n" * 40]


def test_loader_does_not_rescale_coordinates():
    X, _, _ = load_csv(b"-1000,0,a\n999999,1,b\n2,2,a\n3,3,b\n")
    assert X[:, 0].tolist() == [-1000.0, 999999.0, 2.0, 3.0]


def test_load_csv_accepts_path_str_bytes_and_streams(tmp_path):
    text = sample_csv()
    path = tmp_path / "sample.csv"
    path.write_text(text, encoding="utf-8")
    expected = load_csv(text.encode())
    sources = [path, str(path), text.encode(), bytearray(text.encode()), io.BytesIO(text.encode()),
               io.StringIO(text), text]
    for source in sources:
        X, y, names = load_csv(source)
        np.testing.assert_array_equal(X, expected[0])
        np.testing.assert_array_equal(y, expected[1])
        assert names == expected[2]


def test_stream_is_read_from_the_start():
    stream = io.BytesIO(sample_csv().encode())
    load_csv(stream)
    X, _, _ = load_csv(stream)      # a Streamlit rerun reads the same UploadedFile again
    assert X.shape == (60, 2)


# --------------------------------------------------------------------------- writing + round trip


def test_sample_csv_is_valid_and_deterministic():
    X, y, names = load_csv(sample_csv())
    assert X.shape == (60, 2)
    assert names == ["blue", "green", "red"]
    assert np.bincount(y).tolist() == [20, 20, 20]
    assert sample_csv().startswith("x1,x2,label\n")


@pytest.mark.parametrize("name", DATASETS)
def test_generated_datasets_round_trip_through_csv(name):
    X, y = make_dataset(name, n_samples=200, noise=0.3, n_classes=4, seed=11)
    X2, y2, names = load_csv(dataset_to_csv(X, y))
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert names == [str(k) for k in range(y.max() + 1)]


def test_class_names_with_commas_and_quotes_round_trip():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    y = np.array([0, 1, 2, 0])
    names = ['a, "quoted"', "b; semi", "c <i>"]           # already in sorted order
    text = dataset_to_csv(X, y, class_names=names)
    assert '"a, ""quoted"""' in text
    X2, y2, names2 = load_csv(text)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert names2 == names


def test_dataset_to_csv_rejects_bad_input():
    with pytest.raises(DatasetError, match="shapes"):
        dataset_to_csv(np.zeros((4, 3)), np.zeros(4, dtype=int))
    with pytest.raises(DatasetError, match="NaN"):
        dataset_to_csv(np.full((4, 2), np.nan), np.zeros(4, dtype=int))


@st.composite
def labelled_points(draw):
    k = draw(st.integers(2, MAX_CLASSES))
    n = draw(st.integers(max(4, k), 60))
    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    X = draw(hnp.arrays(np.float64, (n, 2), elements=finite))
    extra = draw(hnp.arrays(np.int64, n - k, elements=st.integers(0, k - 1)))
    order = draw(st.permutations(range(n)))
    y = np.concatenate([np.arange(k), extra])[list(order)]   # every class 0..k-1 present
    return X, y


@settings(max_examples=50, deadline=None)
@given(labelled_points())
def test_random_arrays_round_trip_through_csv(data):
    X, y = data
    X2, y2, _ = load_csv(dataset_to_csv(X, y))
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
