"""The sidebar: data, network and training controls, the lessons and the CSV upload."""

from __future__ import annotations

import streamlit as st

from .. import figures
from ..engine.activations import ACTIVATIONS
from ..engine.csvfile import sample_csv
from ..engine.datasets import CLASS_RANGE, DatasetError
from ..engine.features import FEATURE_LABELS, FEATURES
from ..engine.model import INITS
from ..engine.tasks import DEFAULT as DEFAULT_TASK
from ..engine.tasks import TASKS
from ..engine.training import OPTIMIZERS
from ..state import lessons
from ..state.playground import read_upload
from ..state.settings import (
    BATCH_MODES,
    L1_CHOICES,
    L2_CHOICES,
    LEARNING_RATES,
    LIMITS,
    UPLOAD,
    follow,
)
from .page_state import (
    LAYERS_KEY,
    WIDGETS,
    WIDTH_KEYS,
    chosen_settings,
    one_at_a_time,
    page_state,
    plain,
)

HELP = {
    "task": "Classification: predict each point's class (softmax output, cross-entropy). "
            "Regression: predict a number (one linear output, loss ½(ŷ − y)²), on TF "
            "Playground's plane and Gaussians. Switching starts a new run with the automatic "
            "learning rate.",
    "dataset": "The 2-D toy problem to learn, or your own CSV file (x1, x2, label).",
    "samples": "How many points to generate (train + test).",
    "noise": "How much the points are jittered: more noise, harder problem.",
    "classes": "Number of classes (spiral arms, blobs, checkerboard colours).",
    "test_fraction": "Share of the points held out as a test set (drawn as open circles).",
    "data_seed": "Random seed of the data generator and of the train/test split.",
    "layers": "Hidden layers. One hidden layer is the classic two-layer network; none is a "
              "linear model on the inputs.",
    "units": "Units (neurons) in this hidden layer.",
    "activation": "Non-linearity of the hidden units. The output is softmax "
                  "(classification) or linear (regression).",
    "init": "Initial weights: He (for ReLU), Xavier (tanh/sigmoid), small (0.01·randn, "
            "CS231n), zeros (watch the symmetry never break).",
    "lr": "Step size η of W ← W − η·dW. Too large and the loss explodes.",
    "lr_auto": "Pick the learning rate for the optimizer, the batch mode and the depth "
               "(the one that trains the default spiral fastest without killing units). "
               "Moving the slider turns it off.",
    "batch_mode": "Full batch: every sample per update. Mini-batch: N_b samples, reshuffled "
                  "every epoch. SGD: one sample per update.",
    "batch_size": "Samples per mini-batch update.",
    "optimizer": "SGD is the plain update W ← W − η·dW; momentum and Adam smooth it.",
    "l2": "Weight decay: adds ½·λ·ΣW² to the loss and λ·W to each dW.",
    "l1": "Adds λ₁·Σ|W| to the loss and λ₁·sign(W) to each dW: every weight is pulled "
          "towards 0 by the same amount, so the weights the data do not need shrink to "
          "about 0 (a sparse network).",
    "features": "What the network reads of a point (x₁, x₂). With x₁² and x₂² even a "
                "network without a hidden layer can draw a circle. Changing them starts a "
                "new run.",
    "speed": "Parameter updates per animation frame while playing.",
    "seed": "Random seed of the initial weights and of the mini-batch order.",
}


def sidebar(pg):
    """Draw the controls. Returns ``(upload, (epoch_caption, lr_caption))``: a new valid CSV
    upload (or None) for :meth:`Playground.apply`, and the slots for the "updates per epoch"
    and the automatic learning rate's lines, which the page fills once the settings are
    applied (so that they describe them, not the last run's)."""
    upload = None
    with st.sidebar:
        st.title("Playground")
        with st.expander("Lessons", expanded=False):
            for lesson in lessons.LESSONS:
                st.button(lesson.title, key=f"lesson_{lesson.key}", on_click=_on_lesson,
                          args=(lesson,), use_container_width=True, help=lesson.summary)

        st.header("Data")
        task = TASKS[st.radio("Problem type", tuple(TASKS), key=WIDGETS["task"],
                              horizontal=True, help=HELP["task"])]
        sources = (*task.datasets, UPLOAD) if task.uploads else task.datasets
        dataset = st.selectbox("Dataset", sources, key=WIDGETS["dataset"],
                               help=HELP["dataset"])
        if not task.uploads:
            st.caption("Your own CSV: classification only for now.")
        if dataset == UPLOAD:
            upload = _upload_csv(pg)
        st.slider("Samples", *LIMITS["samples"], step=10, key=WIDGETS["samples"],
                  help=HELP["samples"], disabled=dataset == UPLOAD)
        st.slider("Noise", *LIMITS["noise"], step=0.05, key=WIDGETS["noise"],
                  help=HELP["noise"], disabled=dataset == UPLOAD)
        lo, hi = CLASS_RANGE.get(dataset, (2, 2))
        if hi > lo:
            st.slider("Classes", lo, hi, key=WIDGETS["classes"], help=HELP["classes"])
        st.slider("Test fraction", *LIMITS["test_fraction"], step=0.05,
                  key=WIDGETS["test_fraction"], help=HELP["test_fraction"])
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.number_input("Data seed", *LIMITS["data_seed"], step=1, key=WIDGETS["data_seed"],
                        help=HELP["data_seed"])
        c2.button("New data", on_click=_on_new_data, args=(pg,),
                  help="Draw a new sample of the dataset.",
                  use_container_width=True)

        st.header("Network")
        _features(pg)
        _hidden_layers()
        st.selectbox("Activation", tuple(ACTIVATIONS), key=WIDGETS["activation"],
                     format_func=lambda name: ACTIVATIONS[name].label,
                     help=HELP["activation"])
        st.selectbox("Initialisation", INITS, key=WIDGETS["init"], help=HELP["init"])

        st.header("Training")
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.select_slider("Learning rate", LEARNING_RATES, key=WIDGETS["lr"], help=HELP["lr"],
                         format_func=lambda v: f"{v:g}")
        c2.toggle("Auto", key=WIDGETS["lr_auto"], help=HELP["lr_auto"])
        lr_caption = st.empty()
        mode = st.radio("Batch mode", BATCH_MODES, key=WIDGETS["batch_mode"],
                        help=HELP["batch_mode"])
        if mode == "mini-batch":
            st.slider("Batch size", *LIMITS["batch_size"], key=WIDGETS["batch_size"],
                      help=HELP["batch_size"])
        epoch_caption = st.empty()
        st.selectbox("Optimizer", OPTIMIZERS, key=WIDGETS["optimizer"], help=HELP["optimizer"])
        c1, c2 = st.columns(2)
        c1.select_slider("L2", L2_CHOICES, key=WIDGETS["l2"], help=HELP["l2"],
                         format_func=lambda v: f"{v:g}")
        c2.select_slider("L1", L1_CHOICES, key=WIDGETS["l1"], help=HELP["l1"],
                         format_func=lambda v: f"{v:g}")
        st.slider("Speed (updates per frame)", *LIMITS["speed"], key=WIDGETS["speed"],
                  help=HELP["speed"])
        st.number_input("Weight seed", *LIMITS["seed"], step=1, key=WIDGETS["seed"],
                        help=HELP["seed"])
    return upload, (epoch_caption, lr_caption)


