"""nn.Trainer checkpoints and resume: atomic files without pickle, Ctrl-C (a real SIGINT in a subprocess) saving and
exiting with 130, and resumed runs bit-identical to uninterrupted ones, mid-epoch and at epoch ends."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd.utils.data import DataLoader, TensorDataset
from nn.checkpoint import load_checkpoint, read_history
from nn.trainer import Trainer, TrainingInterrupted
from optim.lr_scheduler import StepLR

# NOTE: the scheduler classes are bound when this module is imported: a test elsewhere imports
# autograd.optim.lr_scheduler, which (as the alias finder stands) rebinds optim.lr_scheduler to a second copy
# whose schedulers reject this optim's optimizers.

ROOT = Path(__file__).resolve().parent.parent


def data(n=96, seed=0, flip=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.3)
    return X, (2 - y if flip else y)


def setup(own_generator=False, scheduler=True, early_stopping=10):
    """A fresh model (dropout: draws from the global generator), Adam, StepLR and shuffling loaders, all seeded."""
    autograd.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = StepLR(opt, step_size=2, gamma=0.5) if scheduler else None
    X, y = data()
    gen = np.random.default_rng(11) if own_generator else None
    train = DataLoader(TensorDataset(autograd.tensor(X), autograd.tensor(y)), batch_size=16, shuffle=True,
                       generator=gen)
    Xv, yv = data(40, seed=5)
    val = DataLoader(TensorDataset(autograd.tensor(Xv), autograd.tensor(yv)), batch_size=16)
    return model, opt, sched, train, val, early_stopping


def trainer(parts, ckdir, callbacks=()):
    model, opt, sched, _, _, es = parts
    return Trainer(model, opt, scheduler=sched, early_stopping=es, checkpoint_dir=ckdir, callbacks=callbacks,
                   progress=False)


def numbers(h):
    return {k: v for k, v in h.items() if k != "epoch_time"}


def assert_same_run(a_parts, a_hist, b_parts, b_hist):
    assert numbers(a_hist) == numbers(b_hist)
    sa, sb = a_parts[0].state_dict(), b_parts[0].state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert np.array_equal(sa[k].numpy(), sb[k].numpy()), k
    oa, ob = a_parts[1].state_dict(), b_parts[1].state_dict()
    for i in oa["state"]:
        for k in oa["state"][i]:
            assert np.array_equal(np.asarray(oa["state"][i][k].numpy()), np.asarray(ob["state"][i][k].numpy()))
    assert autograd.default_generator().bit_generator.state is not None


class InterruptAt:
    """Asks the trainer to stop as Ctrl-C does after ``n`` batches in all."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def on_batch_end(self, trainer, batch, logs):
        self.seen += 1
        if self.seen == self.n:
            trainer.interrupt()


def reference(tmp_path, epochs=5, **kw):
    parts = setup(**kw)
    hist = trainer(parts, tmp_path / "ref").fit(parts[3], parts[4], epochs=epochs)
    return parts, hist, autograd.default_generator().bit_generator.state


