"""Parameter studies on any ``concurrent.futures``-style executor (docs/studies.md).

A sweep file names a base session, the parameters to vary and the outcomes to collect; :func:`run_study`
submits each of its cases to an executor -- a local :class:`~concurrent.futures.ProcessPoolExecutor` (the
default), mpi4py's ``MPIPoolExecutor`` or a dask ``Client`` -- and returns the table of parameters against
outcomes as a pandas DataFrame. The study folder is the one ``tissue sweep SWEEP.toml -o STUDY`` writes:
``cases/case_NNNN.h5``, ``study.h5`` and ``study.csv``; finished cases are skipped and interrupted ones
resumed when a study is run again.
"""

from __future__ import annotations

import multiprocessing
import os
import pathlib
from concurrent.futures import ProcessPoolExecutor
from typing import Any, List, Optional, Union

from ._tissue import SweepCase, read_sweep_file, run_case, write_study

PathLike = Union[str, os.PathLike]

__all__ = ["cases", "run_case_in_worker", "run_study"]


def cases(sweep_file: PathLike) -> List[SweepCase]:
    """The cases of a sweep file (each with ``index`` and one ``values[j]`` per parameter, text and SI)."""
    return list(read_sweep_file(str(sweep_file)).cases)


def run_case_in_worker(sweep_file: str, out_dir: str, index: int, threads: int = 1) -> dict:
    """Runs one case of a sweep into a study folder (in whatever process the executor chose).

    Reads the sweep file again (a worker shares nothing with the caller) and returns a small picklable
    record: index, status, whether it ran or was resumed, seconds and the failure message.
    """
    sweep = read_sweep_file(sweep_file)
    r = run_case(sweep, index, out_dir, threads)
    return {
        "case": r.index,
        "status": r.after.name,
        "ran": r.ran,
        "resumed": r.resumed,
        "seconds": r.seconds,
        "message": r.message,
    }


def _default_executor(n_cases: int) -> ProcessPoolExecutor:
    """A local process pool with one worker per core (at most one per case), started with 'spawn'.

    'spawn' rather than 'fork': the parent may have started OpenMP threads, which a forked child inherits
    in a broken state.
    """
    workers = max(1, min(n_cases, os.cpu_count() or 1))
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_study(
    sweep_file: PathLike,
    out_dir: PathLike,
    executor: Optional[Any] = None,
    threads: int = 1,
):
    """Runs every case of ``sweep_file`` into ``out_dir`` on ``executor`` and returns the study table.

    ``executor`` is anything with ``submit(fn, *args)`` returning futures with ``result()``:
    ``concurrent.futures.ProcessPoolExecutor`` (the default, one worker per core, shut down afterwards),
    ``mpi4py.futures.MPIPoolExecutor`` or ``dask.distributed.Client``; an executor passed in is left
    running. All cases are submitted at once, so the executor balances cases of very different cost.
    ``threads`` is the element-loop threads of each case (workers x threads should not exceed the cores).
    Completed cases are skipped, interrupted ones resumed. Returns a pandas DataFrame with one row per
    case: ``case``, each parameter (SI values, or names such as "oil"), ``status`` and each outcome (SI).
    """
    import pandas as pd  # only needed here

    sweep_path = str(pathlib.Path(sweep_file).resolve())
    out = pathlib.Path(out_dir).resolve()
    (out / "cases").mkdir(parents=True, exist_ok=True)
    sweep = read_sweep_file(sweep_path)
    own = executor is None
    if own:
        executor = _default_executor(len(sweep.cases))
    try:
        futures = [
            executor.submit(run_case_in_worker, sweep_path, str(out), c.index, threads) for c in sweep.cases
        ]
        for f in futures:
            f.result()  # re-raises a worker's InputError / Cancelled
    finally:
        if own:
            executor.shutdown()
    write_study(sweep, str(out))
    return pd.read_csv(out / "study.csv")
