"""Tests for playground.engine.history: bounded series that halve their resolution when full.

The oracles are rows worked out by hand in each test (step, then the values), or, for long
runs, the window a row must summarise: with value = step, a "mean" row recorded at step s
whose previous row is at step p averages p+1..s, i.e. it holds (p + 1 + s) / 2.
"""

import numpy as np
import pytest

from playground.engine.history import History, Series


def rows(series):
    """The series' rows as (step, values...) tuples."""
    return list(zip(*series.as_dict().values(), strict=True))


def fed(n, capacity=4, merge="mean", start=1):
    """A one-column series fed value = step for steps start..start+n-1, via add_value."""
    s = Series(["v"], capacity=capacity, merge=merge)
    for step in range(start, start + n):
        s.add_value(step, float(step))
    return s


# --------------------------------------------------------------------------- recording


def test_rows_before_the_buffer_is_full_are_the_observations():
    s = Series(["loss", "acc"], capacity=4)
    s.add(0, [2.0, 0.1])
    s.add(10, (1.5, 0.4))
    assert len(s) == 2 and s.stride == 1
    assert rows(s) == [(0, 2.0, 0.1), (10, 1.5, 0.4)]


def test_add_of_a_number_is_add_value():
    a, b = Series(["v"], capacity=4), Series(["v"], capacity=4)
    for step in range(1, 12):
        a.add(step, float(step) ** 2)
        b.add_value(step, float(step) ** 2)
    assert a.state().keys() == b.state().keys()
    for key, value in a.state().items():
        np.testing.assert_array_equal(value, b.state()[key])


def test_mean_windows_by_hand():
    """capacity 4, values 1..12:
    1-4 fill the buffer; 5 finds it full: (1,2),(3,4) merge to rows (2, 1.5), (4, 3.5) and the
    stride becomes 2, so 5 waits; 5+6 → (6, 5.5); 7+8 → (8, 7.5); 9 waits; 10 finds it full
    again: rows (4, 2.5), (8, 6.5), stride 4; 9..12 → (12, 10.5)."""
    s = fed(4)
    assert rows(s) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    s.add_value(5, 5.0)
    assert rows(s) == [(2, 1.5), (4, 3.5)] and s.stride == 2
    s.add_value(6, 6.0)
    assert rows(s) == [(2, 1.5), (4, 3.5), (6, 5.5)]
    for step in (7, 8, 9, 10):
        s.add_value(step, float(step))
    assert rows(s) == [(4, 2.5), (8, 6.5)] and s.stride == 4
    s.add_value(11, 11.0)
    assert len(s) == 2                                    # 9, 10, 11 still pending
    s.add_value(12, 12.0)
    assert rows(s) == [(4, 2.5), (8, 6.5), (12, 10.5)]    # the means of 1-4, 5-8, 9-12


def test_last_windows_by_hand():
    """merge="last": a row keeps the window's last observation, and compaction keeps the
    later row of each pair."""
    s = Series(["v"], capacity=4, merge="last")
    for step in range(1, 13):
        s.add(step, [10.0 * step])
    assert rows(s) == [(4, 40), (8, 80), (12, 120)] and s.stride == 4


def test_several_columns_are_merged_column_by_column():
    s = Series(["a", "b"], capacity=2)
    s.add(1, [1.0, 10.0])
    s.add(2, [3.0, 30.0])
    s.add(3, [5.0, 50.0])          # full: (1, 10), (3, 30) → (2, 2, 20); stride 2; 3 waits
    s.add(4, [7.0, 70.0])          # window 3+4 → (4, 6, 60)
    assert rows(s) == [(2, 2.0, 20.0), (4, 6.0, 60.0)]


# --------------------------------------------------------------------------- bounded memory


