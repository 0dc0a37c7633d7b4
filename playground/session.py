"""One visitor's playground: data, the current run, its snapshots and pinned runs.

This is the state behind the page, kept free of Streamlit so that it can be tested and
scripted directly: the app stores one :class:`Playground` per browser session in
``st.session_state`` and turns widget values into :class:`~playground.settings.Settings`
for :meth:`Playground.apply`. Everything here is bounded (history, snapshots, pins), so a
session left playing for hours keeps a fixed memory footprint.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np

from .datasets import classes_for, grid_axes, grid_points, load_csv, make_dataset, train_test_split
from .model import MLP, Workspace
from .runs import RunFileError, load_run
from .settings import LIMITS, UPLOAD, Settings, clamp
from .training import Trainer

GRID = 100                   # decision-map resolution (G×G points)
MAX_PINS = 4
MAX_SNAPSHOTS = 60
SNAPSHOT_BUDGET = 8_000_000  # bytes of parameters kept for replay
DTYPE = "float32"            # the live page trains in float32 (about 1.6× float64's speed)
MAX_ROWS = 5000              # data points of an upload or imported run (the loader allows
                             # 20,000; a shared server's sessions are kept smaller)
FRAME_BUDGET = 0.15          # seconds of training per live frame, whatever the speed setting


@dataclass(frozen=True)
class Upload:
    """A user's CSV, already parsed. Coordinates are rescaled into [-1, 1]² for training."""
    name: str
    X: np.ndarray
    y: np.ndarray
    class_names: tuple
    digest: str
    note: str = ""


@dataclass
class Data:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str                        # "spiral", or "upload: name.csv"
    identity: tuple = ()

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def X_all(self):
        return np.concatenate([self.X_train, self.X_test])

    @property
    def y_all(self):
        return np.concatenate([self.y_train, self.y_test])


@dataclass
class Pin:
    label: str
    settings: Settings
    history: dict
    steps: int


@dataclass
class Snapshots:
    """Parameters at earlier updates, for replay. Bounded: when full, every other snapshot
    is dropped and the spacing doubles (so they always span the whole run)."""
    capacity: int
    every: int = 1
    steps: list = field(default_factory=list)
    params: list = field(default_factory=list)

    def offer(self, step, net):
        if step % self.every:
            return
        if len(self.steps) >= self.capacity:
            self.steps = self.steps[::2]
            self.params = self.params[::2]
            self.every *= 2
            if step % self.every:
                return
        self.steps.append(step)
        self.params.append([p.copy() for p in net.params()])


def read_upload(name, data):
    """Parse an uploaded CSV (bytes) into an :class:`Upload`; raises DatasetError."""
    X, y, names = load_csv(data)
    note = ""
    if len(X) > MAX_ROWS:
        # a random, reproducible subset keeps one visitor's run small on a shared server
        keep = np.sort(np.random.default_rng(0).choice(len(X), MAX_ROWS, replace=False))
        note = f"Using a random {MAX_ROWS:,} of the file's {len(X):,} rows."
        X, y = X[keep], y[keep]
        present = np.unique(y)
        if len(present) < 2:
            from .datasets import DatasetError
            raise DatasetError("Too few rows of some classes survive sampling.")
        if len(present) < len(names):                 # a rare class fell out: renumber
            names = [names[k] for k in present]
            y = np.searchsorted(present, y)
    center = (X.max(axis=0) + X.min(axis=0)) / 2
    scale = np.abs(X - center).max() or 1.0
    X = (X - center) / scale
    digest = hashlib.sha256(bytes(data)).hexdigest()[:16]
    return Upload(str(name)[:100], X, y, tuple(names), digest, note)


