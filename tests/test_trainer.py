"""nn.Trainer: history against hand computation, accuracy, early stopping, callbacks, schedulers, the progress bar,
a GradientMonitor during fit, and the settings refused before any work."""
import math

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd.utils.data import DataLoader, TensorDataset
from nn.checkpoint import read_history
from nn.trainer import Callback, Trainer
from optim.lr_scheduler import ReduceLROnPlateau, StepLR

# NOTE: the scheduler classes are bound when this module is imported: a test elsewhere imports
# autograd.optim.lr_scheduler, which (as the alias finder stands) rebinds optim.lr_scheduler to a second copy
# whose schedulers reject this optim's optimizers.


def data(n=96, d=4, seed=0, flip=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.3)
    return X, (2 - y if flip else y)


def loader(X, y, bs=16, shuffle=True, **kw):
    return DataLoader(TensorDataset(autograd.tensor(X), autograd.tensor(y)), batch_size=bs, shuffle=shuffle, **kw)


def mlp(d=4, k=3, dropout=0.0):
    autograd.manual_seed(1)
    layers = [nn.Linear(d, 16), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(16, k)]
    return nn.Sequential(*layers)


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


class Recorder(Callback):
    def __init__(self, name="", log=None):
        self.name, self.log = name, log if log is not None else []

    def on_train_begin(self, trainer):
        self.log.append((self.name, "begin"))

    def on_batch_end(self, trainer, batch, logs):
        self.log.append((self.name, "batch", logs["epoch"], batch))

    def on_epoch_end(self, trainer, epoch, logs):
        self.log.append((self.name, "epoch", epoch))

    def on_train_end(self, trainer):
        self.log.append((self.name, "end"))


# ---- the history --------------------------------------------------------------------------------
def test_history_matches_a_loop_by_hand():
    X, y = data()
    Xv, yv = data(40, seed=5)
    model, ref = mlp(), mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    autograd.manual_seed(7)
    h = Trainer(model, opt, progress=False).fit(loader(X, y), loader(Xv, yv, bs=16, shuffle=False), epochs=1)

    autograd.manual_seed(7)  # the same shuffle: the trainer's checks leave the random state as they found it
    ropt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    losses, correct = [], 0
    for xb, yb in loader(X, y):
        ropt.zero_grad()
        out = ref(xb)
        loss = nn.functional.cross_entropy(out, yb)
        loss.backward()
        ropt.step()
        losses.append(loss.item())
        correct += int((out.numpy().argmax(1) == yb.numpy()).sum())
    assert h["train_loss"][0] == pytest.approx(np.mean(losses), rel=1e-12)  # six full batches: the plain mean
    assert h["train_acc"][0] == correct / len(y)
    for a, b in zip(weights(model).values(), weights(ref).values()):
        np.testing.assert_array_equal(a, b)
    with autograd.no_grad():
        out = ref(autograd.tensor(Xv))
        assert h["val_loss"][0] == pytest.approx(nn.functional.cross_entropy(out, autograd.tensor(yv)).item(),
                                                 rel=1e-5)
    assert h["val_acc"][0] == float(np.mean(out.numpy().argmax(1) == yv))
    assert h["epoch"] == [1] and h["lr"] == [0.1] and h["best_epoch"] == 1 and h["epoch_time"][0] > 0


def test_epoch_loss_weights_an_uneven_last_batch_by_its_size():
    X, y = data(40)
    seen = []

    class Sizes:
        def on_batch_end(self, trainer, batch, logs):
            seen.append((logs["loss"], logs["batch_size"]))

    h = Trainer(mlp(), optim.SGD(mlp().parameters(), lr=0.05), callbacks=[Sizes()], progress=False) \
        .fit(loader(X, y, bs=16), epochs=1)
    assert [n for _, n in seen] == [16, 16, 8]
    assert h["train_loss"][0] == pytest.approx(sum(loss * n for loss, n in seen) / 40, rel=1e-12)
    assert h["val_loss"] == [None] and h["val_acc"] == [None] and h["best_epoch"] is None


def test_regression_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3)).astype(np.float32)
    Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32))
    model = nn.Linear(3, 1)
    h = Trainer(model, optim.SGD(model.parameters(), lr=0.1), loss_fn=nn.MSELoss(), progress=False) \
        .fit(loader(X, Y, bs=8), loader(X, Y, bs=8), epochs=3)
    assert h["train_acc"] == [None] * 3 and h["val_acc"] == [None] * 3
    assert h["train_loss"][2] < h["train_loss"][0]


