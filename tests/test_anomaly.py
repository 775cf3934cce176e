"""Anomaly mode: the first op making NaN or inf raises, naming op, scope, shapes and the user line."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


# ---- anomaly mode ---------------------------------------------------------------------------------
def test_anomaly_forward_nan_names_op_scope_shapes_and_line():
    x = Tensor(np.array([[1.0, -1.0, 2.0]]), requires_grad=True)
    with autograd.detect_anomaly():
        with autograd.scope("enc"):
            with pytest.raises(autograd.AnomalyError) as info:
                x.log()  # the line the error must point at
    msg = str(info.value)
    assert "forward of Log produced NaN" in msg
    assert "scope enc" in msg
    assert "(1, 3)" in msg
    assert "test_anomaly.py" in msg and "x.log()" in msg


def test_anomaly_backward_inf_names_op():
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with autograd.detect_anomaly():
        y = x.sqrt().sum()  # sqrt'(0) = inf
        with pytest.raises(autograd.AnomalyError) as info, np.errstate(divide="ignore"):
            y.backward()
    msg = str(info.value)
    assert "backward of Sqrt produced inf" in msg
    assert "(2,)" in msg
    assert "test_anomaly.py" in msg and "x.sqrt()" in msg


def test_anomaly_backward_nan_from_upstream_nan_gradient():
    x = Tensor(np.array([0.0]), requires_grad=True)
    with autograd.detect_anomaly():
        y = (x.sqrt() * 0.0).sum()  # inf * 0 -> nan in Sqrt's backward
        with pytest.raises(autograd.AnomalyError, match="backward of Sqrt produced (NaN|inf)"), \
                np.errstate(all="ignore"):
            y.backward()


def test_no_anomaly_outside_anomaly_mode():
    x = Tensor(np.array([-1.0, 0.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        y = x.log()
        z = x.sqrt().sum()
        z.backward()
    assert np.isnan(y.data[0]) and np.isinf(x.grad.data[1])
    assert not autograd.mode.STATE.anomaly


def test_anomaly_mode_does_not_change_results():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with autograd.detect_anomaly():
        y = (x.log() * x.tanh()).sum()
        y.backward()
    g = x.grad.numpy().copy()
    x.grad = None
    (x.log() * x.tanh()).sum().backward()
    np.testing.assert_array_equal(g, x.grad.data)
