"""Draw mode, driven by AppTest: the controls, a click on the map as the
chart reports it (its "draw" state, which is what these tests set), the share-link notice and
the CSV export of the painted points."""

import base64
import csv
import io
import json

import numpy as np
import pytest
from apptest import (
    chart_data,
    chart_figures,
    click,
    new_session,
    page,
    upload_csv,
    view,
    view_memory,
)
from streamlit.runtime.media_file_manager import MediaFileManager

from playground.app.backprop_view import BackpropMemory
from playground.app.draw import SHARE_NOTE
from playground.engine.csvfile import load_csv
from playground.engine.datasets import MIN_ROWS
from playground.state import drawing


@pytest.fixture
def at():
    return new_session()


def draw_on(at):
    at.toggle(key="w_draw").set_value(True).run()
    assert not at.exception, at.exception


def draw_click(at, x, y, mode="add", r=0.05, t=None):
    """What chart.js sends for a click on the map in draw mode: float32 data coordinates."""
    state = dict(at.session_state["regions"]) if "regions" in at.session_state else {}
    t = t if t is not None else draw_click.t + 1
    draw_click.t = t
    state["draw"] = {"x": float(np.float32(x)), "y": float(np.float32(y)), "r": r,
                     "mode": mode, "t": t}
    at.session_state["regions"] = state
    at.run()
    assert not at.exception, at.exception


draw_click.t = 0


def map_points(at):
    """(x, y, trace name) of every data point the map was sent."""
    fig = chart_figures(at)[0]
    out = []
    for trace in fig["data"]:
        if trace.get("type") == "scatter" and trace.get("hoverinfo") != "skip" \
                and isinstance(trace.get("x"), dict):
            xs, ys = (np.frombuffer(base64.b64decode(trace[a]["bdata"]),
                                    dtype=trace[a]["dtype"]) for a in "xy")
            out += [(float(a), float(b), trace["name"]) for a, b in zip(xs, ys)]
    return out


def test_draw_mode_tells_the_map_and_shows_its_controls(at):
    assert "draw" not in chart_data(at, 0)
    assert not any(w.key == "w_draw_class" for w in at.get("segmented_control"))
    draw_on(at)
    assert chart_data(at, 0)["draw"] == {"mode": "add", "radius": 14}
    classes = at.segmented_control(key="w_draw_class")
    assert classes.options == ["class 0", "class 1", "class 2"]        # the spiral's three
    at.segmented_control(key="w_draw_mode").set_value("Erase").run()
    assert chart_data(at, 0)["draw"]["mode"] == "erase"
    assert any(SHARE_NOTE in c.value for c in at.caption)              # said where you paint


def test_a_click_adds_a_point_of_the_chosen_class_where_clicked(at):
    draw_on(at)
    pg = page(at).pg
    net = pg.trainer.net
    before = [p.copy() for p in net.params()]
    n = len(pg.data.X_all)
    at.segmented_control(key="w_draw_class").set_value(2).run()
    draw_click(at, 0.25, -0.5)
    d = page(at).pg.data
    assert len(d.X_all) == n + 1
    i = int(np.argmin(np.hypot(*(d.X_all - [0.25, -0.5]).T)))
    assert np.allclose(d.X_all[i], [0.25, -0.5], atol=1e-7) and d.y_all[i] == 2
    assert page(at).pg.trainer.net is net                                # same weights
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))
    # on the map in this run, in class 2's trace (train or test)
    near = [name for x, y, name in map_points(at) if abs(x - 0.25) < 1e-6 and
            abs(y + 0.5) < 1e-6]
    assert near and near[0].startswith("class 2")
    at.run()                                    # the same click state again: not re-added
    assert len(page(at).pg.data.X_all) == n + 1


@pytest.mark.parametrize("control, chosen", [("w_draw_class", 2), ("w_draw_mode", "Erase")])
def test_an_emptied_draw_control_keeps_the_last_choice(at, control, chosen):
    # a click on a segmented control's chosen option empties it: the choice stays
    draw_on(at)
    at.segmented_control(key=control).set_value(chosen).run()
    at.segmented_control(key=control).set_value(None).run()
    assert not at.exception, at.exception
    assert at.segmented_control(key=control).value == chosen
    if control == "w_draw_mode":
        assert chart_data(at, 0)["draw"]["mode"] == "erase"
        return
    n = len(page(at).pg.data.X_all)
    draw_click(at, -0.75, 0.8)
    d = page(at).pg.data
    assert len(d.X_all) == n + 1
    i = int(np.argmin(np.hypot(*(d.X_all - [-0.75, 0.8]).T)))
    assert d.y_all[i] == chosen


def test_a_click_that_comes_with_an_emptied_class_control_adds_the_last_chosen_class(at):
    # the click's rerun is the live fragment's only: the class control is not drawn in it
    draw_on(at)
    at.segmented_control(key="w_draw_class").set_value(1).run()
    at.session_state["w_draw_class"] = None
    n = len(page(at).pg.data.X_all)
    draw_click(at, 0.6, 0.7)
    d = page(at).pg.data
    i = int(np.argmin(np.hypot(*(d.X_all - [0.6, 0.7]).T)))
    assert len(d.X_all) == n + 1 and d.y_all[i] == 1


