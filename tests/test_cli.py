"""The tracegrad command and the expected results of issue 10 (fixed seeds)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import viz
from tracegrad import runs
from tracegrad.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_softmax_regression_on_digits_reaches_93_percent():
    assert runs.train({"model": "softmax", "epochs": 30, "lr": 0.01})["test_acc"] >= 0.93


def test_relu_mlp_on_digits_reaches_95_percent():
    assert runs.train({"model": "mlp", "epochs": 30, "lr": 1e-3, "patience": 5})["test_acc"] >= 0.95


def test_softmax_regression_on_mnist5k_held_out_1000_reaches_85_percent():
    X = runs.load(runs.check({"dataset": "mnist5k"}))
    assert len(X[4]) == 1000
    assert runs.train({"dataset": "mnist5k", "model": "softmax", "epochs": 10, "lr": 0.01})["test_acc"] >= 0.85


def test_one_epoch_of_adam_the_sigmoid_mlp_vanishes_and_its_residual_twin_does_not(tmp_path):
    def first_over_last(model):
        runs.train({"model": model, "epochs": 1, "lr": 1e-3, "batch_size": 32, "monitor": True,
                    "out": str(tmp_path / model)})
        h = viz.GradientMonitor.load(tmp_path / model / "gradients.json").history
        params = [i for i, la in enumerate(h["layers"]) if la["role"] == "param"]
        assert len(params) == 22  # 20 Linear layers of width 32 between an input and an output layer
        g = h["stats"]["grad_norm"][-1]
        return g[params[0]] / g[params[-1]]
    assert first_over_last("deep-sigmoid") < 1e-2
    assert 0.1 < first_over_last("deep-residual") < 10


def test_train_writes_metrics_history_model_and_report(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--model", "softmax", "--epochs", "2", "--lr", "0.01", "--monitor", "--out", str(out)]) == 0
    metrics = json.loads(capsys.readouterr().out.splitlines()[0])
    assert metrics["epochs"] == 2 and 0 < metrics["test_acc"] <= 1
    for name in ("metrics.json", "history.json", "settings.json", "model.npz", "gradients.json", "report.html"):
        assert (out / name).stat().st_size > 0
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0 and (out / "report.html").exists()


def test_bad_numbers_and_names_are_refused_before_any_work(capsys):
    for argv, text in ((["train", "--epochs", "0"], "positive whole number"), (["train", "--lr", "-1"], "positive"),
                       (["train", "--model", "nope"], "choose from"), (["knn", "-k", "0"], "positive")):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2 and text in capsys.readouterr().err
    assert main(["knn", "-k", "5000"]) == 2 and "training samples" in capsys.readouterr().err


def test_knn_prints_one_line_per_k(capsys):
    assert main(["knn", "--dataset", "digits", "-k", "1", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == ["k=1", "k=3"] and all("accuracy=0.9" in ln for ln in lines)


def test_datasets_and_graph(tmp_path, capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "fashion-mnist" in out
    assert main(["graph", "--model", "mlp", "--out", str(tmp_path / "g.svg")]) == 0
    assert (tmp_path / "g.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


def test_ctrl_c_saves_a_checkpoint_exits_130_and_resume_finishes(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "tracegrad", "train", "--model", "deep-relu", "--epochs", "15", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / "checkpoint").exists() and time.time() < deadline:  # the first epoch is done
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "resume" in err.lower()
    done = subprocess.run([sys.executable, "-m", "tracegrad", "train", "--resume", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "metrics.json").read_text())["epochs"] == 15


def test_sweep_runs_every_configuration_once(tmp_path, capsys):
    config = tmp_path / "sweep.json"
    config.write_text(json.dumps({"base": {"dataset": "digits", "model": "softmax", "epochs": 1},
                                  "grid": {"seed": [0, 1], "lr": [0.05, 0.01]}}))
    assert main(["sweep", str(config), "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 4 and all(0 < json.loads(x)["metrics"]["test_acc"] <= 1 for x in lines)
    assert "4 runs finished" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"grid": {"model": ["nope"]}}))
    assert main(["sweep", str(bad), "--out", str(tmp_path / "o2")]) == 2
