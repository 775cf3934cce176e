"""viz.landscape speed, printed as ratios to each target; nothing is asserted.

- What one landscape point costs next to a plain forward + loss over the same data (target: at most 1.2x the
  forward under ``no_grad``, which is what a point runs; the forward that records a graph is shown beside it).
- A 31 x 31 landscape of a small MLP (64-64-10) on scikit-learn's digits (1797 x 64), with its training trajectory
  (target: 60 s). Without scikit-learn, generated data of the same shape (said so in the output).

``python benchmarks/bench_landscape.py --shots DIR`` also writes the pictures (PNG + SVG) into DIR: the random and
PCA landscapes of the MLP with their trajectories, a 3-D surface, and "plain vs residual vs dense" small conv nets
on the digits as 8 x 8 images, side by side on one colour scale.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor  # noqa: E402
from viz.figures import save  # noqa: E402
from viz.landscape import compare_landscapes, loss_landscape  # noqa: E402

from _timing import interleaved, optional  # noqa: E402

F = nn.functional


def digits() -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, where from): scikit-learn's digits scaled to [0, 1], or generated data of the same shape."""
    datasets = optional("sklearn.datasets")
    if datasets is not None:
        d = datasets.load_digits()
        return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64), "scikit-learn's digits (1797 x 64)"
    rng = np.random.default_rng(0)
    protos = rng.uniform(0, 1, (10, 64)) ** 2  # ten blurry "digits", noisy enough not to be learnt at once
    y = rng.integers(0, 10, 1797)
    x = np.clip(protos[y] + 0.6 * rng.standard_normal((1797, 64)), 0, 1).astype(np.float32)
    return x, y.astype(np.int64), ("generated data of the digits' shape (1797 x 64, 10 classes): scikit-learn is "
                                   "not installed")


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, steps: int = 60, every: int = 4, lr: float = 0.01):
    """Full-batch Adam; a copy of the state dict every ``every`` steps (the trajectory)."""
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = Tensor(x), Tensor(y)
    traj = [{k: v.numpy().copy() for k, v in model.state_dict().items()}]
    for step in range(1, steps + 1):
        opt.zero_grad()
        F.cross_entropy(model(xt), yt).backward()
        opt.step()
        if step % every == 0:
            traj.append({k: v.numpy().copy() for k, v in model.state_dict().items()})
    return model.eval(), traj


def per_point(model: nn.Module, x: np.ndarray, y: np.ndarray, steps: int = 15) -> None:
    """A whole landscape (all its fixed costs included) against as many plain forwards as it has points, timed in
    turns (so a burst of load from elsewhere hits both alike)."""
    xt, yt = Tensor(x), Tensor(y)
    points = steps * steps + 1

    def forwards(record: bool = False) -> None:
        with autograd.set_grad_enabled(record):
            for _ in range(points):
                F.cross_entropy(model(xt), yt)

    t = interleaved({"plain": forwards, "graph": lambda: forwards(True),
                     "landscape": lambda: loss_landscape(model, F.cross_entropy, (xt, yt), steps=steps)}, repeat=7)
    plain, graph, point = t["plain"] / points, t["graph"] / points, t["landscape"] / points
    ratio = point / plain
    print(f"  plain forward + loss, no_grad (what a point runs)     {plain * 1e3:8.3f} ms")
    print(f"  plain forward + loss, recording the graph             {graph * 1e3:8.3f} ms")
    print(f"  one landscape point ({steps}x{steps} grid + origin, all in)   {point * 1e3:8.3f} ms   {ratio:5.2f}x the "
          f"no_grad forward ({ratio / 1.2:.2f}x of the 1.2x target); {point / graph:.2f}x the recording forward")


def conv_nets() -> dict[str, nn.Module]:
    """The lecture's three: a stem, three blocks (plain, residual, dense), global average pool, a linear head."""
    def net(blocks: nn.Module, width: int) -> nn.Module:
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(width, 10))
    return {"plain": net(nn.Sequential(*[nn.ResidualBlock(8, 8, skip=False) for _ in range(3)]), 8),
            "residual": net(nn.Sequential(*[nn.ResidualBlock(8, 8) for _ in range(3)]), 8),
            "dense": net(nn.DenseBlock(3, 4, 8), 8 + 3 * 4)}


def shots(folder: str, x: np.ndarray, y: np.ndarray, model: nn.Module, traj: list, random_land) -> None:
    for name, fig in (("landscape_random", random_land.plot()), ("landscape_surface", random_land.plot_surface())):
        print(f"  wrote {save(fig, os.path.join(folder, name))[0]}")
    first = loss_landscape(model, F.cross_entropy, (x, y), steps=2, directions="pca", trajectory=traj)
    span = float(np.ceil(12 * np.abs(first.trajectory_coords).max())) / 10  # the trajectory and a margin
    t0 = time.perf_counter()
    pca = loss_landscape(model, F.cross_entropy, (x, y), steps=31, directions="pca", trajectory=traj, span=span)
    print(f"  PCA landscape, 31x31, span {span}: {time.perf_counter() - t0:.1f} s, explained variance "
          f"{np.round(pca.explained_variance, 3).tolist()}, mean residual {pca.trajectory_residuals.mean():.3f}")
    for name, fig in (("landscape_pca", pca.plot()), ("landscape_pca_surface", pca.plot_surface())):
        print(f"  wrote {save(fig, os.path.join(folder, name))[0]}")
    images, labels = x[:400].reshape(-1, 1, 8, 8), y[:400]  # 400 images: a conv net's forward is ~50x the MLP's
    lands = {}
    for name, net in conv_nets().items():
        autograd.manual_seed(0)
        net, _ = train(net, images, labels, steps=60, every=60, lr=0.01)
        t0 = time.perf_counter()
        lands[name] = loss_landscape(net, F.cross_entropy, (images, labels), steps=21, span=1.0)
        print(f"  {name} conv net on 400 images: trained loss {lands[name].origin_loss:.3f}, 21x21 landscape "
              f"{time.perf_counter() - t0:.1f} s")
    print(f"  wrote {save(compare_landscapes(lands), os.path.join(folder, 'landscape_compare'))[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", metavar="DIR", help="also write the pictures (PNG + SVG) into DIR")
    args = parser.parse_args()
    x, y, where = digits()
    print(f"loss landscapes on {where}")
    autograd.manual_seed(0)
    model, traj = train(nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)), x, y)
    per_point(model, x, y)
    t0 = time.perf_counter()
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=31, trajectory=traj)
    t = time.perf_counter() - t0
    print(f"  31x31 landscape of the 64-64-10 MLP ({31 * 31 + 1 + len(traj)} points with its {len(traj)}-point "
          f"trajectory): {t:.2f} s   {t / 60:.3f}x of the 60 s target")
    if args.shots:
        shots(args.shots, x, y, model, traj, land)


if __name__ == "__main__":
    main()
