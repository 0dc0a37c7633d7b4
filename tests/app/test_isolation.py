"""Sessions share one server process: no visitor may see another's data, runs or pins, and
nothing mutable may live in module globals or in Streamlit's process-wide caches."""

import copy
import importlib
import pickle
import re

import numpy as np
from apptest import ROOT, UPLOADS, click, new_session, page

PACKAGE = ROOT / "playground"
# every module of the package, by its dotted name
MODULES = tuple(sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
                       for p in PACKAGE.rglob("*.py") if p.name not in ("__main__.py",)))



def pin(at):
    at.segmented_control(key="w_view").set_value("Compare").run()
    click(at, "Pin this run")


def arrays_of(pg):
    d, tr = pg.data, pg.trainer
    return [d.X_train, d.y_train, d.X_test, d.y_test, tr.X, tr.y, *tr.net.params()]


def module_state():
    """Every module-level mutable container (dict, list, set, array) of the playground,
    pickled, so that any mutation shows up as a difference."""
    out = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("__"):
                continue
            if isinstance(value, (dict, list, set, bytearray, np.ndarray)):
                try:
                    out[f"{name}.{attr}"] = pickle.dumps(value)
                except Exception:                 # unpicklable: compare its repr instead
                    out[f"{name}.{attr}"] = repr(value)
    return out


def test_two_sessions_never_see_each_others_data_runs_or_pins():
    before = module_state()
    a, b = new_session(), new_session()
    assert page(a).pg is not page(b).pg

    # A: trains, switches to an uploaded file, pins a run
    click(a, "Step")
    a.selectbox(key="w_dataset").select("upload CSV").run()
    a.file_uploader(key="w_upload").set_value(
        ("animals.csv", (UPLOADS / "string_labels.csv").read_bytes(), "text/csv")).run()
    click(a, "Step")
    click(a, "Step")
    a.select_slider(key="w_lr").set_value(0.1).run()
    pin(a)
    pg_a = page(a).pg
    assert pg_a.data.source == "upload: animals.csv" and pg_a.trainer.updates == 2
    assert len(pg_a.pins) == 1

    # B has seen none of it
    b.run()
    pg_b = page(b).pg
    assert pg_b.data.source == "spiral" and pg_b.upload is None
    assert pg_b.trainer.updates == 0 and pg_b.pins == [] and pg_b.settings.lr == 1.0
    assert b.selectbox(key="w_dataset").value == "spiral"
    assert b.select_slider(key="w_lr").value == 1.0
    assert next(m.value for m in b.metric if m.label == "Update") == "0"
    assert "animals" not in str([m.value for m in b.markdown])
    assert b.query_params.get("data") in (None, [], "spiral", ["spiral"])

    # B pins and trains: A's pins and counters do not move
    click(b, "Step epoch")
    pin(b)
    pin(b)
    a.run()
    pa, pb = page(a).pg, page(b).pg
    assert len(pa.pins) == 1 and len(pb.pins) == 2
    assert pa.trainer.updates == 2 and pb.trainer.updates == 1
    assert pa.pins[0].history is not pb.pins[0].history

    # no array is shared between the two sessions
    for x in arrays_of(page(a).pg):
        for y in arrays_of(page(b).pg):
            assert not np.shares_memory(x, y)

    # resetting one session leaves the other's run alone
    click(b, "Reset")
    assert page(a).pg.trainer.updates == 2
    assert module_state() == before, "a module-level container was mutated by a session"


def test_same_settings_give_equal_but_separate_state():
    a, b = new_session(), new_session()
    pa, pb = page(a).pg, page(b).pg
    assert pa.settings == pb.settings
    assert np.array_equal(pa.data.X_train, pb.data.X_train)
    assert pa.data.X_train is not pb.data.X_train
    assert pa.trainer.net is not pb.trainer.net and pa.snapshots is not pb.snapshots
    click(a, "Step")
    assert not np.array_equal(pa.trainer.net.weights[0], pb.trainer.net.weights[0])


def test_no_process_wide_caches_of_mutable_state():
    sources = {str(p.relative_to(PACKAGE)): p.read_text() for p in PACKAGE.rglob("*.py")}
    for name, text in sources.items():
        assert "cache_resource" not in text, f"{name} uses st.cache_resource"
        assert "experimental_singleton" not in text and "st.singleton" not in text
        assert not re.search(r"^\s*global\s", text, re.M), f"{name} rebinds a global"
    # st.cache_data would hand each session a copy, but nothing should need it either
    assert not any("cache_data" in t for t in sources.values())


def test_module_level_containers_are_not_mutated_by_a_session():
    before = module_state()
    snapshot = {k: copy.copy(v) for k, v in before.items()}
    at = new_session()
    click(at, "Step")
    at.selectbox(key="w_dataset").select("blobs").run()
    at.slider(key="w_classes").set_value(5).run()
    pin(at)
    at.segmented_control(key="w_view").set_value("Files").run()
    assert not at.exception
    assert module_state() == snapshot