# ---- mid-epoch and end-of-epoch resume, in process -----------------------------------------------
@pytest.mark.parametrize("own_generator", [False, True])
@pytest.mark.parametrize("stop_after", [9, 12, 1])  # mid-epoch 2; the end of epoch 2's batches; the first batch
def test_resume_mid_epoch_is_bit_identical(tmp_path, own_generator, stop_after):
    ref_parts, ref_hist, ref_rng = reference(tmp_path, own_generator=own_generator)

    parts = setup(own_generator=own_generator)
    t = trainer(parts, tmp_path / "run", [InterruptAt(stop_after)])
    with pytest.raises(TrainingInterrupted) as info:
        t.fit(parts[3], parts[4], epochs=5)
    e = info.value
    assert t.state == "interrupted" and e.exit_code == 130 and isinstance(e, KeyboardInterrupt)
    assert (e.epoch, e.batch) == ((stop_after - 1) // 6, (stop_after - 1) % 6 + 1)
    assert e.checkpoint == str(tmp_path / "run" / "checkpoint.npz") and "resume=True" in str(e)

    autograd.manual_seed(999)  # a new session: other seeds, other initial weights
    parts2 = setup(own_generator=own_generator)
    if own_generator:
        parts2[3].generator.bit_generator.state = np.random.default_rng(5).bit_generator.state
    autograd.manual_seed(999)
    hist = trainer(parts2, tmp_path / "run").fit(parts2[3], parts2[4], epochs=5, resume=True)
    assert_same_run(ref_parts, ref_hist, parts2, hist)
    assert autograd.default_generator().bit_generator.state == ref_rng


def test_interrupt_during_validation_resumes_the_validation(tmp_path):
    ref_parts, ref_hist, _ = reference(tmp_path, epochs=3)
    parts = setup()
    t = trainer(parts, tmp_path / "run")
    calls = []

    def hook(module, args, out):
        if not module.training:
            calls.append(1)
            if len(calls) == 5:  # epoch 2's validation, second batch
                t.interrupt()
    parts[0].register_forward_hook(hook)
    with pytest.raises(TrainingInterrupted) as info:
        t.fit(parts[3], parts[4], epochs=3)
    assert (info.value.epoch, info.value.batch) == (1, 6)
    parts2 = setup()
    hist = trainer(parts2, tmp_path / "run").fit(parts2[3], parts2[4], epochs=3, resume=True)
    assert_same_run(ref_parts, ref_hist, parts2, hist)


def test_resume_from_an_end_of_epoch_checkpoint_trains_on(tmp_path):
    ref_parts, ref_hist, _ = reference(tmp_path, epochs=4)
    parts = setup()
    trainer(parts, tmp_path / "run").fit(parts[3], parts[4], epochs=2)
    assert load_checkpoint(tmp_path / "run")["position"] == {"epoch": 2, "batch": 0, "epochs": 2, "finished": True,
                                                             "stopped_early": False, "stopped": False}
    parts2 = setup()
    hist = trainer(parts2, tmp_path / "run").fit(parts2[3], parts2[4], epochs=4, resume=True)
    assert len(hist["train_loss"]) == 4
    assert_same_run(ref_parts, ref_hist, parts2, hist)


def test_interrupt_at_an_epoch_end(tmp_path):
    ref_parts, ref_hist, _ = reference(tmp_path, epochs=3)

    class AtEpochEnd:
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 0:
                trainer.interrupt()
    parts = setup()
    with pytest.raises(TrainingInterrupted) as info:
        trainer(parts, tmp_path / "run", [AtEpochEnd()]).fit(parts[3], parts[4], epochs=3)
    assert (info.value.epoch, info.value.batch) == (1, 0) and "start of epoch 2/3" in str(info.value)
    parts2 = setup()
    hist = trainer(parts2, tmp_path / "run").fit(parts2[3], parts2[4], epochs=3, resume="auto")
    assert_same_run(ref_parts, ref_hist, parts2, hist)


def test_resuming_a_finished_or_early_stopped_run_gives_its_end_state(tmp_path):
    Xv, yv = data(seed=0, flip=True)
    parts = setup(early_stopping=1)
    parts = (*parts[:4], DataLoader(TensorDataset(autograd.tensor(Xv), autograd.tensor(yv)), batch_size=32), 1)
    t = trainer(parts, tmp_path / "run")
    hist = t.fit(parts[3], parts[4], epochs=30)
    assert t.state == "stopped_early"
    parts2 = setup(early_stopping=1)
    parts2 = (*parts2[:4], parts[4], 1)
    t2 = trainer(parts2, tmp_path / "run")
    log = []

    class Log:
        def on_train_begin(self, trainer):
            log.append("begin")

        def on_batch_end(self, trainer, batch, logs):
            log.append("batch")
    t2.callbacks.append(Log())
    again = t2.fit(parts2[3], parts2[4], epochs=30, resume=True)
    assert log == ["begin"] and t2.state == "stopped_early"
    assert_same_run(parts, hist, parts2, again)


def test_a_stateful_callback_is_checkpointed(tmp_path):
    class Counter:
        def __init__(self):
            self.n = 0

        def on_batch_end(self, trainer, batch, logs):
            self.n += 1

        def state_dict(self):
            return {"n": self.n}

        def load_state_dict(self, state):
            self.n = state["n"]
    parts = setup()
    with pytest.raises(TrainingInterrupted):
        trainer(parts, tmp_path / "run", [Counter(), InterruptAt(8)]).fit(parts[3], parts[4], epochs=2)
    c = Counter()
    trainer(setup(), tmp_path / "run", [c]).fit(*setup()[3:5], epochs=2, resume=True)
    assert c.n == 12


# ---- the files ----------------------------------------------------------------------------------
def test_checkpoint_files_are_atomic_and_load_without_pickle(tmp_path, monkeypatch):
    parts = setup()
    t = trainer(parts, tmp_path)
    hist = t.fit(parts[3], parts[4], epochs=2)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.npz", "history.json"]  # no temporary file left
    with np.load(tmp_path / "checkpoint.npz", allow_pickle=False) as z:  # every entry a plain array
        assert all(z[k].dtype != object for k in z.files)
    ck = load_checkpoint(tmp_path)
    assert ck["history"] == hist == read_history(tmp_path)
    assert set(ck) >= {"model", "optimizer", "scheduler", "rng", "position", "history", "best", "epoch_sums"}
    assert ck["rng"]["now"]["global"]["bit_generator"] == "PCG64"
    for k, v in parts[0].state_dict().items():
        np.testing.assert_array_equal(ck["best"]["weights"][k].numpy(), v.numpy())  # the best ones, restored

    before = (tmp_path / "checkpoint.npz").read_bytes()
    real = os.replace

    def failing(src, dst):  # the disk fails while the next checkpoint is being put in place
        if str(dst).endswith("checkpoint.npz"):
            raise OSError("disk full")
        real(src, dst)
    monkeypatch.setattr(os, "replace", failing)
    parts = setup()
    with pytest.raises(OSError, match="disk full"):
        trainer(parts, tmp_path).fit(parts[3], parts[4], epochs=2)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.npz", "history.json"]
    assert (tmp_path / "checkpoint.npz").read_bytes() == before


def test_resume_errors(tmp_path):
    parts = setup()
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        trainer(parts, tmp_path).fit(parts[3], parts[4], epochs=2, resume=True)
    trainer(parts, tmp_path).fit(parts[3], parts[4], epochs=2)
    p = setup()
    with pytest.raises(ValueError, match="reached epoch 2 but fit was given epochs=1"):
        trainer(p, tmp_path).fit(p[3], p[4], epochs=1, resume=True)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with pytest.raises(ValueError, match="checkpoint's weights do not fit"):
        o = optim.Adam(other.parameters(), lr=0.1)
        Trainer(other, o, scheduler=StepLR(o, 2), checkpoint_dir=tmp_path, progress=False) \
            .fit(p[3], p[4], epochs=3, resume=True)
    p = setup(scheduler=False)
    with pytest.raises(ValueError, match="written with a scheduler"):
        trainer(p, tmp_path).fit(p[3], p[4], epochs=3, resume=True)
    nn.save({"a": 1}, tmp_path / "other.npz")
    with pytest.raises(ValueError, match="not a trainer checkpoint"):
        trainer(p, None).fit(p[3], p[4], epochs=3, resume=tmp_path / "other.npz")


def test_a_plain_keyboard_interrupt_keeps_the_last_checkpoint(tmp_path):
    class Boom:
        def on_batch_end(self, trainer, batch, logs):
            if logs["epoch"] == 1 and batch == 2:
                raise KeyboardInterrupt
    parts = setup()
    t = trainer(parts, tmp_path, [Boom()])
    with pytest.raises(TrainingInterrupted, match="no checkpoint was written now; the last one") as info:
        t.fit(parts[3], parts[4], epochs=3)
    assert (info.value.epoch, info.value.batch) == (1, 0) and t.state == "interrupted"
    assert load_checkpoint(tmp_path)["position"]["epoch"] == 1


# ---- a real Ctrl-C -------------------------------------------------------------------------------
SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    import numpy as np
    import autograd, nn, optim
    from autograd.utils.data import DataLoader, TensorDataset
    from nn.trainer import Trainer, TrainingInterrupted

    mode, ckdir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.3)
    autograd.manual_seed(3)
    train = DataLoader(TensorDataset(autograd.tensor(X), autograd.tensor(y)), batch_size=16, shuffle=True)
    val = DataLoader(TensorDataset(autograd.tensor(X[:40]), autograd.tensor(y[:40])), batch_size=16)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    class CtrlC:  # Ctrl-C as the terminal sends it: SIGINT to this process, after 9 batches (mid-epoch 2)
        n = 0
        def on_batch_end(self, trainer, batch, logs):
            CtrlC.n += 1
            if CtrlC.n == 9:
                os.kill(os.getpid(), signal.SIGINT)

    t = Trainer(model, opt, scheduler=sched, early_stopping=10, checkpoint_dir=ckdir, progress=False,
                callbacks=[CtrlC()] if mode == "kill" else [])
    try:
        hist = t.fit(train, val, epochs=4, resume=mode == "resume")
    except TrainingInterrupted as e:
        print(e, file=sys.stderr)
        sys.exit(e.exit_code)
    nn.save(dict(model.state_dict()), out + ".npz")
    with open(out + ".json", "w") as f:
        json.dump(hist, f)
