"""Guard rails that teach, and the bugs a newcomer hit, on the real page."""

import re
from pathlib import Path

import pytest
from apptest import ROOT, button, click, metric, new_session, page, view

from playground.app.live import _fmt
from playground.state.settings import DEFAULTS


def play_until(at, done, frames=60):
    """Play until ``done(at)`` holds (each AppTest run while playing is one frame)."""
    at.toggle(key="playing").set_value(True).run()
    for _ in range(frames):
        if done(at):
            break
        at.run()
    return done(at)


def diverged(at):
    return page(at).pg.trainer.diverged


def warnings(at):
    """The warnings' text as shown (plain() escapes Markdown with backslashes)."""
    return re.sub(r"\\(.)", r"\1", " ".join(w.value for w in at.warning))


def captions(at):
    return " ".join(c.value for c in at.caption)


def test_the_updates_per_epoch_line_follows_the_settings_at_once():
    at = new_session()
    assert "1 update per epoch on 240 training points" in captions(at)
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    assert "8 updates per epoch on 240 training points" in captions(at)     # ⌈240 / 32⌉
    at.slider(key="w_batch_size").set_value(2).run()
    assert "120 updates per epoch on 240 training points" in captions(at)
    at.slider(key="w_samples").set_value(2000).run()
    n = len(page(at).pg.data.X_train)
    assert n > 1500 and f"{-(-n // 2):,} updates per epoch on {n:,} training points" in \
        captions(at)


def test_the_divergence_banner_names_the_update_the_counter_shows():
    at = new_session({"lr": "10", "batch": "SGD", "speed": "20"})
    assert play_until(at, diverged)
    at.run()
    shown = metric(at, "Update")
    assert f"diverged after update {shown}:" in warnings(at)
    assert "learning rate 10 is too large" in warnings(at)


def test_after_a_divergence_a_smaller_rate_continues_from_the_last_finite_weights():
    at = new_session({"lr": "10", "batch": "SGD", "speed": "20"})
    assert play_until(at, diverged)
    at.run()
    assert button(at, "Continue from the last finite weights") is None   # same settings
    weights = [w.copy() for w in page(at).pg.trainer.net.weights]
    at.select_slider(key="w_lr").set_value(0.01).run()
    assert "learning rate now 0.01" in warnings(at)
    click(at, "Continue from the last finite weights")
    tr = page(at).pg.trainer
    assert not tr.diverged and "diverged" not in warnings(at)
    assert all((w == v).all() for w, v in zip(tr.net.weights, weights))  # kept, not reset
    before = tr.updates
    at.toggle(key="playing").set_value(True).run()
    at.run()
    assert at.session_state.playing is True and tr.updates > before


def test_a_lesson_after_a_diverged_run_starts_fresh_and_plays():
    at = new_session({"lr": "10", "batch": "SGD", "speed": "20"})
    assert play_until(at, diverged)
    at.run()
    click(at, "CS231n spiral: linear vs hidden layer")
    tr = page(at).pg.trainer
    assert not tr.diverged and tr.updates == 0 and "diverged" not in warnings(at)
    at.toggle(key="playing").set_value(True).run()
    at.run()
    assert at.session_state.playing is True and tr.updates > 0


def test_a_lesson_travels_in_the_share_link():
    at = new_session()
    click(at, "Dead ReLUs")
    query = {k: at.query_params[k] for k in at.query_params}
    assert query["lesson"] in ("dead_relu", ["dead_relu"])
    shared = new_session({k: v[-1] if isinstance(v, list) else v for k, v in query.items()})
    assert any("Dead ReLUs" in i.value for i in shared.info)
    assert page(shared).pg.trainer.lr == 10.0
    alone = new_session({"lesson": "dead_relu"})          # the lesson's own short link
    assert page(alone).pg.settings == page(shared).pg.settings and not alone.warning