def _features(pg):
    """The input features as pills; the last one cannot be switched off."""
    st.pills("Input features", FEATURES, selection_mode="multi", key=WIDGETS["features"],
             format_func=FEATURE_LABELS.get, help=HELP["features"])
    page = page_state()
    if page.features_note:
        st.warning(page.features_note, icon=":material/info:")
        page.features_note = None


def _hidden_layers():
    """The number of hidden layers, then one width slider per layer."""
    layers = st.slider("Hidden layers", *LIMITS["layers"], key=LAYERS_KEY,
                       help=HELP["layers"])
    for i, key in enumerate(WIDTH_KEYS[:layers]):
        st.slider(f"Units in layer {i + 1}", *LIMITS["units"], key=key, help=HELP["units"])
    if not layers:
        st.caption("No hidden layer: the scores are a linear function of the inputs.")


def lr_line(settings):
    """Why the learning rate is what it is, when it is automatic."""
    if not settings.lr_auto:
        return ""
    depth = (f"{settings.layers} hidden layer{'s' if settings.layers > 1 else ''}"
             if settings.layers else "no hidden layer")
    task = "" if TASKS[settings.task] is DEFAULT_TASK else f", {settings.task}"
    # "sgd" names an optimizer and "SGD" a batch mode: each is said in words of its own
    optimizer = OPTIMIZER_WORDS.get(settings.optimizer, settings.optimizer)
    batch = BATCH_WORDS.get(settings.batch_mode, settings.batch_mode)
    return f"Automatic: {settings.lr:g} for {optimizer}, {batch}, {depth}{task}."


OPTIMIZER_WORDS = {"sgd": "plain gradient steps", "momentum": "momentum", "adam": "Adam"}
BATCH_WORDS = {"full batch": "the full batch", "mini-batch": "mini-batches",
               "SGD": "one sample per update"}


def epoch_line(pg):
    """"N updates per epoch on M training points" for the applied settings."""
    n = pg.trainer.updates_per_epoch
    return (f"{n:,} update{'s' if n != 1 else ''} per epoch on "
            f"{len(pg.data.X_train):,} training points")


@one_at_a_time
def _on_new_data(pg):
    """The next data seed, with whatever else the controls show."""
    chosen = follow(pg.settings, chosen_settings(pg.settings, page_state().written))
    page_state().shown = chosen.with_changes(
        data_seed=(chosen.data_seed + 1) % LIMITS["data_seed"][1])


@one_at_a_time
def _on_lesson(lesson):
    page = page_state()
    page.shown = lesson.settings
    page.lesson = lesson.key
    page.fresh_run = True
    page.pause_request = ""


def _upload_csv(pg):
    page = page_state()
    st.caption("CSV with columns **x1, x2, label** (header optional; labels may be names; "
               "2–10 classes, 4–20,000 rows, comma, semicolon or tab).")
    st.download_button("Sample CSV", sample_csv(), file_name="sample.csv", mime="text/csv",
                       on_click="ignore")
    file = st.file_uploader("CSV file", type=["csv", "txt"], key="w_upload")
    if file is None:
        if pg.upload is None:
            st.info("Upload a file to train on it. The current data stay until then.")
        return None
    data = file.getvalue()
    if page.upload_seen == (file.file_id, len(data)):
        if page.upload_error:
            st.error(page.upload_error)
        elif pg.upload is not None:
            _upload_preview(pg.upload)
        return None
    page.upload_seen = (file.file_id, len(data))
    try:
        upload = read_upload(file.name, data)
    except DatasetError as exc:
        page.upload_error = plain(f"Could not load {file.name!r}: {exc} The previous data and "
                                  f"run are kept.")
        st.error(page.upload_error)
        return None
    page.upload_error = None
    _upload_preview(upload)
    return upload


def _upload_preview(upload):
    st.caption(plain(f"{upload.name}: {len(upload.X):,} points, {len(upload.class_names)} "
                     f"classes (rescaled into [-1, 1]²). {upload.note}"))
    st.plotly_chart(figures.data_figure(upload.X, upload.y, class_names=upload.class_names,
                                        height=220), key="upload_preview",
                    config={"displayModeBar": False})
