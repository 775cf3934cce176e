"""nn + optim + nn.save together: a training run checkpointed to disk resumes bit for bit."""
import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor


def _model():
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))


def _steps(model, opt, sched, batches):
    for x, y in batches:
        loss = nn.functional.cross_entropy(model(Tensor(x)), Tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize("make_opt", [lambda p: optim.Adam(p, lr=1e-2, amsgrad=True),
                                      lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                                      lambda p: optim.RMSprop(p, lr=1e-2, centered=True, momentum=0.5)])
def test_checkpoint_to_disk_resumes_bit_for_bit(make_opt, tmp_path):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((5, 6)).astype(np.float32), rng.integers(0, 3, 5)) for _ in range(12)]

    autograd.manual_seed(1)
    ref = _model()
    ref_opt = make_opt(ref.parameters())
    _steps(ref, ref_opt, optim.lr_scheduler.StepLR(ref_opt, 4, 0.5), batches)

    autograd.manual_seed(1)
    model = _model()
    opt = make_opt(model.parameters())
    sched = optim.lr_scheduler.StepLR(opt, 4, 0.5)
    _steps(model, opt, sched, batches[:5])
    nn.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ck.npz")

    autograd.manual_seed(99)  # a different init: everything must come from the checkpoint
    model2 = _model()
    opt2 = make_opt(model2.parameters())
    sched2 = optim.lr_scheduler.StepLR(opt2, 4, 0.5)
    ck = nn.load(tmp_path / "ck.npz")
    model2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["opt"])
    sched2.load_state_dict(ck["sched"])
    _steps(model2, opt2, sched2, batches[5:])

    for (name, a), (_, b) in zip(ref.state_dict().items(), model2.state_dict().items()):
        assert np.array_equal(a, b), name
    assert opt2.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"]