@pytest.mark.parametrize("params, symptom, cause", [
    ({"lr": "10", "speed": "20"}, "dead", "learning rate 10 is too large"),
    ({"init": "zeros", "speed": "20"}, "ln 3 = 1.099", "zero initialisation"),
])
def test_a_stalled_run_gets_a_banner_with_the_cause(params, symptom, cause):
    at = new_session(params)
    assert "stalled" not in warnings(at)
    assert play_until(at, lambda at: "stalled" in warnings(at))
    text = warnings(at)
    assert symptom in text and cause in text, text


def test_a_healthy_run_gets_no_stall_banner():
    at = new_session({"speed": "20"})
    # a busy machine caps a frame's updates: play until 300, however many frames it takes
    assert play_until(at, lambda at: page(at).pg.trainer.updates >= 300, frames=400)
    assert "stalled" not in warnings(at)


def test_a_capped_speed_is_said():
    at = new_session({"layers": "4", "units": "256", "n": "2000", "speed": "200"})
    at.toggle(key="playing").set_value(True).run()
    at.run()
    assert re.search(r"Speed capped: \d+ of the 200 updates per frame", captions(at))


def test_the_replay_caption_gives_the_real_spacing():
    at = new_session({"speed": "20"})
    # a busy machine caps a frame's updates (FRAME_BUDGET): play until 200, however many
    # frames that takes
    assert play_until(at, lambda at: page(at).pg.trainer.updates >= 200, frames=400)
    at.toggle(key="playing").set_value(False).run()
    view(at, "Replay")
    snaps = page(at).pg.snapshots.updates
    gap = (snaps[-1] - snaps[0]) / (len(snaps) - 1)
    assert gap >= 20 and f"about one every {gap:,.0f} updates" in captions(at)


@pytest.mark.parametrize("value, text", [
    (1.0986, "1.0986"), (12.3456, "12.346"), (1060.1234, "1060.1"), (123456.0, "1.23e+05"),
    (float("nan"), "—"),
])
def test_metric_values_fit_their_box(value, text):
    assert _fmt(value, "loss") == text and len(text) <= 8


def test_the_default_speed_lets_a_student_watch_the_spiral_separate():
    """≥ 95 % training accuracy after 5–15 s of Play at the live loop's 12.5 frames/s (at
    most): the default speed needs 63–188 frames for it."""
    at = new_session()
    frames = 0
    at.toggle(key="playing").set_value(True).run()
    while page(at).pg.trainer.metrics["train_acc"] < 0.95 and frames < 400:
        at.run()
        frames += 1
    assert DEFAULTS.speed * 12.5 * 5 <= page(at).pg.trainer.updates <= DEFAULTS.speed * 12.5 * 15


def test_no_emoji_icons_only_material_ones():
    """Emoji render as empty boxes where no emoji font is installed."""
    emoji = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u23E9-\u23FA]")
    for path in (ROOT / "playground").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "icon=" in line:
                assert not emoji.search(line), f"{path.name}: {line.strip()}"
    at = new_session({"lr": "10", "batch": "SGD", "speed": "20", "bogus": "1"})
    assert play_until(at, diverged)
    at.run()
    for alert in [*at.warning, *at.info]:
        assert alert.proto.icon.startswith(":material/"), alert.proto.icon


def test_the_page_icon_is_a_local_image():
    """Emoji and Material page icons are fetched from the internet."""
    text = (Path(ROOT) / "streamlit_app.py").read_text(encoding="utf-8")
    icon = re.search(r'"(playground/[^"]+\.png)"', text).group(1)
    assert "page_icon=" in text and (Path(ROOT) / icon).is_file()


def test_the_dead_unit_shares_of_every_layer_fit_one_metric():
    at = new_session({"layers": "4", "units": "16"})
    view(at, "Gradients")
    (health,) = [m for m in at.metric if "units" in m.label and "layer" in m.label]
    shares = page(at).pg.unit_health()
    assert health.label == "Dead units, layer 1 → 4"
    assert health.value == " · ".join(f"{s:.0%}" for s in shares) and len(shares) == 4


