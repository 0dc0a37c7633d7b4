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
                    lr=1.0, lr_auto=False, l2=1e-3)),
    Lesson("lr_too_high", "Learning rate too high",
           "Watch the loss explode, then recover.",
           "SGD with one sample per update and a learning rate of 10: within a few updates the "
           "loss explodes and the playground pauses with a warning. Lower the learning rate "
           "to 0.1 and continue from the last finite weights, or press Reset: the same "
           "network now learns smoothly.",
           Settings(dataset="spiral", batch_mode="SGD", lr=10.0, lr_auto=False, speed=5)),
    Lesson("batch_modes", "Full batch vs mini-batch vs SGD",
           "Compare batch modes side by side.",
           "Play this full-batch run for a few hundred updates, open **Compare** and pin it. "
           "Then choose mini-batch (32), Reset, play and pin again; then SGD. The pinned "
           "curves show the trade-off: full batch is smooth but does one update per epoch; "
           "SGD zig-zags but makes 240 updates per epoch.",
           Settings(dataset="spiral", batch_mode="full batch", lr=0.3, lr_auto=False,
                    speed=10)),
    Lesson("vanishing", "Vanishing gradients",
           "Four sigmoid layers: the first ones barely learn.",
           "Four hidden layers of sigmoid units. Press **Step** a few times and open "
           "**Gradients**: the gradient-norm chart (log scale) shows each layer closer to the "
           "input getting a gradient several times smaller than the one after it, because "
           "σ′ ≤ ¼ at every layer it passes (about 0.25 at the output, 0.0015 at the first "
           "layer). Then press **Play**: the accuracy stays near 50 % for hundreds of updates "
           "and the playground says training has stalled. Switch the activation to relu and "
           "Reset to compare.",
           Settings(dataset="circles", classes=2, widths=(16,) * 4, activation="sigmoid",
                    init="xavier", lr=0.3, lr_auto=False, speed=5)),
    Lesson("dead_relu", "Dead ReLUs",
           "A large learning rate kills units.",
           "Full-batch SGD with a learning rate of 10 and ReLU units. Open **Gradients**: the "
           "share of dead units (zero output on every point) jumps within a few updates, and "
           "dead units never come back because their gradient is exactly zero. Try Leaky ReLU "
           "or a learning rate of 0.3.",
           Settings(dataset="spiral", lr=10.0, lr_auto=False, speed=5)),
    Lesson("one_point", "Follow one misclassified point's gradient",
           "Backprop for one point: its loss, its dscore, its share of dW.",
           "A small network (16 ReLUs) on a noisy spiral keeps some training points on the "
           "wrong side. Play a few seconds, Pause, and click a filled point whose colour "
           "differs from the region under it: **Backprop** opens with its trace. Its ŷ for "
           "its own class is small, so its loss −log ŷ and its dscore row (ŷ − onehot(y)) / n "
           "are large; follow them back through dh and dr to its share of each dW. Then click "
           "a point deep inside its own region: its dscore is nearly 0, and so is everything "
           "it adds to dW. Press Step a few times on the misclassified one and watch its ŷ "
           "for its class rise.",
           Settings(dataset="spiral", noise=0.3, widths=(16,), lr=1.0, lr_auto=False, speed=5)),
    Lesson("race", "Full batch vs SGD: who wins per epoch, who per second",
           "Race the batch modes from the same start.",
           "Open **Race** and press Play: full batch, mini-batch 32 and SGD start from the same "
           "weights on the same data, each at a learning rate that suits it, and make their "
           "updates in lock step. Switch the race's clock to **Epoch**: SGD makes 240 updates "
           "per epoch and full batch one, so SGD reaches 95 % in a few epochs and full batch "
           "needs about a hundred. Switch to **Seconds**: here full batch wins, because "
           "NumPy handles 240 points at once for about twice the cost of one, and full batch "
           "needs the fewest updates. Now set **Samples** to 2000 in the sidebar and press "
           "**Restart race**: a full-batch update costs several SGD updates now, and "
           "mini-batch catches up or takes the lead per second.",
           Settings(dataset="spiral")),
    Lesson("lr_bounce", "Why a too-large learning rate bounces across the valley",
           "Watch the path zig-zag on the loss landscape.",
           "Full batch with a learning rate of 3 on a small network. Open **Landscape**, "
           "choose **PCA of the path** and press **Step** about twenty times (or Play for two "
           "seconds, then Pause): the path zig-zags, each update landing on the opposite wall "
           "of the valley. Along the valley's steep direction the step overshoots the floor "
           "(a step longer than 2 / curvature lands higher on the other side), while along "
           "the gentle direction it still makes progress. The loss curve saws: it rises on "
           "about every other update. Now set the learning rate to 0.3, press Reset and step "
           "again: the path runs smoothly down the valley.",
           Settings(dataset="moons", classes=2, widths=(8,), lr=3.0, lr_auto=False)),
    Lesson("circle_features", "No hidden layer: x₁² and x₂² separate the circles",
           "The right input features make a linear model enough.",
           "This network has no hidden layer: its scores are a linear function of what it "
           "reads, and it reads **x₁²** and **x₂²** instead of the point (x₁, x₂). Press "
           "**Play**: within a few updates it passes 95 %. Open **Math** or **Network**: the "
           "weights of x₁² and x₂² are about equal, so the boundary w·(x₁² + x₂²) + b = 0 is "
           "a circle. Now choose the inputs **x₁, x₂** instead (a new run starts): a line "
           "cannot separate a ring from its centre, and the accuracy stays near 50 %. Add a "
           "hidden layer of 8 ReLUs and it can again.",
           Settings(dataset="circles", classes=2, noise=0.1, features=("x1sq", "x2sq"),
                    widths=())),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
