"""tracegrad.runs.PROBLEM_SET_1: the lecture's Problem Set 1 settings (softmax regression on MNIST, SGD lr 0.01), a
valid run configuration whose epochs shrink under TRACEGRAD_FAST=1 (what notebooks/03 reads)."""
import os
import subprocess
import sys

import pytest

from tracegrad import runs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_problem_set_1_is_the_lectures_listing_and_a_valid_run():
    s = runs.check(runs.PROBLEM_SET_1)
    assert (s["dataset"], s["model"], s["optimizer"], s["lr"]) == ("mnist5k", "softmax", "sgd", 0.01)
    assert s["batch_size"] == 32 and s["seed"] == 0


@pytest.mark.parametrize("fast, epochs", [("1", 5), ("", 50)])
def test_problem_set_1_epochs_shrink_under_fast_mode(fast, epochs):
    env = {**os.environ, "TRACEGRAD_FAST": fast}
    code = "from tracegrad import runs; print(runs.PROBLEM_SET_1['epochs'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) == epochs


def test_problem_set_1_one_epoch_learns_the_digits():
    m = runs.train({**runs.PROBLEM_SET_1, "epochs": 1})
    assert m["params"] == 784 * 10 + 10
    assert m["test_acc"] > 0.7  # chance is 0.1; one epoch of lr 0.01 SGD gets about 0.8