def test_a_page_reconnected_to_a_new_session_is_told_and_paused():
    """The map's chart reports another session's token (its server stopped): the fresh
    session pauses and says what was lost, once."""
    at = new_session({"speed": "20"})
    at.toggle(key="playing").set_value(True).run()
    at.session_state["regions"] = {"moved": "a-token-of-the-stopped-server"}
    at.run()
    assert at.session_state.playing is False
    notice = [i.value for i in at.info if "reconnected to another one" in i.value]
    assert len(notice) == 1 and "settings came back from the link" in notice[0]
    click(at, "Dismiss")
    assert not [i for i in at.info if "reconnected" in i.value]


def test_the_vanishing_gradients_lesson_shows_what_its_text_says():
    at = new_session()
    click(at, "Vanishing gradients")
    click(at, "Step")
    click(at, "Step")
    norms = page(at).pg.trainer.history.evals.as_dict()
    first = [norms[f"grad_norm{l}"][-1] for l in range(1, 6)]
    assert all(a < b for a, b in zip(first, first[1:]))      # smaller towards the input
    assert first[-1] > 50 * first[0]
    assert play_until(at, lambda at: "stalled" in warnings(at), frames=40)
    assert "vanishing gradients" in warnings(at)


def test_a_plateau_the_loss_is_falling_through_is_not_a_stall():
    """Sigmoid units on the circles sit at 50 % for ~150 updates while the loss falls from
    7.8 to 1: no banner; they then reach 99 %."""
    from playground.state.guards import stall
    from playground.state.playground import Playground
    from playground.state.settings import from_query

    pg = Playground(from_query({"data": "circles", "act": "sigmoid", "v": "2"})[0])
    for _ in range(30):
        pg.step(10)
        assert stall(pg) is None, (pg.trainer.updates, stall(pg))
    assert pg.trainer.metrics["train_acc"] > 0.9


def test_a_dataset_picked_in_the_sidebar_brings_its_own_defaults():
    at = new_session()
    at.selectbox(key="w_dataset").select("checkerboard").run()
    assert page(at).pg.settings.classes == 2 and at.slider(key="w_classes").value == 2
    at.selectbox(key="w_dataset").select("circles").run()
    assert page(at).pg.settings.noise == 0.1
    at.slider(key="w_noise").set_value(0.3).run()            # the visitor's own choice ...
    at.selectbox(key="w_dataset").select("spiral").run()
    s = page(at).pg.settings
    assert s.noise == 0.3 and s.classes == 3                  # ... is kept


def test_step_epoch_alone_gets_the_stall_banner():
    # one evaluation per epoch (240 updates apart) once kept the check from ever running
    at = new_session({"batch": "SGD", "lr": "1"})
    for _ in range(6):
        click(at, "Step epoch")
    assert page(at).pg.trainer.updates == 6 * 240
    text = warnings(at)
    assert "stalled" in text and "dead" in text, text


def test_the_automatic_rate_names_the_optimizer_and_the_batch_mode_apart():
    # "sgd" is an optimizer and "SGD" a batch mode: "Automatic: 0.1 for sgd, SGD" said
    # neither
    at = new_session({"batch": "SGD", "v": "2"})
    line = next(c.value for c in at.caption if c.value.startswith("Automatic:"))
    assert line == "Automatic: 0.1 for plain gradient steps, one sample per update, 1 hidden " \
                   "layer.", line


@pytest.mark.parametrize("hidden, words", [("0", "1 weight layer,"), ("8", "2 weight layers,")])
def test_the_math_view_counts_its_weight_layers_in_words_that_agree(hidden, words):
    at = new_session({"hidden": hidden, "v": "2"})
    view(at, "Math")
    assert any(words in m.value for m in at.markdown), [m.value for m in at.markdown][:3]
