"""One visitor's playground: data, the current run, its snapshots and pinned runs.

This is the state behind the page, kept free of Streamlit so that it can be tested and
scripted directly: the app stores one :class:`Playground` per browser session in
``st.session_state`` and turns widget values into :class:`~playground.state.settings.Settings`
for :meth:`Playground.apply`. Everything here is bounded (history, snapshots, pins), so a
session left playing for hours keeps a fixed memory footprint.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from ..engine.csvfile import load_csv
from ..engine.datasets import classes_for, grid_axes, grid_points, make_dataset, train_test_split
from ..engine.model import MLP
from ..engine.tasks import CLASSIFICATION, task
from ..engine.training import Trainer
from .health import stuck_shares
from .labels import describe_differences
from .runimport import read_run_file, run_extra
from .settings import UPLOAD, Settings, clamp
from .snapshots import Snapshots, outputs_at

GRID = 100                   # decision-map resolution (G×G points)
MAX_PINS = 4
DTYPE = "float32"            # the live page trains in float32 (about 1.6× float64's speed)
# data points of an upload or an imported run: the loaders allow more, a shared server's
# sessions are kept smaller
MAX_SESSION_ROWS = 5000
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
    task: str = CLASSIFICATION.name    # regression: y holds float targets, no classes
    painted: object = None             # edited on the page: a state.drawing.Painted

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def n_outputs(self):
        """The network's output units: one per class, or one value for regression."""
        return task(self.task).n_outputs(self.n_classes)

    @property
    def X_all(self):
        return np.concatenate([self.X_train, self.X_test])

    @property
    def y_all(self):
        return np.concatenate([self.y_train, self.y_test])


@dataclass(frozen=True)
class Grid:
    """The decision map's data: axes ``xs`` (G,) and ``ys`` (G,), and ``probs`` (G·G, K),
    the class probabilities at every grid point (rows of ``ys``, then ``xs``); for a
    regression run (G·G, 1), the predicted values (also as ``values``, (G·G,))."""
    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray

    @property
    def values(self):
        return self.probs[:, 0]


@dataclass
class Pin:
    label: str
    settings: Settings
    history: dict
    updates: int


def build_network(settings, n_outputs, dtype=DTYPE):
    """The settings' network, as initialised: its task, input features, hidden widths,
    activation, initialisation and weight seed (``n_outputs``: classes, or 1 for
    regression)."""
    s = settings
    return MLP([len(s.features), *s.hidden, n_outputs], activation=s.activation,
               init=s.init, seed=s.seed, dtype=dtype, features=s.model_features, task=s.task)


