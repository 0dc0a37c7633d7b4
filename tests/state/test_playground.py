"""A visitor's playground state, without Streamlit."""

import numpy as np
import pytest

from playground.engine.datasets import DatasetError, grid_points
from playground.engine.runfiles import run_to_npz
from playground.state.labels import describe_differences
from playground.state.playground import MAX_PINS, Playground, read_upload
from playground.state.settings import DEFAULTS, UPLOAD


def test_learning_rate_change_keeps_the_run_architecture_change_resets_it():
    pg = Playground()
    pg.step(5)
    trainer = pg.trainer
    changed = DEFAULTS.with_changes(lr=0.1, lr_auto=False, batch_mode="SGD", optimizer="adam")
    assert pg.apply(changed) == []
    assert pg.trainer is trainer and trainer.updates == 5
    assert (trainer.lr, trainer.batch_size, trainer.optimizer) == (0.1, 1, "adam")
    notices = pg.apply(pg.settings.with_changes(widths=(20,)))
    assert pg.trainer.updates == 0 and "Network changed" in notices[0]
    notices = pg.apply(pg.settings.with_changes(dataset="xor"))
    assert "New data" in notices[0] and pg.data.n_classes == 2


def test_step_epoch_and_reset():
    pg = Playground(DEFAULTS.with_changes(batch_mode="mini-batch", batch_size=32))
    per_epoch = pg.trainer.updates_per_epoch
    assert per_epoch == 8                       # 240 training points
    pg.step(3)
    pg.step_epoch()
    assert (pg.trainer.updates, pg.trainer.epochs) == (8, 1)
    pg.step_epoch()
    assert (pg.trainer.updates, pg.trainer.epochs) == (16, 2)
    pg.reset()
    assert (pg.trainer.updates, pg.trainer.epochs) == (0, 0)


def test_default_page_separates_the_spiral():
    pg = Playground()
    for _ in range(188):                  # 15 s of frames at the live loop's 12.5 per second
        pg.step(pg.settings.speed)
    assert pg.trainer.metrics["train_acc"] >= 0.95


def test_upload_switches_data_and_a_bad_upload_is_refused():
    pg = Playground()
    pg.step(3)
    with pytest.raises(DatasetError):
        read_upload("bad.csv", b"x1,x2,label\n1,2\n")
    rows = "\n".join(f"{x},{-x},{'a' if x > 0 else 'b'}" for x in np.linspace(-50, 50, 40))
    up = read_upload("mine.csv", ("x1,x2,label\n" + rows).encode())
    assert np.abs(up.X).max() == pytest.approx(1.0)
    notices = pg.apply(pg.settings.with_changes(dataset=UPLOAD), up)
    assert pg.data.source == "upload: mine.csv" and pg.data.class_names == ("a", "b")
    assert notices and pg.trainer.updates == 0


def test_upload_mode_without_a_file_keeps_the_current_data():
    pg = Playground()
    pg.step(2)
    assert pg.apply(pg.settings.with_changes(dataset=UPLOAD)) == []
    assert pg.data.source == "spiral" and pg.trainer.updates == 2


def test_pins_are_bounded_and_labelled_by_what_differs():
    pg = Playground()
    pg.step(10)
    assert pg.pin()
    pg.apply(pg.settings.with_changes(lr=0.1, lr_auto=False, batch_mode="SGD"))
    pg.step(10)
    assert pg.pin()
    assert [p.label for p in pg.pins] == ["full batch, lr 1", "SGD, lr 0.1"]
    while len(pg.pins) < MAX_PINS:
        pg.pin()
    assert not pg.pin() and len(pg.pins) == MAX_PINS
    pg.unpin(0)
    assert len(pg.pins) == MAX_PINS - 1


def test_describe_differences_falls_back_to_batch_and_lr():
    assert describe_differences([DEFAULTS, DEFAULTS]) == ["full batch, lr 1"] * 2


def test_snapshots_stay_bounded():
    pg = Playground(DEFAULTS.with_changes(widths=(8,), batch_mode="SGD", lr=0.01,
                                          lr_auto=False))
    for _ in range(300):
        pg.step(7)
    snaps = pg.snapshots
    assert len(snaps.updates) <= snaps.capacity
    assert snaps.updates[0] == 0 and snaps.updates[-1] > 1500
    probs = pg.probabilities_at(snaps.params[0], np.zeros((3, 2)))
    assert probs.shape == (3, 3)


def test_grid_follows_the_parameters_and_hands_out_copies():
    pg = Playground()
    grid = pg.grid()
    points = grid_points(grid.xs, grid.ys)
    np.testing.assert_allclose(grid.probs, pg.trainer.net.predict_proba(points), rtol=1e-5)
    grid.probs[:] = 0                               # the caller's copy, not the cache
    np.testing.assert_array_equal(pg.grid().probs, pg.trainer.net.predict_proba(points))
    pg.step(5)
    after = pg.grid()
    assert not np.allclose(after.probs, grid.probs)
    np.testing.assert_allclose(after.probs, pg.trainer.net.predict_proba(points), rtol=1e-5)
    hidden = pg.grid_activations()
    np.testing.assert_allclose(hidden[0], pg.trainer.net.hidden_activations(points)[0],
                               rtol=1e-5, atol=1e-6)