# ---- early stopping ---------------------------------------------------------------------------
def test_early_stopping_stops_and_restores_the_best_epoch():
    X, y = data()
    Xv, yv = data(seed=0, flip=True)  # the labels reversed: the better it learns, the worse it validates
    model = mlp()
    snaps = {}

    class Snap:
        def on_epoch_end(self, trainer, epoch, logs):
            snaps[epoch + 1] = weights(trainer.model)

    t = Trainer(model, optim.Adam(model.parameters(), lr=0.01), early_stopping=1, callbacks=[Snap()],
                progress=False)
    h = t.fit(loader(X, y), loader(Xv, yv), epochs=20)
    assert t.state == "stopped_early"
    vl = h["val_loss"]
    assert h["best_epoch"] == 1 + int(np.argmin(vl)) and len(vl) == h["best_epoch"] + 2  # 1 tolerated, 1 stops
    for k, v in weights(model).items():
        np.testing.assert_array_equal(v, snaps[h["best_epoch"]][k])
    assert not np.array_equal(snaps[len(vl)]["0.weight"], snaps[h["best_epoch"]]["0.weight"])


def test_patience_zero_stops_at_the_first_epoch_without_improvement():
    X, y = data()
    Xv, yv = data(seed=0, flip=True)
    model = mlp()
    h = Trainer(model, optim.Adam(model.parameters(), lr=0.01), early_stopping=0, progress=False) \
        .fit(loader(X, y), loader(Xv, yv), epochs=20)
    assert len(h["val_loss"]) == h["best_epoch"] + 1


def test_best_weights_come_back_even_when_every_epoch_ran():
    X, y = data()
    model = mlp()
    t = Trainer(model, optim.SGD(model.parameters(), lr=0.5), early_stopping=50, progress=False)
    h = t.fit(loader(X, y), loader(*data(seed=3)), epochs=6)
    assert t.state == "finished" and len(h["val_loss"]) == 6
    with autograd.no_grad():  # the model scores the best validation loss again
        Xv, yv = data(seed=3)
        got = nn.functional.cross_entropy(model(autograd.tensor(Xv)), autograd.tensor(yv)).item()
    assert got == pytest.approx(min(h["val_loss"]), rel=1e-5)


# ---- callbacks, schedulers, progress ------------------------------------------------------------
def test_callbacks_are_called_in_order():
    X, y = data(48)
    log = []
    model = mlp()
    opaque = object()  # no hook at all (as a GradientMonitor): accepted, left alone
    Trainer(model, optim.SGD(model.parameters(), lr=0.1), callbacks=[Recorder("a", log), opaque, Recorder("b", log)],
            progress=False).fit(loader(X, y, bs=16), loader(X, y), epochs=2)
    expect = [("a", "begin"), ("b", "begin")]
    for e in range(2):
        for b in range(3):
            expect += [("a", "batch", e, b), ("b", "batch", e, b)]
        expect += [("a", "epoch", e), ("b", "epoch", e)]
    expect += [("a", "end"), ("b", "end")]
    assert log == expect


def test_epoch_logs_and_stop_training():
    X, y = data(48)
    rows = []

    class StopAfterTwo:
        def on_epoch_end(self, trainer, epoch, logs):
            rows.append(logs)
            trainer.stop_training = epoch == 1

    model = mlp()
    t = Trainer(model, optim.SGD(model.parameters(), lr=0.1), callbacks=StopAfterTwo(), progress=False)
    h = t.fit(loader(X, y), epochs=10)
    assert t.state == "stopped" and len(h["train_loss"]) == 2 and len(rows) == 2
    assert rows[1]["epoch"] == 2 and rows[1]["train_loss"] == h["train_loss"][1] and "best_epoch" in rows[1]


def test_a_gradient_monitor_records_every_step():
    from viz import GradientMonitor
    X, y = data(64)
    model = mlp()
    opt = optim.Adam(model.parameters(), lr=0.01)
    mon = GradientMonitor(model, opt)
    Trainer(model, opt, callbacks=[mon], progress=False).fit(loader(X, y, bs=16), loader(X, y), epochs=3)
    hist = mon.history
    assert hist["steps"] == list(range(12))
    params = [i for i, layer in enumerate(hist["layers"]) if layer["role"] == "param"]
    assert len(params) == 2 and all(hist["stats"]["grad_norm"][-1][i] > 0 for i in params)


def test_schedulers_epoch_batch_and_plateau():
    X, y = data(48)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = Trainer(model, opt, scheduler=StepLR(opt, step_size=1, gamma=0.5), progress=False) \
        .fit(loader(X, y), epochs=3)
    assert h["lr"] == [0.1, 0.05, 0.025] and opt.param_groups[0]["lr"] == 0.0125

    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    Trainer(model, opt, scheduler=StepLR(opt, step_size=1, gamma=0.5), scheduler_interval="batch",
            progress=False).fit(loader(X, y, bs=16), epochs=1)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 8)

    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    Xv, yv = data(seed=0, flip=True)
    h = Trainer(model, opt, scheduler=ReduceLROnPlateau(opt, patience=0, factor=0.5),
                progress=False).fit(loader(X, y), loader(Xv, yv), epochs=4)
    assert h["lr"][-1] < 0.1  # the validation loss rises: the plateau scheduler got it and cut the lr


