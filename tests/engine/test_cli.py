"""The command line trains without the UI."""

import subprocess
import sys

from playground.__main__ import main
from playground.engine.runfiles import load_run


def test_cli_trains_the_spiral(capsys, tmp_path):
    out = tmp_path / "run.npz"
    code = main(["train", "--dataset", "spiral", "--hidden", "100", "--lr", "1", "--updates",
                 "2000", "--log-every", "500", "--save", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert text.count("update ") == 4
    final = [line for line in text.splitlines() if line.startswith("final train accuracy")][0]
    assert float(final.split()[3].rstrip(",")) >= 0.95
    trainer, _ = load_run(out.read_bytes())
    assert trainer.updates == 2000


def test_cli_reports_divergence_and_bad_input(capsys, tmp_path):
    assert main(["train", "--lr", "10000", "--updates", "200", "--log-every", "100"]) == 1
    assert "diverged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2\n")
    assert main(["train", "--csv", str(bad), "--updates", "10"]) == 2
    assert "Line 2" in capsys.readouterr().err


def test_cli_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "playground", "train", "--dataset", "moons",
                             "--classes", "2", "--updates", "50", "--log-every", "50",
                             "--batch-size", "32", "--optimizer", "adam", "--lr", "0.01"],
                            capture_output=True, text=True, check=True)
    assert "final train accuracy" in result.stdout


def test_cli_refuses_a_non_positive_log_interval(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--updates", "10", "--log-every", "0"])
    assert exit_info.value.code == 2 and "must be ≥ 1" in capsys.readouterr().err


def test_cli_trains_with_features_and_l1_and_saves_them(capsys, tmp_path):
    out = tmp_path / "run.json"
    code = main(["train", "--dataset", "circles", "--classes", "2", "--noise", "0.05",
                 "--features", "x1sq", "x2sq", "--hidden", "--l1", "0.001", "--updates", "600",
                 "--log-every", "300", "--save", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "inputs x1sq x2sq" in text and "network [2, 2]" in text
    final = [line for line in text.splitlines() if line.startswith("final train accuracy")][0]
    assert float(final.split()[3].rstrip(",")) >= 0.95     # no hidden layer: the squares do it
    trainer, _ = load_run(out.read_bytes())
    assert trainer.net.features == ("x1sq", "x2sq") and trainer.l1 == 0.001


def test_cli_trains_a_regression_dataset(capsys, tmp_path):
    out = tmp_path / "run.npz"
    code = main(["train", "--dataset", "plane", "--hidden", "--lr", "0.5", "--l2", "0",
                 "--updates", "400", "--log-every", "200", "--save", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "regression" in text and "network [2, 1]" in text
    final = [line for line in text.splitlines() if line.startswith("final train accuracy")][0]
    assert final.startswith("final train accuracy -, test accuracy -, train loss ")
    assert float(final.split()[9].rstrip(",")) < 0.01
    trainer, _ = load_run(out.read_bytes())
    assert trainer.net.task == "regression" and trainer.updates == 400


def test_cli_refuses_an_unknown_feature(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["train", "--features", "x3", "--updates", "10"])
    assert "invalid choice" in capsys.readouterr().err
