"""The trainer's files: ``checkpoint.npz`` (everything a run needs to continue bit for bit) and ``history.json``.

``checkpoint.npz`` is written with ``nn.save`` (an ``.npz`` plus a JSON structure, no pickle, written atomically:
a temporary file in the same folder, fsync, rename) and read with ``nn.load`` (``allow_pickle=False``). It holds a
dict (see ``Trainer`` for when it is written)::

    format, version          "tracegrad.trainer", 1
    position                 epoch (0-based index of the epoch in progress or next), batch (training batches of
                             that epoch already done; 0 at an epoch boundary), epochs (the run's total),
                             finished, stopped_early
    model, optimizer         model.state_dict(), optimizer.state_dict()
    scheduler                scheduler.state_dict() or None
    rng                      epoch_start / now: {"global": the global generator's bit_generator.state,
                             "loaders": [the bit_generator.state of each DataLoader's own generator]}
    epoch_sums               the epoch in progress: loss_sum, correct, count, acc_count, elapsed, lr
    history                  the history so far (see below)
    best                     loss, epoch, bad_epochs, weights (a copy of the best state_dict, or None)
    callbacks                {index in callbacks: state} for callbacks with state_dict / load_state_dict

``history.json`` is the run's history as plain JSON: a dict of lists ``epoch`` (1-based), ``train_loss``,
``train_acc``, ``val_loss``, ``val_acc``, ``lr``, ``epoch_time``, plus ``best_epoch`` (one epoch number, as
``viz.plot_history`` reads it). JSON has no NaN or infinity: they are written as the strings "nan", "inf", "-inf"
(as ``viz``'s histories; ``float()`` reads them back) and ``read_history`` turns them into floats again.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from autograd import Tensor, default_generator
from autograd.utils.files import write_atomic

from .serialization import load, save

__all__ = ["CHECKPOINT_FILE", "HISTORY_FILE", "read_history", "write_json_atomic", "load_checkpoint",
           "save_checkpoint", "checkpoint_path"]

CHECKPOINT_FILE, HISTORY_FILE = "checkpoint.npz", "history.json"
FORMAT, VERSION = "tracegrad.trainer", 1
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# ---- JSON --------------------------------------------------------------------------------
def _jsonable(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> str:
    """Write ``obj`` as JSON (NaN and ±inf as strings) to ``path``: a temporary file in the same folder, fsync,
    then a rename, so a reader sees the old file or the new one, never a partial one. Returns the path."""
    path = os.fspath(path)
    text = json.dumps(_jsonable(obj), allow_nan=False, indent=1)
    write_atomic(path, text)
    return path


def read_history(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A ``history.json`` as the trainer's history (a directory means its ``history.json``); plain JSON, no code
    runs. The strings "nan", "inf", "-inf" in the number lists come back as floats."""
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, HISTORY_FILE)
    with open(path, encoding="utf-8") as f:
        h = json.load(f)
    return {k: [_SPECIAL.get(v, v) if isinstance(v, str) else v for v in vals] if isinstance(vals, list) else vals
            for k, vals in h.items()}


# ---- random state ------------------------------------------------------------------------
def loader_generators(*loaders: Any) -> list[np.random.Generator]:
    """The generators the loaders shuffle with other than the global one (their own ``generator``, or their
    sampler's), each once, in a fixed order."""
    found: list[np.random.Generator] = []
    for loader in loaders:
        if loader is None:
            continue
        bs = getattr(loader, "batch_sampler", None)
        for holder in (loader, getattr(loader, "sampler", None), bs, getattr(bs, "sampler", None)):
            g = getattr(holder, "generator", None)
            if isinstance(g, np.random.Generator) and all(g is not h for h in found):
                found.append(g)
    return found


def capture_rng(gens: list[np.random.Generator]) -> dict[str, Any]:
    """The global generator's state and each of ``gens``' (``bit_generator.state``: plain dicts of ints)."""
    glob = default_generator()
    return {"global": glob.bit_generator.state,
            "loaders": [None if g is glob else g.bit_generator.state for g in gens]}


def restore_rng(saved: dict[str, Any], gens: list[np.random.Generator]) -> None:
    """Put back what ``capture_rng`` took (the global generator is set in place, not replaced)."""
    states = saved["loaders"]
    if len(states) != len(gens):
        raise ValueError(f"resume: the checkpoint holds the state of {len(states)} DataLoader generator(s) but the "
                         f"loaders given now have {len(gens)} of their own; pass loaders built the same way "
                         "(shuffle and generator as in the interrupted run)")
    glob = default_generator()
    for g, st in [(glob, saved["global"]), *zip(gens, states)]:
        if st is None:  # a loader that shuffles with the global generator itself
            continue
        try:
            g.bit_generator.state = st
        except (TypeError, ValueError) as e:
            raise ValueError(f"resume: cannot restore a random generator's state ({e})") from None


# ---- the checkpoint ----------------------------------------------------------------------
def copy_weights(model: Any) -> dict[str, Tensor]:
    """A private copy of ``model.state_dict()`` (the arrays copied, so training on does not change it)."""
    return {k: Tensor(np.array(v.numpy(), copy=True)) for k, v in model.state_dict().items()}


def checkpoint_path(where: str | os.PathLike[str]) -> str:
    """The checkpoint file for ``where``: a directory means its ``checkpoint.npz``; a file is taken as is."""
    where = os.fspath(where)
    return os.path.join(where, CHECKPOINT_FILE) if os.path.isdir(where) or not where.endswith(".npz") else where


