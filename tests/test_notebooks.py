"""Every notebook in notebooks/ runs top to bottom (with TRACEGRAD_FAST=1, which ``make test`` sets): one that breaks
fails CI. The committed outputs come from ``make notebooks``'s full run."""
import os
import pathlib
import sys

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("TRACEGRAD_FAST", os.environ.get("TRACEGRAD_FAST", "1"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the kernel spec says "python": make it this interpreter (the venv), whatever PATH the run started with
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    nb = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_the_committed_notebooks_carry_their_outputs():
    nbformat = pytest.importorskip("nbformat")
    for path in NOTEBOOKS:
        nb = nbformat.read(str(path), as_version=4)
        images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})]
        assert images, f"{path.name} has no figures in its outputs: run `make notebooks`"