def test_erase_removes_the_nearest_point_within_the_radius(at):
    draw_on(at)
    d = page(at).pg.data
    x, y = d.X_test[3]
    n = len(d.X_all)
    draw_click(at, x + 0.01, y, mode="erase", r=0.05)
    d = page(at).pg.data
    assert len(d.X_all) == n - 1
    assert not np.any(np.all(np.isclose(d.X_all, [x, y]), axis=1))
    draw_click(at, 1.45, 1.45, mode="erase", r=0.01)                      # nothing near
    assert len(page(at).pg.data.X_all) == n - 1
    assert any("No point near" in t.value for t in at.toast)


def test_clear_waits_for_points_then_trains_on_them(at):
    draw_on(at)
    click(at, "Step")
    pg = page(at).pg
    weights = [p.copy() for p in pg.trainer.net.params()]
    click(at, "Clear")
    assert drawing.points(pg) == 0
    assert not any(map_points(at))                                     # an empty plane
    assert any(f"at least {MIN_ROWS} points" in i.value for i in at.info)
    click(at, "Step")                                                  # holds, no crash
    assert pg.trainer.updates == 1
    assert all(np.array_equal(a, b) for a, b in zip(weights, pg.trainer.net.params()))
    for k, (x, y) in enumerate([(-0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (0.5, -0.5)]):
        at.segmented_control(key="w_draw_class").set_value(k % 2).run()
        draw_click(at, x, y)
    assert not any("at least" in i.value for i in at.info)
    click(at, "Step")
    assert pg.trainer.updates == 2
    assert np.allclose(pg.trainer.X, np.array(pg.data.X_train, dtype=np.float32))
    assert len(pg.trainer.X) == MIN_ROWS


def test_the_csv_export_holds_the_painted_points(at, monkeypatch):
    # the Files view's download buttons compute their data on download: keep each one's
    # function (by file name) as Streamlit registers it, to call it as a download would
    made = {}
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    draw_on(at)
    click(at, "Clear")
    painted = [(-0.5, -0.25, 0), (0.5, 0.75, 1), (-0.125, 0.5, 2)]
    for x, y, k in painted:
        at.segmented_control(key="w_draw_class").set_value(k).run()
        draw_click(at, x, y)
    view(at, "Files")
    # three points: not yet trained on (training waits), exported all the same
    assert any("Training waits" in i.value for i in at.info)
    rows = list(csv.DictReader(io.StringIO(made["playground-data.csv"]())))
    got = sorted((float(r["x1"]), float(r["x2"]), r["label"]) for r in rows)
    assert got == sorted((float(np.float32(a)), float(np.float32(b)), f"class {k}")
                         for a, b, k in painted)
    draw_click(at, 0.25, 0.25)                         # four: trained on, and exported
    view(at, "Files")
    X, _, _ = load_csv(made["playground-data.csv"]().encode())
    assert len(X) == 4 and [0.25, 0.25] in X.tolist()


def test_painted_data_flags_the_link_and_a_reload_says_the_points_are_not_in_it(at):
    draw_on(at)
    draw_click(at, 0.1, 0.1)
    at.run()                                          # a page run writes the URL
    assert at.query_params.get("painted") in (["1"], "1")
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    fresh = new_session(params)
    assert not fresh.exception
    assert any("painted points are not here" in w.value for w in fresh.warning)
    assert page(fresh).pg.data.painted is None
    assert "Unknown URL parameter" not in json.dumps([w.value for w in fresh.warning])


def test_a_new_data_set_replaces_the_painted_points_and_says_so(at):
    draw_on(at)
    draw_click(at, 0.1, 0.1)
    at.selectbox(key="w_dataset").select("moons").run()
    assert not at.exception
    assert page(at).pg.data.painted is None
    assert any("painted points were replaced" in t.value for t in at.toast)
    assert "painted" not in at.query_params


def test_a_click_outside_draw_mode_still_opens_the_backprop_trace(at):
    draw_on(at)
    at.toggle(key="w_draw").set_value(False).run()
    n = len(page(at).pg.data.X_all)
    draw_click(at, 0.2, 0.2)                          # a stale draw state: ignored
    assert len(page(at).pg.data.X_all) == n
    X = page(at).pg.data.X_train
    at.session_state["regions"] = {"click": {"x": float(np.float32(X[4, 0])),
                                             "y": float(np.float32(X[4, 1])), "t": 99}}
    at.run()
    assert view_memory(at, BackpropMemory).traced == 4


def test_class_names_from_a_file_are_inert_in_the_class_choice():
    at = new_session()
    rows = ["x1,x2,label"] + [f"{i / 20 - 0.5:.2f},{(i % 3) / 3:.2f},"
                              f"{'[link](http://evil)' if i % 2 else '**bold**'}"
                              for i in range(20)]
    upload_csv(at, "names.csv", "\n".join(rows).encode())
    draw_on(at)
    options = at.segmented_control(key="w_draw_class").options
    assert len(options) == 2
    assert not any("](http" in o or o.startswith("**") for o in options), options
    draw_click(at, 0.1, 0.9)                          # paints a point of the first class
    assert page(at).pg.data.painted is not None