def save_checkpoint(directory: str | os.PathLike[str], payload: dict[str, Any]) -> str:
    """Write ``payload`` to ``directory/checkpoint.npz`` and its history to ``directory/history.json``, both
    atomically (the checkpoint first: it is what a resume reads). Returns the checkpoint's path."""
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, CHECKPOINT_FILE)
    save({"format": FORMAT, "version": VERSION, **payload}, path)
    write_json_atomic(os.path.join(directory, HISTORY_FILE), payload["history"])
    return path


def load_checkpoint(where: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a trainer checkpoint (a directory or the ``.npz`` itself); never unpickles, never runs code."""
    path = checkpoint_path(where)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"resume: no checkpoint at {path!r} (a run with checkpoint_dir set writes one at "
                                "the end of every epoch and when interrupted)")
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"resume: {path!r} is not a trainer checkpoint (nn.save file without the "
                         f"{FORMAT!r} format tag)")
    if ckpt.get("version") != VERSION:
        raise ValueError(f"resume: {path!r} has checkpoint version {ckpt.get('version')!r}; this tracegrad reads "
                         f"version {VERSION}")
    return ckpt


# ---- a run's state -----------------------------------------------------------------------
def stateful(cb: Any) -> bool:
    """Whether a callback's state goes into checkpoints (it has ``state_dict`` and ``load_state_dict``)."""
    return callable(getattr(cb, "state_dict", None)) and callable(getattr(cb, "load_state_dict", None))


def find_checkpoint(resume: Any, checkpoint_dir: str | None) -> tuple[dict[str, Any], str] | None:
    """``fit``'s ``resume``: False → None; True / "auto" → checkpoint_dir's checkpoint ("auto": None when there is
    none); a path → that checkpoint. Returns (the checkpoint, its path)."""
    if resume is False or resume is None:
        return None
    if resume is True or (isinstance(resume, str) and resume == "auto"):
        if checkpoint_dir is None:
            raise ValueError(f"Trainer.fit: resume={resume!r} reads checkpoint_dir, which is not set; pass "
                             "Trainer(..., checkpoint_dir=...) or resume=<a checkpoint's path>")
        if resume == "auto" and not os.path.isfile(os.path.join(checkpoint_dir, CHECKPOINT_FILE)):
            return None
        return load_checkpoint(checkpoint_dir), checkpoint_path(checkpoint_dir)
    if isinstance(resume, (str, os.PathLike)):
        return load_checkpoint(resume), checkpoint_path(resume)
    raise TypeError(f"Trainer.fit: resume must be False, True, 'auto' or a checkpoint's path, got {resume!r}")


def run_payload(trainer: Any, run: Any) -> dict[str, Any]:
    """What ``save_checkpoint`` writes for ``trainer`` at ``run``'s position."""
    sched = trainer.scheduler
    return {"position": {"epoch": run.epoch, "batch": run.batch, "epochs": run.epochs, "finished": run.over,
                         "stopped_early": run.stopped_early, "stopped": run.stopped},
            "model": trainer.model.state_dict(), "optimizer": trainer.optimizer.state_dict(),
            "scheduler": None if sched is None else sched.state_dict(),
            "rng": {"epoch_start": run.rng_start, "now": run.rng_now}, "epoch_sums": dict(run.sums),
            "history": trainer.history,
            "best": {"loss": run.best_loss, "bad_epochs": run.bad, "weights": run.best_weights},
            "callbacks": {i: cb.state_dict() for i, cb in enumerate(trainer.callbacks) if stateful(cb)}}


def restore_run(trainer: Any, ckpt: dict[str, Any], run: Any) -> None:
    """Load a checkpoint into the trainer's model, optimizer, scheduler and callbacks, and ``run``'s position."""
    pos = ckpt["position"]
    e, b = int(pos["epoch"]), int(pos["batch"])
    if e + (1 if b else 0) > run.epochs:
        raise ValueError(f"resume: the checkpoint has reached epoch {e + (1 if b else 0)} but fit was given "
                         f"epochs={run.epochs} (the interrupted run's was {pos['epochs']}); pass epochs >= "
                         f"{e + (1 if b else 0)}")
    sched = ckpt["scheduler"]
    if (sched is None) != (trainer.scheduler is None):
        raise ValueError(f"resume: the checkpoint was written {'without' if sched is None else 'with'} a scheduler; "
                         f"pass {'none' if sched is None else 'the same kind'} to the Trainer")
    for what, obj, state in (("weights", trainer.model, ckpt["model"]),
                             ("optimizer state", trainer.optimizer, ckpt["optimizer"])):
        try:
            obj.load_state_dict(state)
        except (KeyError, ValueError, RuntimeError, TypeError, IndexError) as err:
            raise ValueError(f"resume: the checkpoint's {what} do not fit this {type(obj).__name__}: {err}") from None
    if sched is not None:
        trainer.scheduler.load_state_dict(sched)
    for i, cb in enumerate(trainer.callbacks):
        if stateful(cb) and i in ckpt["callbacks"]:
            cb.load_state_dict(ckpt["callbacks"][i])
    trainer.history = ckpt["history"]
    run.epoch, run.batch, run.sums = e, b, ckpt["epoch_sums"]
    run.rng_start, run.rng_now = ckpt["rng"]["epoch_start"], ckpt["rng"]["now"]
    best = ckpt["best"]
    run.best_loss, run.bad, run.best_weights = best["loss"], int(best["bad_epochs"]), best["weights"]
    run.stopped_early, run.stopped, run.resumed = bool(pos["stopped_early"]), bool(pos["stopped"]), True