def test_progress_bar(capsys, monkeypatch):
    X, y = data(32)
    model = mlp()
    Trainer(model, optim.SGD(model.parameters(), lr=0.1), progress=True).fit(loader(X, y), epochs=2)
    err = capsys.readouterr().err
    assert "Epoch 1/2" in err and "Epoch 2/2" in err and "loss=" in err
    monkeypatch.setenv("CI", "1")
    model = mlp()
    Trainer(model, optim.SGD(model.parameters(), lr=0.1)).fit(loader(X, y), epochs=1)  # auto: quiet on CI
    assert capsys.readouterr().err == ""


def test_history_json_round_trips_nan(tmp_path):
    X, y = data(32)
    model = mlp()
    t = Trainer(model, optim.SGD(model.parameters(), lr=0.1), checkpoint_dir=tmp_path, progress=False)
    h = t.fit(loader(X, y), epochs=2)
    assert read_history(tmp_path) == h
    h["train_loss"][0] = math.nan
    h["val_loss"] = [math.inf, -math.inf]
    from nn.checkpoint import write_json_atomic
    write_json_atomic(tmp_path / "h.json", h)
    assert '"nan"' in (tmp_path / "h.json").read_text()
    back = read_history(tmp_path / "h.json")
    assert math.isnan(back["train_loss"][0]) and back["val_loss"] == [math.inf, -math.inf]


# ---- refused settings -----------------------------------------------------------------------------
def fresh():
    model = mlp()
    return model, optim.SGD(model.parameters(), lr=0.1)


@pytest.mark.parametrize("lr", [0.0, -0.1])
def test_bad_learning_rate_is_refused(lr):
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    opt.param_groups[0]["lr"] = lr
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['lr'\] is .*must be > 0"):
        Trainer(model, opt)
    model, opt = fresh()
    t = Trainer(model, opt, progress=False)
    opt.param_groups[0]["lr"] = lr
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        t.fit(loader(*data(32)), epochs=1)


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True])
def test_bad_epochs_are_refused(epochs):
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        Trainer(*fresh(), progress=False).fit(loader(*data(32)), epochs=epochs)


@pytest.mark.parametrize("patience", [-1, 1.5])
def test_bad_patience_is_refused(patience):
    with pytest.raises(ValueError, match="early_stopping .*patience.* >= 0"):
        Trainer(*fresh(), early_stopping=patience)


def test_empty_loaders_and_early_stopping_without_validation_are_refused():
    X, y = data(10)
    with pytest.raises(ValueError, match=r"train_loader is empty.*10 samples, batch_size=16, drop_last=True"):
        Trainer(*fresh(), progress=False).fit(loader(X, y, bs=16, drop_last=True), epochs=1)
    with pytest.raises(ValueError, match="val_loader is empty"):
        Trainer(*fresh(), progress=False).fit(loader(X, y), loader(X[:0], y[:0], shuffle=False), epochs=1)
    with pytest.raises(ValueError, match="early_stopping .*val_loader"):
        Trainer(*fresh(), early_stopping=2, progress=False).fit(loader(X, y), epochs=1)


def test_a_model_that_does_not_match_the_classes_is_refused_before_any_work():
    X, y = data()  # labels 0..2
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    model.train()
    opt = optim.SGD(model.parameters(), lr=0.1)
    before, state = weights(model), autograd.default_generator().bit_generator.state
    log = []
    with pytest.raises(ValueError, match=r"outputs 2 class scores \(outputs.shape\[1\] = 2\) but the labels need 3 "
                                         r"classes \(max label 2 \+ 1"):
        Trainer(model, opt, callbacks=[Recorder("a", log)], progress=False).fit(loader(X, y), epochs=1)
    assert log == [] and autograd.default_generator().bit_generator.state == state and model.training
    for k, v in weights(model).items():
        np.testing.assert_array_equal(v, before[k])
    with pytest.raises(ValueError, match=r"outputs 3 class scores \(outputs.shape\[1\] = 3\) but num_classes = 5"):
        Trainer(mlp(), opt, num_classes=5, progress=False).fit(loader(X, y), epochs=1)
    with pytest.raises(ValueError, match="num_classes = 2 but train_loader's dataset has label 2"):
        Trainer(model, opt, num_classes=2, progress=False).fit(loader(X, y), epochs=1)
    m4 = mlp(k=4)  # more outputs than labels seen is fine (a class may be missing from the data)
    Trainer(m4, optim.SGD(m4.parameters(), lr=0.1), progress=False).fit(loader(X, y), epochs=1)


def test_other_bad_arguments():
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        Trainer(lambda x: x, fresh()[1])
    with pytest.raises(ValueError, match="scheduler_interval"):
        Trainer(*fresh(), scheduler_interval="step")
    with pytest.raises(ValueError, match="num_classes"):
        Trainer(*fresh(), num_classes=0)
    with pytest.raises(ValueError, match="resume=True reads checkpoint_dir"):
        Trainer(*fresh(), progress=False).fit(loader(*data(32)), epochs=1, resume=True)
    with pytest.raises(TypeError, match=r"\(inputs, targets\) pairs"):
        Trainer(*fresh(), progress=False).fit([[autograd.randn(2, 4)]], epochs=1)
