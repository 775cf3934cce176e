"""optim.swa_utils against torch.optim.swa_utils: the documentation's SWA and EMA loops (averaged parameters,
SWALR's lr sequence, batch-norm statistics after update_bn, predictions), avg_fn / use_buffers, errors."""
import math

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from optim import swa_utils


def _setup(lib, T):
    """A float64 model with batch norm, identical in both libraries, and a loader of (input, target) batches."""
    rng = np.random.default_rng(0)
    model = lib.Sequential(lib.Linear(4, 8), lib.BatchNorm1d(8), lib.ReLU(), lib.Linear(8, 2)).double()
    for p in model.parameters():
        p.data[...] = T(rng.standard_normal(tuple(p.shape)) * 0.5)
    loader = [(T(rng.standard_normal((10, 4))), T(rng.standard_normal((10, 2)))) for _ in range(3)]
    return model, loader, T(rng.standard_normal((5, 4)))


def _swa_docs(lib, opt_mod, T, anneal_strategy):
    """torch.optim's documentation, "Putting it all together" (shortened: 12 epochs, SWA from epoch 5)."""
    model, loader, test_input = _setup(lib, T)
    loss_fn = lib.MSELoss()
    optimizer = opt_mod.SGD(model.parameters(), lr=0.1, momentum=0.9)
    swa_model = opt_mod.swa_utils.AveragedModel(model)
    scheduler = opt_mod.lr_scheduler.CosineAnnealingLR(optimizer, T_max=12)
    swa_start = 5
    swa_scheduler = opt_mod.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_epochs=3, anneal_strategy=anneal_strategy)
    lrs = []
    for epoch in range(12):
        for input, target in loader:
            optimizer.zero_grad()
            loss_fn(model(input), target).backward()
            optimizer.step()
        if epoch > swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    opt_mod.swa_utils.update_bn(loader, swa_model)
    preds = swa_model(test_input)
    return swa_model, lrs, preds


def _np(t):
    return np.array(t.detach().numpy())


def _compare_models(ours, theirs, rtol=1e-10):
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        np.testing.assert_allclose(_np(sd[k]), _np(tsd[k]), rtol=rtol, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
def test_swa_docs_example_matches_torch(anneal_strategy, torch):
    ours, lrs, preds = _swa_docs(nn, optim, Tensor, anneal_strategy)
    theirs, tlrs, tpreds = _swa_docs(torch.nn, torch.optim, torch.tensor, anneal_strategy)
    assert lrs == tlrs  # the SWALR (and cosine) lr sequence, bit for bit
    assert int(ours.n_averaged.item()) == 6 == int(theirs.n_averaged)
    _compare_models(ours, theirs)  # averaged parameters, and BN statistics recomputed by update_bn
    np.testing.assert_allclose(_np(preds), _np(tpreds), rtol=1e-10, atol=1e-12)
    assert ours.training is theirs.training is True


@pytest.mark.parametrize("variant", ["multi", "multi_buffers", "avg_fn", "ema_avg_fn", "swa_buffers"])
def test_ema_docs_example_matches_torch(variant, torch):
    """``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))`` updated after every optimizer step."""
    results = []
    for lib, opt_mod, T in ((nn, optim, Tensor), (torch.nn, torch.optim, torch.tensor)):
        su = opt_mod.swa_utils
        kw = {"multi": dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
              "multi_buffers": dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.75), use_buffers=True),
              "avg_fn": dict(avg_fn=lambda averaged, current, num_averaged: 0.1 * averaged + 0.9 * current),
              "ema_avg_fn": dict(avg_fn=su.get_ema_avg_fn(0.8)),
              "swa_buffers": dict(use_buffers=True)}[variant]
        model, loader, test_input = _setup(lib, T)
        loss_fn = lib.MSELoss()
        optimizer = opt_mod.SGD(model.parameters(), lr=0.05, momentum=0.9)  # (Adam would blow up the ulp-noise
        # gradient of the bias that feeds batch norm)
        ema_model = su.AveragedModel(model, **kw)
        for epoch in range(4):
            for input, target in loader:
                optimizer.zero_grad()
                loss_fn(model(input), target).backward()
                optimizer.step()
                ema_model.update_parameters(model)
        before_bn = {k: _np(v) for k, v in ema_model.state_dict().items()}
        su.update_bn(loader, ema_model)
        results.append((ema_model, before_bn, ema_model(test_input)))
    (ours, before, preds), (theirs, tbefore, tpreds) = results
    for k in tbefore:
        np.testing.assert_allclose(before[k], tbefore[k], rtol=1e-10, atol=1e-12, err_msg=k)
    assert before["module.1.num_batches_tracked"] == tbefore["module.1.num_batches_tracked"]
    _compare_models(ours, theirs)
    np.testing.assert_allclose(_np(preds), _np(tpreds), rtol=1e-10, atol=1e-12)