class Playground:
    """The state of one visitor's page."""

    def __init__(self, settings=None):
        self.settings = settings or Settings()
        self.upload = None
        self.import_notes = []
        self.pins = []
        self.data = None
        self.trainer = None
        self._grid_cache = None
        self._apply_data(self.settings)
        self.new_run()

    # -- settings ------------------------------------------------------------------------------
    def apply(self, settings, upload=None):
        """Make the page match ``settings``; returns notices ("new data ...") for the user.

        Data or architecture changes start a new run; learning rate, batch mode, optimizer
        and L2 act on the running model.
        """
        settings, _ = clamp(settings)
        notices = []
        if upload is not None and (self.upload is None or upload.digest != self.upload.digest):
            self.upload = upload
        old = self.settings
        self.settings = settings
        if self._data_identity(settings) != self.data.identity and \
                (settings.dataset != UPLOAD or self.upload is not None):
            self._apply_data(settings)
            self.new_run()
            notices.append(f"New data ({self.data.source}): training restarted.")
        elif settings.network_key() != old.network_key():
            self.new_run()
            notices.append("Network changed: training restarted.")
        else:
            self._configure_trainer()
        return notices

    def _data_identity(self, s):
        if s.dataset == UPLOAD:
            digest = self.upload.digest if self.upload else None
            return ("upload", digest, s.test_fraction, s.data_seed)
        return ("generated", s.dataset, s.samples, s.noise, classes_for(s.dataset, s.classes),
                s.test_fraction, s.data_seed)

    def _apply_data(self, s):
        if s.dataset == UPLOAD and self.upload is not None:
            up = self.upload
            X, y, names, source = up.X, up.y, up.class_names, f"upload: {up.name}"
        else:
            name = s.dataset if s.dataset != UPLOAD else "spiral"
            X, y = make_dataset(name, s.samples, s.noise, s.classes, s.data_seed)
            names = tuple(f"class {k}" for k in range(int(y.max()) + 1))
            source = name
        X_tr, y_tr, X_te, y_te = train_test_split(X, y, s.test_fraction, s.data_seed)
        self.data = Data(X_tr, y_tr, X_te, y_te, tuple(names), source, self._data_identity(s))

    def _configure_trainer(self):
        s, tr = self.settings, self.trainer
        tr.lr = s.lr
        tr.l2 = s.l2
        tr.optimizer = s.optimizer
        tr.batch_size = s.trainer_batch_size

    # -- runs -------------------------------------------------------------------------------
    def new_run(self):
        self.run_id = getattr(self, "run_id", 0) + 1       # tells cached charts a run is new
        s, d = self.settings, self.data
        net = MLP([2, *s.hidden, d.n_classes], activation=s.activation, init=s.init,
                  seed=s.seed, dtype=DTYPE)
        self.trainer = Trainer(net, d.X_train, d.y_train, d.X_test, d.y_test, lr=s.lr,
                               batch_size=s.trainer_batch_size, optimizer=s.optimizer,
                               l2=s.l2, seed=s.seed)
        self._new_snapshots()
        self._grid_cache = None

    def _new_snapshots(self):
        per_snapshot = max(1, sum(p.nbytes for p in self.trainer.net.params()))
        capacity = max(2, min(MAX_SNAPSHOTS, SNAPSHOT_BUDGET // per_snapshot))
        self.snapshots = Snapshots(capacity=capacity - capacity % 2)
        self.snapshots.offer(0, self.trainer.net)

    def reset(self):
        self.new_run()

    def step(self, n=1, max_seconds=None):
        """Run up to n updates; returns how many ran. With ``max_seconds``, fewer if they
        would take longer (timed on the first one): a big network on big data must not hold
        the session, or the server, for long at a high speed setting."""
        started = time.perf_counter()
        done = self.trainer.step(1 if max_seconds is not None else n)
        if max_seconds is not None and done and n > 1:
            per_update = max(time.perf_counter() - started, 1e-6)
            done += self.trainer.step(min(n - 1, int(max_seconds / per_update)))
        if done:
            self.trainer.record_metrics()
            self.snapshots.offer(self.trainer.steps, self.trainer.net)
        return done

    def step_epoch(self):
        return self.step(self.trainer.updates_left_in_epoch)

    def load_run_file(self, data):
        """Continue an exported run (raises RunFileError); returns the settings it carries."""
        trainer, extra = load_run(data, limits={"hidden_layers": LIMITS["layers"][1],
                                                "units": LIMITS["units"][1], "rows": MAX_ROWS})
        sizes = trainer.net.layer_sizes
        hidden = sizes[1:-1]
        if sizes[0] != 2:
            raise RunFileError("The run's network does not take 2-D inputs.")
        if not hidden or len(set(hidden)) != 1:
            raise RunFileError(f"This run's network ({' → '.join(map(str, sizes))}) cannot be "
                               f"shown here: the playground's networks have 1–4 hidden layers "
                               f"of equal width.")
        settings = self.settings
        stored = extra.get("settings") if isinstance(extra, dict) else None
        if isinstance(stored, dict):
            known = {k: v for k, v in stored.items() if k in Settings.__dataclass_fields__}
            try:
                settings, _ = clamp(Settings(**{**self.settings.to_dict(), **known}))
            except (TypeError, ValueError):
                settings = self.settings
        names = extra.get("class_names") if isinstance(extra, dict) else None
        k = trainer.net.n_classes
        if not (isinstance(names, list) and len(names) == k):
            names = [f"class {i}" for i in range(k)]
        names = tuple(str(n)[:40] for n in names)
        settings, adapted = _settings_matching(settings, trainer)
        # e.g. a CLI run's lr 0.5 becomes the nearest choice the sidebar offers: say so
        self.import_notes = adapted
        self.settings = settings
        self.data = Data(trainer.X.astype(np.float64), trainer.y,
                         trainer.X_test.astype(np.float64), trainer.y_test, names,
                         "imported run")
        # the imported data now stand for these settings, so that applying them keeps the run
        self.data.identity = self._data_identity(settings)
        self.trainer = trainer
        self.run_id += 1
        self._new_snapshots()
        self._grid_cache = None
        return settings

    def export_extra(self):
        return {"settings": self.settings.to_dict(), "class_names": list(self.data.class_names),
                "source": self.data.source}

    # -- pins -------------------------------------------------------------------------------
    def pin(self):
        """Keep the current run's curves and settings for comparison (at most MAX_PINS)."""
        if len(self.pins) >= MAX_PINS:
            return False
        self.pins.append(Pin(self.settings.describe(), self.settings,
                             self.trainer.history.evals.as_dict(), self.trainer.steps))
        self._relabel_pins()
        return True

    def unpin(self, index):
        if 0 <= index < len(self.pins):
            del self.pins[index]
            self._relabel_pins()

    def _relabel_pins(self):
        labels = describe_differences([p.settings for p in self.pins] + [self.settings])
        for pin, label in zip(self.pins, labels):
            pin.label = label

    # -- views ------------------------------------------------------------------------------
    def grid(self):
        """(xs, ys, workspace) for the decision map: the forward pass over a G×G grid,
        recomputed only when the parameters changed since the last call."""
        tr = self.trainer
        key = (id(tr), tr.steps, tr.net.layer_sizes[1])
        if self._grid_cache is not None and self._grid_cache[0] == key:
            return self._grid_cache[1]
        if self._grid_cache is None or self._grid_cache[2] is not tr.net:
            # a 5 % margin: [-1, 1]² (where the data sets live) gets 0.1 on each side
            xs, ys = grid_axes(self.data.X_all, resolution=GRID, margin=0.05)
            ws = Workspace(tr.net, GRID * GRID, backward=False)
            ws.set_input(grid_points(xs, ys))
            grid = (xs, ys, ws)
        else:
            grid = self._grid_cache[1]
        grid[2].forward()
        self._grid_cache = (key, grid, tr.net)
        return grid

    def probabilities_at(self, params, points):
        """Class probabilities of a snapshot's parameters at some points (for replay)."""
        net = self.trainer.net.copy()
        net.set_params(params)
        return net.predict_proba(points)

    def unit_health(self):
        """Per hidden layer, the share of dead (ReLU: zero on every training point) or
        saturated (sigmoid/tanh: within 1 % of a bound on every point) units."""
        tr = self.trainer
        ws = tr._eval_train
        ws.forward()
        act = tr.net.activation
        out = []
        for A in ws.A[1:]:
            if act in ("relu", "leaky_relu"):
                bad = np.all(A <= 0, axis=0)
            elif act == "sigmoid":
                bad = np.all((A < 0.01) | (A > 0.99), axis=0)
            elif act == "tanh":
                bad = np.all(np.abs(A) > 0.99, axis=0)
            else:
                bad = np.zeros(A.shape[1], dtype=bool)
            out.append(float(bad.mean()))
        return out

    def last_pass(self):
        """The workspace of the latest update (its dscore, activations, gradients)."""
        tr = self.trainer
        if tr.steps == 0:
            return None
        tail = getattr(tr, "_tail_ws", None)
        if tr.batch_size is not None and tail is not None and tr._order is None:
            return tail
        return tr._ws


def _settings_matching(settings, trainer):
    """Settings whose network and training fields describe ``trainer`` (where the sidebar can
    show them), so that the page shows the imported run as it is."""
    net = trainer.net
    hidden = net.layer_sizes[1:-1]
    changes = {"activation": net.activation, "init": net.init, "seed": min(net.seed, 10**6),
               "optimizer": trainer.optimizer, "lr": trainer.lr, "l2": trainer.l2}
    if hidden and len(set(hidden)) == 1:
        changes.update(layers=len(hidden), units=hidden[0])
    bs = trainer.batch_size
    changes["batch_mode"] = "full batch" if bs is None else "SGD" if bs == 1 else "mini-batch"
    if bs not in (None, 1):
        changes["batch_size"] = bs
    return clamp(settings.with_changes(**changes))


def describe_differences(settings_list):
    """Short labels naming what differs between settings, e.g. "SGD, lr 0.1" vs
    "full batch, lr 1" — only the fields that are not the same for all of them."""
    if not settings_list:
        return []
    parts = []
    for s in settings_list:
        parts.append({
            "data": f"{s.dataset}",
            "net": f"{s.layers}×{s.units} {s.activation}",
            "init": f"init {s.init}",
            "batch": {"full batch": "full batch", "mini-batch": f"mini-batch {s.batch_size}",
                      "SGD": "SGD"}[s.batch_mode],
            "opt": s.optimizer,
            "lr": f"lr {s.lr:g}",
            "l2": f"L2 {s.l2:g}",
            "seed": f"seed {s.seed}",
        })
    keys = [k for k in parts[0] if len({p[k] for p in parts}) > 1]
    if not keys:
        keys = ["batch", "lr"]
    return [", ".join(p[k] for k in keys) for p in parts]

