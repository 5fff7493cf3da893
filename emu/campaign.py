"""Seeded campaigns that scale out: the same work for many seeds, locally or on a Dask cluster.

Litmus campaigns and schedule exploration are embarrassingly parallel: each seed's run is
independent and reproducible on its own. `run_chunks` cuts the seeds into chunks, runs
`task(chunk)` for each on local worker processes (default: one per CPU) or, given a scheduler
address, on a Dask cluster (`distributed`, installed with `pip install emu[cluster]`), and
returns the results in seed order — so a histogram is the same whichever way it ran. A progress
bar shows on stderr when it is a terminal and the campaign takes more than a moment (emu/progress.py).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from emu import argtypes
from emu.errors import UsageError
from emu.progress import progress

T = TypeVar("T")
CHUNK = 100  # seeds per task: amortises a worker's set-up (assembling, engine) over many runs


def add_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    """--jobs and --cluster, the same on every command that runs a campaign."""
    parser.add_argument(
        "--jobs",
        "-j",
        type=argtypes.integer_between(1, 1024),
        metavar="N",
        help="local worker processes (default: one per CPU)",
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://host:8786 (results identical to a local run)",
    )


def chunks(first: int, count: int, size: int = CHUNK) -> list[range]:
    return [range(start, min(start + size, first + count)) for start in range(first, first + count, size)]


def run_chunks(
    task: Callable[[range], T],
    seeds: Sequence[range],
    *,
    cluster: str | None = None,
    jobs: int | None = None,
    label: str = "runs",
) -> list[T]:
    """`task(chunk)` for every chunk of seeds, in order; in-process when one job is enough."""
    if cluster:
        return _on_dask(task, seeds, cluster, label)
    workers = jobs or os.cpu_count() or 1
    if workers == 1 or len(seeds) == 1:
        return [task(chunk) for chunk in _progress(seeds, label)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, chunk) for chunk in seeds]
        for _ in _progress(futures, label, wait=True):
            pass
        return [future.result() for future in futures]


def _progress(items: Sequence, label: str, wait: bool = False):  # noqa: ANN202 - a generator
    """Iterate `items` (futures are waited for) with a progress bar on a terminal (emu/progress.py)."""
    with progress(label, len(items)) as bar:
        for item in items:
            yield item.result() if wait else item
            bar.advance()


def _on_dask(task: Callable[[range], T], seeds: Sequence[range], address: str, label: str) -> list[T]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--cluster needs Dask's `distributed` (pip install 'emu[cluster]')") from None
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError) as err:
        raise UsageError(f"--cluster {address}: cannot reach the Dask scheduler ({err})") from None
    with client:
        futures = client.map(task, list(seeds), pure=False)
        for _ in _progress(futures, label, wait=True):
            pass
        return client.gather(futures)