@pytest.mark.parametrize("merge", ["mean", "last"])
def test_long_runs_stay_bounded_and_span_the_whole_run(merge):
    capacity, n = 8, 10_000
    s = Series(["v"], capacity=capacity, merge=merge)
    nbytes = s.nbytes
    for step in range(1, n + 1):
        s.add_value(step, float(step))
        assert len(s) <= capacity
    assert s.nbytes == nbytes == capacity * 2 * 8          # (step, v) float64 rows
    assert s.stride & (s.stride - 1) == 0                  # a power of two
    assert capacity // 2 <= len(s) <= capacity
    steps, values = s.column("step"), s.column("v")
    assert np.all(np.diff(steps) > 0)
    assert steps[-1] > n - s.stride and steps[0] <= s.stride
    previous = np.r_[0.0, steps[:-1]]
    expected = (previous + 1 + steps) / 2 if merge == "mean" else steps
    np.testing.assert_array_equal(values, expected)


def test_each_compaction_halves_the_rows_and_doubles_the_stride():
    s = fed(8, capacity=8)
    assert len(s) == 8 and s.stride == 1
    s.add_value(9, 9.0)
    assert len(s) == 4 and s.stride == 2
    assert list(s.column("step")) == [2, 4, 6, 8]


# --------------------------------------------------------------------------- reading


def test_column_and_as_dict_are_copies_in_name_order():
    s = Series(["loss", "acc"], capacity=4)
    s.add(1, [0.5, 0.9])
    d = s.as_dict()
    assert list(d) == ["step", "loss", "acc"]
    d["loss"][0] = 99.0
    s.column("acc")[0] = 99.0
    assert rows(s) == [(1, 0.5, 0.9)]
    with pytest.raises(ValueError):
        s.column("nope")


def test_empty_series_has_empty_columns():
    s = Series(["v"], capacity=4)
    assert len(s) == 0
    assert {k: v.shape for k, v in s.as_dict().items()} == {"step": (0,), "v": (0,)}


@pytest.mark.parametrize("capacity", [0, 1, 3, 7])
def test_capacity_must_be_even_and_at_least_two(capacity):
    with pytest.raises(ValueError, match="capacity"):
        Series(["v"], capacity=capacity)


# --------------------------------------------------------------------------- state


@pytest.mark.parametrize("merge", ["mean", "last"])
@pytest.mark.parametrize("n", [0, 3, 9, 11])     # empty, not full, just compacted, pending
def test_state_round_trip_continues_identically(merge, n):
    s = fed(n, merge=merge)
    copy = Series.from_state(s.state())
    assert (copy.names, copy.capacity, copy.merge, copy.stride) == (
        s.names, s.capacity, s.merge, s.stride)
    for step in range(n + 1, n + 30):
        s.add_value(step, float(step))
        copy.add_value(step, float(step))
    assert rows(copy) == rows(s)
    assert copy.state()["pending"] == s.state()["pending"]


def test_state_is_a_snapshot():
    s = fed(3)
    state = s.state()
    s.add_value(4, 4.0)
    s.add_value(5, 5.0)
    assert [tuple(r) for r in state["rows"]] == [(1, 1), (2, 2), (3, 3)]


def test_from_state_refuses_more_rows_than_capacity():
    state = fed(3).state()
    state["rows"] = np.zeros((6, 2))
    with pytest.raises(ValueError, match="capacity"):
        Series.from_state(state)


def test_from_state_refuses_pending_values_that_do_not_match_the_names():
    state = Series(["a", "b"], capacity=4).state()
    state["pending"] = [0.0]
    with pytest.raises(ValueError, match="inconsistent"):
        Series.from_state(state)


def test_from_state_refuses_an_odd_capacity():
    state = fed(3).state()
    state["capacity"] = 5
    with pytest.raises(ValueError, match="capacity"):
        Series.from_state(state)


# --------------------------------------------------------------------------- History


def test_history_nbytes_is_both_series_buffers():
    loss = Series(["loss"], capacity=100)
    evals = Series(["train_loss", "train_acc", "test_loss", "test_acc"], capacity=10)
    h = History(loss=loss, evals=evals)
    assert h.loss is loss and h.evals is evals
    assert h.nbytes == 100 * 2 * 8 + 10 * 5 * 8
    for step in range(1000):
        loss.add_value(step, 1.0)
    assert h.nbytes == 100 * 2 * 8 + 10 * 5 * 8