def test_swalr_sequences_match_torch(torch):
    """Several groups (a list of swa_lrs), anneal_epochs 0 and 5, both strategies, state_dict round trip."""
    for anneal_epochs in (0, 1, 5):
        for strategy in ("cos", "linear"):
            seqs = []
            for opt_mod, T in ((optim, Tensor), (torch.optim, torch.tensor)):
                ps = [T(np.zeros(2), requires_grad=True), T(np.zeros(3), requires_grad=True)]
                opt = opt_mod.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=1.0)
                sched = opt_mod.swa_utils.SWALR(opt, swa_lr=[0.05, 0.2], anneal_epochs=anneal_epochs,
                                                anneal_strategy=strategy)
                seq = [sched.get_last_lr()]
                for _ in range(8):
                    opt.step()
                    sched.step()
                    seq.append([g["lr"] for g in opt.param_groups])
                seqs.append(seq)
            assert seqs[0] == seqs[1], (anneal_epochs, strategy)


def test_swalr_state_dict_round_trip():
    p = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    sched.step()
    sd = sched.state_dict()
    assert "anneal_func" not in sd and "optimizer" not in sd
    opt2 = optim.SGD([Tensor(np.zeros(2), requires_grad=True)], lr=1.0)
    other = swa_utils.SWALR(opt2, swa_lr=0.1, anneal_epochs=4, anneal_strategy="cos")
    other.load_state_dict(sd)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(5):
        sched.step()
        other.step()
        assert opt.param_groups[0]["lr"] == opt2.param_groups[0]["lr"]
    assert math.isclose(opt.param_groups[0]["lr"], 0.1)


def test_errors_as_torch():
    p = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr"):
        swa_utils.SWALR(opt, swa_lr=[0.1, 0.2])
    for fn in (swa_utils.get_ema_multi_avg_fn, swa_utils.get_ema_avg_fn):
        with pytest.raises(ValueError, match="decay"):
            fn(1.5)
    model = nn.Linear(2, 2)
    with pytest.raises(AssertionError, match="Only one"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())


def test_averaged_model_is_a_copy_and_runs_like_a_module():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    avg = swa_utils.AveragedModel(model)
    assert all(a is not b for a, b in zip(avg.parameters(), model.parameters()))
    assert [n for n, _ in avg.named_parameters()] == ["module." + n for n, _ in model.named_parameters()]
    w = model[0].weight
    w.data[...] = 1.0
    avg.update_parameters(model)
    w.data[...] = 3.0
    avg.update_parameters(model)
    swa = swa_utils.get_swa_multi_avg_fn()  # the multi form of the default gives the same mean
    m = [Tensor(np.ones(2))]
    swa(m, [Tensor(np.full(2, 3.0))], Tensor(np.array(1)))
    assert np.all(avg.module[0].weight.numpy() == 2.0) and np.all(m[0].numpy() == 2.0)
    avg.eval()
    assert model[1].training and not avg.training and not avg.module[1].training  # eval() reached the copy only
    out = avg(Tensor(np.ones((4, 3), np.float32)))
    assert out.shape == (4, 2)
    sd = avg.state_dict()
    fresh = swa_utils.AveragedModel(model)
    fresh.load_state_dict(sd)
    assert int(fresh.n_averaged.item()) == 2 and np.all(fresh.module[0].weight.numpy() == 2.0)
    swa_utils.update_bn([], nn.Linear(2, 2))  # no batch norm: nothing to do
