"""Where a sweep's runs run, behind one `concurrent.futures.Executor` interface: in this
process, in local worker processes, or on a Dask cluster (the optional `dask` extra).

`--scheduler local` starts a Dask LocalCluster of `workers` single-threaded processes on
127.0.0.1 with its dashboard off (its default listens on every interface); `--scheduler
tcp://HOST:PORT` connects to a running scheduler. Worker processes, not threads: the engines
hold the GIL. A run's seed depends only on the root seed, its design point and its
replicate, so the table is the same on every executor.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from sim.errors import InputError

CONNECT_TIMEOUT = "10s"


@contextmanager
def executor(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    """None for serial runs in this process; otherwise an Executor, shut down on exit."""
    if scheduler is None:
        if workers <= 1:
            yield None
            return
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.experiments.sweep"])  # workers fork with sim loaded
        pool = ProcessPoolExecutor(workers, mp_context=context)
        try:
            yield pool
        except BaseException:  # Ctrl-C, or a failure: drop the queued tasks, do not run them
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs Dask: install the dask extra "
                         "(pip install -e '.[dask]')") from None
    if scheduler == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client.get_executor()
        return
    if not scheduler.startswith("tcp://"):
        raise InputError(f"--scheduler: '{scheduler}' is not tcp://HOST:PORT or local")
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError(f"--scheduler: cannot reach {scheduler}: {e}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