def read_upload(name, data):
    """Parse an uploaded CSV (bytes) into an :class:`Upload`; raises DatasetError."""
    X, y, names = load_csv(data)
    note = ""
    if len(X) > MAX_SESSION_ROWS:
        # a random, reproducible subset keeps one visitor's run small on a shared server
        keep = np.sort(np.random.default_rng(0).choice(len(X), MAX_SESSION_ROWS, replace=False))
        note = f"Using a random {MAX_SESSION_ROWS:,} of the file's {len(X):,} rows."
        X, y = X[keep], y[keep]
        present = np.unique(y)
        if len(present) < 2:
            from ..engine.datasets import DatasetError
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
        self.capped = None                   # (fitted, asked) when a frame's budget cut it
        self._health_cache = None
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
            painted = self.data.painted is not None
            self._apply_data(settings)
            self.new_run()
            notices.append(f"New data ({self.data.source}): training restarted."
                           + (" The painted points were replaced." if painted else ""))
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
        k = classes_for(s.dataset, s.classes) if task(s.task).softmax else None
        return ("generated", s.task, s.dataset, s.samples, s.noise, k, s.test_fraction,
                s.data_seed)

    def _apply_data(self, s):
        if s.dataset == UPLOAD and self.upload is not None:
            up = self.upload
            X, y, names, source = up.X, up.y, up.class_names, f"upload: {up.name}"
        else:
            name = s.dataset if s.dataset != UPLOAD else "spiral"
            X, y = make_dataset(name, s.samples, s.noise, s.classes, s.data_seed)
            names = (task(s.task).output_names or
                     tuple(f"class {k}" for k in range(int(y.max()) + 1)))
            source = name
        # an upload holds labelled points, whatever the task control says
        task_name = s.task if s.dataset != UPLOAD else CLASSIFICATION.name
        # float targets get a random split, classes a stratified one
        X_tr, y_tr, X_te, y_te = train_test_split(X, y, s.test_fraction, s.data_seed)
        self.data = Data(X_tr, y_tr, X_te, y_te, tuple(names), source, self._data_identity(s),
                         task_name)

    def _configure_trainer(self):
        s, tr = self.settings, self.trainer
        tr.lr = s.lr
        tr.l2 = s.l2
        tr.l1 = s.l1
        tr.optimizer = s.optimizer
        tr.batch_size = s.trainer_batch_size

    # -- runs -------------------------------------------------------------------------------
    def new_run(self):
        self.run_id = getattr(self, "run_id", 0) + 1       # tells cached charts a run is new
        s, d = self.settings, self.data
        self.trainer = Trainer(build_network(s, d.n_outputs), d.X_train, d.y_train,
                               d.X_test, d.y_test, lr=s.lr, batch_size=s.trainer_batch_size,
                               optimizer=s.optimizer, l2=s.l2, l1=s.l1, seed=s.seed)
        self._new_snapshots()
        self._grid_cache = None

    def _new_snapshots(self):
        self.snapshots = Snapshots.for_net(self.trainer.net)

    def reset(self):
        self.new_run()

    def step(self, n=1, max_seconds=None):
        """Run up to n updates; returns how many ran. With ``max_seconds``, fewer if they
        would take longer (timed on the first one): a big network on big data must not hold
        the session, or the server, for long at a high speed setting."""
        if self.data.painted is not None and self.data.painted.waiting:
            return 0                         # too few painted points: see state.drawing
        started = time.perf_counter()
        done = self.trainer.step(1 if max_seconds is not None else n)
        self.capped = None
        if max_seconds is not None and done and n > 1:
            per_update = max(time.perf_counter() - started, 1e-6)
            allowed = min(n - 1, int(max_seconds / per_update))
            done += self.trainer.step(allowed)
            if allowed < n - 1 and not self.trainer.diverged:
                self.capped = (1 + allowed, n)       # (updates that fit, updates asked for)
        if done:
            self.trainer.record_metrics()
            self.snapshots.offer(self.trainer.updates, self.trainer.net)
        return done

    def resume(self):
        """Continue a diverged run from its last finite parameters with the current
        settings (see :meth:`Trainer.resume`)."""
        self.trainer.resume()

    def edit_data(self, data, trainer):
        """Painted data (:mod:`playground.state.drawing`): the same run, its network and
        history kept, continued by ``trainer`` on ``data``."""
        self.data, self.trainer = data, trainer
        self.run_id += 1                     # views drawn from the old points are redrawn
        self._health_cache = None

    def step_epoch(self):
        return self.step(self.trainer.updates_left_in_epoch)

    def load_run_file(self, data):
        """Continue an exported run (raises RunFileError); returns the settings it carries."""
        trainer, settings, names, self.import_notes = read_run_file(
            data, self.settings, limits={"rows": MAX_SESSION_ROWS})
        self.settings = settings
        self.data = Data(trainer.X.astype(np.float64), trainer.y,
                         trainer.X_test.astype(np.float64), trainer.y_test, names,
                         "imported run", task=trainer.net.task)
        # the imported data now stand for these settings, so that applying them keeps the run
        self.data.identity = self._data_identity(settings)
        self.trainer = trainer
        self.run_id += 1
        self._new_snapshots()
        self._grid_cache = None
        return settings

    def export_extra(self):
        return run_extra(self.settings, self.data.class_names, self.data.source)

    # -- pins -------------------------------------------------------------------------------
    def pin(self):
        """Keep the current run's curves and settings for comparison (at most MAX_PINS)."""
        if len(self.pins) >= MAX_PINS:
            return False
        self.pins.append(Pin(self.settings.describe(), self.settings,
                             self.trainer.history.evals.as_dict(), self.trainer.updates))
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
        """The decision map's :class:`Grid`: the class probabilities over a G×G grid of the
        plane, recomputed only when the parameters changed since the last call."""
        ws = self._grid_pass()
        return Grid(self._grid_axes[0], self._grid_axes[1], ws.P.copy())

    def grid_activations(self, layer=None):
        """Every hidden layer's activations over the grid: (G·G, units) arrays (copies); with
        ``layer`` (0-based), that layer's only."""
        hidden = self._grid_pass().A[1:]
        if layer is not None:
            return hidden[layer].copy()
        return [a.copy() for a in hidden]

    def _grid_pass(self):
        tr = self.trainer
        key = (id(tr), tr.updates)
        if self._grid_cache is not None and self._grid_cache[0] == key:
            return self._grid_cache[1]
        if self._grid_cache is None or self._grid_cache[1].net is not tr.net:
            # a 5 % margin: [-1, 1]² (where the data sets live) gets 0.1 on each side
            self._grid_axes = grid_axes(self.data.X_all, resolution=GRID, margin=0.05)
            ws = tr.net.points_workspace(grid_points(*self._grid_axes))
        else:
            ws = self._grid_cache[1]
        ws.forward()
        self._grid_cache = (key, ws)
        return ws

    def parameters(self):
        """Copies of the network's (W, b) per layer, for views (never the live buffers)."""
        net = self.trainer.net
        return [(W.copy(), b.copy()) for W, b in zip(net.weights, net.biases)]

    def probabilities_at(self, params, points):
        """Class probabilities of a snapshot's parameters at some points (for replay); for
        a regression run its predicted values (n, 1)."""
        return outputs_at(self.trainer.net, params, points)

    def unit_health(self):
        """Per hidden layer, the share of dead (ReLU: zero on every training point) or
        saturated (sigmoid/tanh: within 1 % of a bound on every point) units. A pass over the
        training set: computed once per update (the stall check and the Gradients view)."""
        key = (self.run_id, self.trainer.updates)
        if self._health_cache is not None and self._health_cache[0] == key:
            return list(self._health_cache[1])
        health = stuck_shares(self.trainer.net.activation, self.trainer.train_activations())
        self._health_cache = (key, health)
        return list(health)

