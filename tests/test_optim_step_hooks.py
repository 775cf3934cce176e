"""torch's optimizer step hooks: per optimizer and global, pre (may replace the arguments) and post."""
import numpy as np
import pytest

import autograd
import optim
from autograd import Tensor
from optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook


def _param():
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    p.grad = Tensor(np.array([0.5, 0.5]))
    return p


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.Adam(ps, lr=0.1),
                                  lambda ps: optim.LBFGS(ps, lr=0.1)])
def test_pre_and_post_hooks_run_around_each_step_in_order(make):
    p = _param()
    opt = make([p])
    seen = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: seen.append(("pre", o is opt, p.numpy().copy())))
    h2 = opt.register_step_post_hook(lambda o, a, k: seen.append(("post", o is opt, p.numpy().copy())))
    closure = (lambda: (p * p).sum()) if isinstance(opt, optim.LBFGS) else None
    opt.step(closure) if closure else opt.step()
    assert [s[0] for s in seen] == ["pre", "post"] and all(s[1] for s in seen)
    assert not np.array_equal(seen[0][2], seen[1][2])  # the weights moved between them
    h1.remove()
    h2.remove()
    opt.step(closure) if closure else opt.step()
    assert len(seen) == 2


def test_a_pre_hook_may_replace_the_arguments_and_global_hooks_see_every_optimizer():
    p = _param()
    opt = optim.SGD([p], lr=0.1)
    calls = []
    closure = lambda: calls.append("closure") or autograd.tensor(0.0)  # noqa: E731
    opt.register_step_pre_hook(lambda o, a, k: ((closure,), {}))
    g = register_optimizer_step_post_hook(lambda o, a, k: calls.append(type(o).__name__))
    try:
        opt.step()
        optim.Adam([_param()]).step()
    finally:
        g.remove()
    assert calls == ["closure", "SGD", "Adam"]
    bad = register_optimizer_step_pre_hook(lambda o, a, k: "nonsense")
    try:
        with pytest.raises(RuntimeError, match="pre-hook"):
            opt.step()
    finally:
        bad.remove()


def test_a_custom_optimizer_calling_super_step_runs_the_hooks_once():
    class Half(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = _param()
    opt = Half([p], lr=0.1)
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append(1))
    opt.step()
    assert seen == [1]