""")


def test_sigint_in_a_subprocess_saves_and_resumes_bit_identically(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def start(mode, ck, out):
        return subprocess.Popen([sys.executable, str(script), mode, str(tmp_path / ck), str(tmp_path / out)],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    full, killed = start("full", "ck_full", "full"), start("kill", "ck", "x")
    _, err = killed.communicate(timeout=60)
    assert killed.returncode == 130, err
    assert "interrupted at epoch 2/4 after batch 3" in err and "resume=True" in err
    assert sorted(os.listdir(tmp_path / "ck")) == ["checkpoint.npz", "history.json"]
    assert load_checkpoint(tmp_path / "ck")["position"]["batch"] == 3
    resumed = start("resume", "ck", "resumed")
    for p in (full, resumed):
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    a, b = nn.load(tmp_path / "full.npz"), nn.load(tmp_path / "resumed.npz")
    assert list(a) == list(b) and all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    ha, hb = (read_history(tmp_path / f"{n}.json") for n in ("full", "resumed"))
    assert numbers(ha) == numbers(hb) and len(ha["train_loss"]) == 4


def test_the_sigint_handler_is_put_back():
    parts = setup()
    before = signal.getsignal(signal.SIGINT)
    trainer(parts, None).fit(parts[3], parts[4], epochs=1)
    assert signal.getsignal(signal.SIGINT) is before