def test_unit_health_counts_dead_relus():
    pg = Playground(DEFAULTS.with_changes(lr=10.0, lr_auto=False))
    assert pg.unit_health()[0] < 0.5
    pg.step(10)
    assert pg.unit_health()[0] > 0.5


def test_import_continues_the_run_and_matches_the_sidebar():
    pg = Playground(DEFAULTS.with_changes(widths=(12, 7), optimizer="momentum", lr=0.3,
                                          lr_auto=False))
    pg.step(20)
    blob = run_to_npz(pg.trainer, pg.export_extra())
    other = Playground()
    settings = other.load_run_file(blob)
    assert other.trainer.updates == 20
    assert (settings.widths, settings.optimizer, settings.lr) == ((12, 7), "momentum", 0.3)
    assert other.apply(settings) == [] and other.trainer.updates == 20
    other.step(1)
    assert other.trainer.updates == 21


def _cli_like_run(**changes):
    """A run made outside the page (as the CLI or a script would), exported with extras."""
    from playground.engine.model import MLP
    from playground.engine.training import Trainer

    X = np.random.default_rng(0).uniform(-1, 1, (120, 2))
    y = (X[:, 0] > 0).astype(int)
    cfg = dict(sizes=[2, 16, 2], lr=0.5, l2=0.005, batch_size=None)
    cfg.update(changes)
    tr = Trainer(MLP(cfg["sizes"], dtype="float32"), X, y, lr=cfg["lr"], l2=cfg["l2"],
                 batch_size=cfg["batch_size"])
    tr.step(3)
    return tr


def test_import_refuses_runs_the_page_cannot_hold():
    from playground.engine.runfiles import RunFileError

    pg = Playground()
    for changes, message in (({"sizes": [2, 300, 2]}, "larger than"),
                             ({"sizes": [2, 8, 8, 8, 8, 8, 2]}, "hidden layers")):
        with pytest.raises(RunFileError, match=message):
            pg.load_run_file(run_to_npz(_cli_like_run(**changes)))
    assert pg.trainer.updates == 0 and pg.data.source == "spiral"       # the run is kept


@pytest.mark.parametrize("sizes", [[2, 16, 8, 2], [2, 2]])
def test_import_takes_any_widths_and_no_hidden_layer(sizes):
    """A script's network of unequal widths, or with no hidden layer, is shown as it is."""
    pg = Playground()
    settings = pg.load_run_file(run_to_npz(_cli_like_run(sizes=sizes)))
    assert settings.widths == tuple(sizes[1:-1]) and pg.trainer.updates == 3
    assert pg.apply(settings) == [] and pg.trainer.net.layer_sizes == sizes


def test_import_says_which_settings_were_adapted():
    pg = Playground()
    settings = pg.load_run_file(run_to_npz(_cli_like_run()))
    assert (settings.lr, settings.l2) == (0.3, 1e-3)
    assert any("Learning rate 0.5" in n for n in pg.import_notes)


def test_import_with_hostile_settings_in_extra():
    pg = Playground()
    tr = _cli_like_run()
    extra = {"settings": {"dataset": "evil", "samples": 300.5, "noise": float("nan"),
                          "units": "many", "widths": "many"}}
    settings = pg.load_run_file(run_to_npz(tr, extra))
    assert settings.dataset == "spiral" and settings.samples == 300
    assert pg.apply(settings) == [] and pg.trainer.updates == 3


def test_big_uploads_are_sampled_down():
    from playground.state.playground import MAX_SESSION_ROWS

    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, (MAX_SESSION_ROWS + 2000, 2))
    rows = "\n".join(f"{a:.4f},{b:.4f},{int(a > 0)}" for a, b in X)
    up = read_upload("big.csv", ("x1,x2,label\n" + rows).encode())
    assert len(up.X) == MAX_SESSION_ROWS and "random 5,000 of the file's 7,000 rows" in up.note


def test_a_frame_stops_training_at_its_time_budget():
    pg = Playground(DEFAULTS.with_changes(widths=(256,) * 4))
    done = pg.step(200, max_seconds=1e-9)
    assert done == 1 and pg.trainer.updates == 1
    assert pg.step(5, max_seconds=60) == 5


def test_the_stall_check_reads_an_imported_run_without_evaluations():
    import json

    from playground.engine.runfiles import run_to_json
    from playground.state.guards import stall

    pg = Playground()
    pg.step(150)
    meta = json.loads(run_to_json(pg.trainer, pg.export_extra()))
    meta["arrays"]["history_evals"].update(data=[], shape=[0, meta["arrays"]["history_evals"]
                                                          ["shape"][1]])
    meta["history"]["evals"].update(stride=1, pending_count=0)
    pg.load_run_file(json.dumps(meta).encode())
    assert stall(pg) is None


def test_an_imported_diverged_run_offers_to_continue_once_the_settings_change():
    from playground.engine.runfiles import run_to_json

    pg = Playground(DEFAULTS.with_changes(lr=10.0, lr_auto=False, batch_mode="SGD"))
    pg.step(200)
    assert pg.trainer.diverged
    other = Playground()
    other.load_run_file(run_to_json(pg.trainer, pg.export_extra()).encode())
    tr = other.trainer
    assert tr.diverged and tr.diverged_with == {"lr": 10.0, "l2": tr.l2, "l1": 0.0,
                                                "optimizer": "sgd", "batch_size": 1}
