"""Run functions for the sweep tests (imported by worker processes and Dask workers by their dotted path)."""
import os
import signal


def square(settings):
    calls = settings.get("calls")
    if calls:
        with open(calls, "a") as f:
            f.write(f"{settings['x']}\n")
    return {"value": settings["x"] ** 2, "seed": settings.get("seed", 0)}


def die_once(settings):
    """The first attempt kills its own process (as a crash or the OOM killer would); the retry succeeds."""
    marker = settings["marker"]
    if settings.get("always") or not os.path.exists(marker):
        open(marker, "a").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return {"value": settings["x"] ** 2}
