"""One-click lessons for a class: a configuration and what to watch for."""

from __future__ import annotations

from dataclasses import dataclass

from .settings import Settings


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    summary: str
    text: str
    settings: Settings


LESSONS = (
    Lesson("spiral", "CS231n spiral: linear vs hidden layer",
           "Why a hidden layer matters.",
           "This network's hidden layer is *linear*, so the whole model is a linear "
           "classifier: press Play and watch it stall near 50 % on the three arms. Then switch "
           "the activation to **relu** (a new run starts) and play again: one hidden layer of "
           "100 ReLUs bends the regions around the spiral and passes 95 %.",
           Settings(dataset="spiral", samples=300, noise=0.2, classes=3, activation="linear",
                    lr=1.0, l2=1e-3)),
    Lesson("lr_too_high", "Learning rate too high",
           "Watch the loss explode, then recover.",
           "SGD with one sample per update and a learning rate of 10: within a few updates the "
           "loss explodes and the playground pauses with a warning. Lower the learning rate "
           "to 0.1 and press Reset: the same network now learns smoothly.",
           Settings(dataset="spiral", batch_mode="SGD", lr=10.0, speed=5)),
    Lesson("batch_modes", "Full batch vs mini-batch vs SGD",
           "Compare batch modes side by side.",
           "Play this full-batch run for a few hundred updates, open **Compare** and pin it. "
           "Then choose mini-batch (32), Reset, play and pin again; then SGD. The pinned "
           "curves show the trade-off: full batch is smooth but does one update per epoch; "
           "SGD zig-zags but makes 240 updates per epoch.",
           Settings(dataset="spiral", batch_mode="full batch", lr=0.3, speed=10)),
    Lesson("vanishing", "Vanishing gradients",
           "Four sigmoid layers: the first ones barely learn.",
           "Four hidden layers of sigmoid units. Open **Gradients** and watch the gradient-norm "
           "chart (log scale): at the start each layer closer to the input gets a gradient "
           "several times smaller, because σ′ ≤ ¼ at every layer it passes; the first layer "
           "stays well below the last one and its weights hardly move. Switch the activation "
           "to relu and Reset to compare.",
           Settings(dataset="circles", classes=2, layers=4, units=16, activation="sigmoid",
                    init="xavier", lr=0.3, speed=20)),
    Lesson("dead_relu", "Dead ReLUs",
           "A large learning rate kills units.",
           "Full-batch SGD with a learning rate of 10 and ReLU units. Open **Gradients**: the "
           "share of dead units (zero output on every point) jumps within a few updates, and "
           "dead units never come back because their gradient is exactly zero. Try leaky_relu "
           "or a learning rate of 0.3.",
           Settings(dataset="spiral", lr=10.0, speed=5)),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
