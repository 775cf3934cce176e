"""tracegrad.sweep: a grid of runs on worker processes or a Dask cluster; results stream into one JSONL file."""
import json
import os
import pathlib

import pytest

from tracegrad.sweep import expand, finished, key_of, run_sweep

HERE = pathlib.Path(__file__).resolve().parent
FN = "_sweep_fns:square"


@pytest.fixture(autouse=True)
def _importable(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))  # worker processes get the parent's sys.path
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))


def lines(out):
    return [json.loads(x) for x in (pathlib.Path(out) / "results.jsonl").read_text().splitlines()]


def test_expand_lays_the_grid_over_the_base():
    runs = expand({"base": {"dataset": "digits", "epochs": 4}, "grid": {"seed": [0, 1], "lr": [0.05, 0.01]}})
    assert len(runs) == 4 and all(r["dataset"] == "digits" and r["epochs"] == 4 for r in runs)
    assert {(r["seed"], r["lr"]) for r in runs} == {(0, 0.05), (0, 0.01), (1, 0.05), (1, 0.01)}
    with pytest.raises(ValueError, match="non-empty list"):
        expand({"grid": {"seed": []}})


def test_local_sweep_streams_results_and_a_rerun_skips_finished_runs(tmp_path):
    calls = tmp_path / "calls.txt"
    config = {"base": {"calls": str(calls)}, "grid": {"x": [1, 2, 3], "seed": [0, 1]}}
    results = run_sweep(config, str(tmp_path / "out"), fn=FN, workers=2)
    assert sorted(r["metrics"]["value"] for r in results) == [1, 1, 4, 4, 9, 9]
    assert len(lines(tmp_path / "out")) == 6 and len(calls.read_text().split()) == 6
    again = run_sweep(config, str(tmp_path / "out"), fn=FN, workers=2)
    assert len(calls.read_text().split()) == 6 and len(lines(tmp_path / "out")) == 6  # nothing ran twice
    assert [r["key"] for r in again] == [key_of(s) for s in expand(config)]


def test_a_worker_that_dies_loses_only_its_run_which_is_retried_once(tmp_path):
    out = tmp_path / "out"
    config = {"base": {"marker": str(tmp_path / "died")}, "grid": {"x": [1, 2]}}
    results = run_sweep({"grid": {"x": [5, 6]}}, str(out), fn=FN, workers=2)
    results = run_sweep(config, str(out), fn="_sweep_fns:die_once", workers=2)
    by_x = {r["settings"]["x"]: r for r in results}
    assert by_x[1]["metrics"]["value"] == 1 and by_x[2]["metrics"]["value"] == 4
    assert sorted(r["attempts"] for r in results) == [1, 2]  # one run died once and was retried
    always = run_sweep({"base": {"marker": str(tmp_path / "m2"), "always": True}, "grid": {"x": [7]}}, str(out),
                       fn="_sweep_fns:die_once", workers=1)
    assert "died" in always[0]["error"] and always[0]["attempts"] == 2
    assert {r["settings"].get("x") for r in finished(str(out)).values()} == {1, 2, 5, 6, 7}


def test_a_wrong_function_name_fails_before_any_work(tmp_path):
    with pytest.raises((ImportError, AttributeError, ValueError)):
        run_sweep({"grid": {"x": [1]}}, str(tmp_path), fn="_sweep_fns:nope")


def test_on_a_dask_cluster_with_a_worker_killed_mid_sweep(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        config = {"base": {"marker": str(tmp_path / "died")}, "grid": {"x": [1, 2, 3, 4]}}
        results = run_sweep(config, str(tmp_path / "out"), fn="_sweep_fns:die_once",
                            scheduler=cluster.scheduler_address)
    assert sorted(r["metrics"]["value"] for r in results) == [1, 4, 9, 16]
    assert (tmp_path / "died").exists()  # a worker really was killed, and its run was retried elsewhere
    assert len(lines(tmp_path / "out")) == 4
