"""The command line trains without the UI."""

import subprocess
import sys

from playground.__main__ import main
from playground.runs import load_run


def test_cli_trains_the_spiral(capsys, tmp_path):
    out = tmp_path / "run.npz"
    code = main(["train", "--dataset", "spiral", "--hidden", "100", "--lr", "1", "--steps",
                 "2000", "--log-every", "500", "--save", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert text.count("update ") == 4
    final = [line for line in text.splitlines() if line.startswith("final train accuracy")][0]
    assert float(final.split()[3].rstrip(",")) >= 0.95
    trainer, _ = load_run(out.read_bytes())
    assert trainer.steps == 2000


def test_cli_reports_divergence_and_bad_input(capsys, tmp_path):
    assert main(["train", "--lr", "10000", "--steps", "200", "--log-every", "100"]) == 1
    assert "diverged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2\n")
    assert main(["train", "--csv", str(bad), "--steps", "10"]) == 2
    assert "Line 2" in capsys.readouterr().err


def test_cli_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "playground", "train", "--dataset", "moons",
                             "--classes", "2", "--steps", "50", "--log-every", "50",
                             "--batch-size", "32", "--optimizer", "adam", "--lr", "0.01"],
                            capture_output=True, text=True, check=True)
    assert "final train accuracy" in result.stdout


def test_cli_refuses_a_non_positive_log_interval(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--steps", "10", "--log-every", "0"])
    assert exit_info.value.code == 2 and "must be ≥ 1" in capsys.readouterr().err
