"""Shared timing helpers for the benchmarks: medians of repeated runs, ratios, optional peers."""
from __future__ import annotations

import importlib
import statistics
import time
from typing import Callable


def median_time(fn: Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs of ``number`` calls each."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], object]], repeat: int = 7, number: int = 1) -> dict[str, float]:
    """Median wall time of each contender, timed in turns (one sample of each per round), so a burst
    of load from elsewhere on a shared machine hits all of them alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - t0) / number)
    return {name: statistics.median(ts) for name, ts in times.items()}


def optional(name: str):
    """Import a peer library if it is installed, else None."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any import failure means "not installed here"
        return None


def torch_2_threads():
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(2)
    return torch


def report(title: str, rows: dict[str, float], ours: str = "tracegrad", limit: str = "numpy") -> None:
    """Print each timing and its ratio to ours (ours / theirs: below 1.0 means tracegrad is faster)."""
    print(f"\n{title}")
    base = rows[ours]
    for name, t in rows.items():
        ratio = "" if name == ours else f"   tracegrad/{name} = {base / t:6.2f}x"
        tag = " (the limit)" if name == limit else ""
        print(f"  {name:<12} {t * 1e3:10.3f} ms{ratio}{tag}")
