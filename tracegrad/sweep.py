"""Sweeps: many independent trainings (width × seed, lr × optimizer, ...), on this machine or on a Dask cluster.

A sweep config is JSON: ``{"base": {...settings...}, "grid": {"seed": [0, 1], "lr": [0.05, 0.01]}}``; every
combination of the grid's values, laid over ``base``, is one run. Each finished run appends one line to
``OUT/results.jsonl``: ``{"key": ..., "settings": {...}, "metrics": {...}, "seconds": ..., "attempts": n}``. Lines are
appended with a single ``write`` on a file opened for appending and flushed to disk, so a line is either all there or
absent; a re-run reads the file and skips every configuration already in it.

Locally the runs go to a pool of worker *processes* (one process per run, ``workers`` at a time): a worker that dies
(killed, out of memory, a crash in native code) loses only its own run, which is retried once. With
``scheduler="tcp://host:8786"`` the runs are submitted to that ``dask.distributed`` scheduler instead (``retries=1``),
so a sweep that outgrows one machine uses a real cluster engine rather than ours.

A run is ``fn(settings) -> metrics`` where ``fn`` is named by a dotted path (``"package.module:function"``), so any
worker process or Dask worker can import it. The default is ``tracegrad.runs:train`` (the ``tracegrad train`` run).
"""
from __future__ import annotations

import importlib
import itertools
import json
import multiprocessing as mp
import os
import time
from typing import Any, Callable, Iterator

DEFAULT_FN = "tracegrad.runs:train"


def expand(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of ``config["grid"]`` laid over ``config["base"]``, in a stable order."""
    if not isinstance(config, dict) or not isinstance(config.get("grid", {}), dict):
        raise ValueError('sweep: the config must be {"base": {...}, "grid": {"name": [values, ...], ...}}')
    base, grid = dict(config.get("base", {})), config.get("grid", {})
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"sweep: grid[{name!r}] must be a non-empty list of values, got {values!r}")
    names = sorted(grid)
    return [{**base, **dict(zip(names, combo))} for combo in itertools.product(*(grid[n] for n in names))]


def key_of(settings: dict[str, Any]) -> str:
    """A run's identity: its settings as canonical JSON."""
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))


def resolve(path: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``"module:function"`` -> the function."""
    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"sweep: a run function is named 'module:function', got {path!r}")
    return getattr(importlib.import_module(module), name)


def finished(out: str) -> dict[str, dict[str, Any]]:
    """The results already in ``out/results.jsonl`` by key (a torn last line from a crash is ignored)."""
    path = os.path.join(out, "results.jsonl")
    done: dict[str, dict[str, Any]] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                done[rec["key"]] = rec
    return done


def append(out: str, record: dict[str, Any]) -> None:
    """Append one JSON line in one ``write`` call, then flush it to disk."""
    data = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(os.path.join(out, "results.jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _child(fn_path: str, settings: dict[str, Any], conn: Any) -> None:
    try:
        t0 = time.perf_counter()
        metrics = resolve(fn_path)(settings)
        conn.send(("ok", metrics, time.perf_counter() - t0))
    except BaseException as e:  # noqa: BLE001 - reported to the parent as this run's failure
        conn.send(("error", f"{type(e).__name__}: {e}", 0.0))
    finally:
        conn.close()


def _local(fn_path: str, todo: list[dict[str, Any]], workers: int, retries: int) -> Iterator[dict[str, Any]]:
    """Run each settings dict in its own process, ``workers`` at a time; yield records as runs finish."""
    ctx = mp.get_context("spawn")  # a clean interpreter per run: no state shared with the parent
    queue = [(s, 1) for s in todo]
    running: list[tuple[Any, Any, dict[str, Any], int]] = []
    while queue or running:
        while queue and len(running) < workers:
            settings, attempt = queue.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(fn_path, settings, child), daemon=True)
            proc.start()
            child.close()
            running.append((proc, parent, settings, attempt))
        time.sleep(0.02)
        for item in list(running):
            proc, conn, settings, attempt = item
            result = None
            if conn.poll():
                try:
                    result = conn.recv()
                except EOFError:  # the worker died without a word
                    result = None
            elif proc.is_alive():
                continue
            proc.join()
            running.remove(item)
            conn.close()
            if result is None or result[0] != "ok":
                why = f"the worker died (exit code {proc.exitcode})" if result is None else result[1]
                if attempt <= retries:
                    queue.append((settings, attempt + 1))
                    continue
                yield {"key": key_of(settings), "settings": settings, "error": why, "attempts": attempt}
                continue
            yield {"key": key_of(settings), "settings": settings, "metrics": result[1],
                   "seconds": round(result[2], 3), "attempts": attempt}


def _timed(fn_path: str, settings: dict[str, Any]) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    return resolve(fn_path)(settings), time.perf_counter() - t0


def _dask(fn_path: str, todo: list[dict[str, Any]], scheduler: Any, retries: int) -> Iterator[dict[str, Any]]:
    from dask.distributed import Client, as_completed
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {client.submit(_timed, fn_path, s, pure=False, retries=retries): s for s in todo}
        for fut in as_completed(futures):
            settings = futures[fut]
            try:
                metrics, seconds = fut.result()
                yield {"key": key_of(settings), "settings": settings, "metrics": metrics,
                       "seconds": round(seconds, 3), "attempts": None}
            except Exception as e:  # noqa: BLE001 - a run that failed after its retry is recorded, not fatal
                yield {"key": key_of(settings), "settings": settings, "error": f"{type(e).__name__}: {e}"}
    finally:
        if client is not scheduler:
            client.close()


def run_sweep(config: dict[str, Any], out: str, *, fn: str = DEFAULT_FN, workers: int | None = None,
              scheduler: Any = None, retries: int = 1, progress: bool | None = None) -> list[dict[str, Any]]:
    """Run every configuration of ``config`` not yet in ``out/results.jsonl``; return all results (old and new)."""
    settings = expand(config)
    resolve(fn)  # a wrong name fails here, before any work starts
    os.makedirs(out, exist_ok=True)
    done = finished(out)
    todo = [s for s in settings if key_of(s) not in done or "error" in done[key_of(s)]]
    stream = (_dask(fn, todo, scheduler, retries) if scheduler is not None
              else _local(fn, todo, workers or max(1, min(len(todo), os.cpu_count() or 1)), retries))
    from tqdm.auto import tqdm

    from viz.figures import quiet
    bar = tqdm(total=len(todo), desc="sweep", disable=quiet() if progress is None else not progress)
    try:
        for record in stream:
            append(out, record)
            done[record["key"]] = record
            bar.update(1)
    finally:
        bar.close()
    return [done[key_of(s)] for s in settings if key_of(s) in done]
