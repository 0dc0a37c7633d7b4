"""Command line: train a network without the UI.

    python -m playground train --dataset spiral --hidden 100 --lr 1 --updates 10000
    python -m playground train --dataset circles --features x1sq x2sq --hidden --classes 2
    python -m playground train --dataset gaussians --hidden 8 8 --activation tanh --lr 0.1

A regression dataset (plane, gaussians) trains a network with one linear output unit on the
mean of ½(ŷ − y)²; its accuracy is reported as "-".
"""

from __future__ import annotations

import argparse
import sys
import time

from .engine.activations import ACTIVATIONS
from .engine.csvfile import load_csv
from .engine.datasets import DatasetError, make_dataset, train_test_split
from .engine.features import FEATURES
from .engine.model import INITS, MLP, ModelError
from .engine.runfiles import run_to_json, run_to_npz
from .engine.tasks import CLASSIFICATION, TASKS, task_of_dataset
from .engine.training import OPTIMIZERS, Trainer, TrainingError


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {value}")
    return value


def _acc(value, spec):
    """An accuracy, or "-" where there is none (regression: NaN)."""
    return "-" if value != value else format(value, spec)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m playground",
                                     description="Train the NumPy playground network.")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a network and print its progress",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    t.add_argument("--dataset", default="spiral",
                   choices=[d for task in TASKS.values() for d in task.datasets],
                   help="plane and gaussians are regression (float targets)")
    t.add_argument("--csv", help="train on a CSV file (x1,x2,label) instead of --dataset")
    t.add_argument("--samples", type=int, default=300)
    t.add_argument("--noise", type=float, default=0.2)
    t.add_argument("--classes", type=int, default=3)
    t.add_argument("--data-seed", type=int, default=0)
    t.add_argument("--test-fraction", type=float, default=0.2)
    t.add_argument("--hidden", type=int, nargs="*", default=[100],
                   help="units per hidden layer, e.g. --hidden 64 64 (none: a linear model)")
    t.add_argument("--features", nargs="+", choices=FEATURES, default=None, metavar="ID",
                   help=f"the network's input features, from {', '.join(FEATURES)} "
                        f"(default: the raw x1 x2)")
    t.add_argument("--activation", default="relu", choices=tuple(ACTIVATIONS))
    t.add_argument("--init", default="he", choices=INITS)
    t.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    t.add_argument("--lr", type=float, default=1.0)
    t.add_argument("--batch-size", type=int, default=None,
                   help="mini-batch size; omit for full batch, 1 for SGD")
    t.add_argument("--optimizer", default="sgd", choices=OPTIMIZERS)
    t.add_argument("--momentum", type=float, default=0.9)
    t.add_argument("--l2", type=float, default=1e-3)
    t.add_argument("--l1", type=float, default=0.0)
    t.add_argument("--updates", type=int, default=10_000, help="parameter updates")
    t.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")
    t.add_argument("--log-every", type=_positive_int, default=1000)
    t.add_argument("--save", help="write the run to this .json or .npz file")
    return parser


def train(args, out=None):
    out = out or sys.stdout
    # a CSV holds labelled points; a generated dataset says which task it is for
    task = CLASSIFICATION if args.csv else task_of_dataset(args.dataset)
    if args.csv:
        X, y, names = load_csv(args.csv)
    else:
        X, y = make_dataset(args.dataset, args.samples, args.noise, args.classes, args.data_seed)
        names = [str(k) for k in range(int(y.max()) + 1)] if task.softmax else []
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, args.test_fraction, args.data_seed)
    inputs = len(args.features) if args.features else X.shape[1]
    outputs = task.n_outputs(len(names))
    net = MLP([inputs, *args.hidden, outputs], args.activation, init=args.init,
              seed=args.seed, dtype=args.dtype, features=args.features, task=task.name)
    trainer = Trainer(net, X_tr, y_tr, X_te, y_te, lr=args.lr, batch_size=args.batch_size,
                      optimizer=args.optimizer, momentum=args.momentum, l2=args.l2,
                      l1=args.l1, seed=args.seed, eval_every=args.log_every)
    problem = f"{len(names)} classes" if task.softmax else task.name
    inputs = " ".join(net.features) if net.features else "x1 x2"
    print(f"{len(X_tr)} train / {len(X_te)} test points, {problem}; inputs {inputs}; network "
          f"{net.layer_sizes} ({net.n_params} parameters), {trainer.mode}, "
          f"{trainer.updates_per_epoch} updates per epoch", file=out)
    start = time.perf_counter()
    done = 0
    while done < args.updates and not trainer.diverged:
        done += trainer.step(min(args.log_every, args.updates - done))
        m = trainer.evaluate()
        print(f"update {trainer.updates:>8}  epoch {trainer.epochs:>6}  "
              f"train loss {m['train_loss']:.4f} acc {_acc(m['train_acc'], '.3f')}  "
              f"test loss {m['test_loss']:.4f} acc {_acc(m['test_acc'], '.3f')}", file=out)
    elapsed = time.perf_counter() - start
    if trainer.diverged:
        print(trainer.divergence_message, file=out)
    m = trainer.evaluate()
    print(f"final train accuracy {_acc(m['train_acc'], '.4f')}, test accuracy "
          f"{_acc(m['test_acc'], '.4f')}, train loss {m['train_loss']:.4f}, test loss "
          f"{m['test_loss']:.4f} ({trainer.updates / max(elapsed, 1e-9):,.0f} updates/s)",
          file=out)
    if args.save:
        data = run_to_npz(trainer) if args.save.endswith(".npz") else run_to_json(trainer)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(args.save, mode) as fh:
            fh.write(data)
        print(f"saved the run to {args.save}", file=out)
    return 1 if trainer.diverged else 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return train(args)
    except (DatasetError, ModelError, TrainingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
