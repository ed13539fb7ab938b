"""Where charts and export files are drawn: worker processes, so a long diary holds no one.

A ten-year PDF or FHIR file takes about a second of pure Python. On a thread it would share the
interpreter lock with the event loop, and every other patient's press would wait on it; in a
worker process it shares nothing. The snapshot is read once by the caller, in one database
read, and sent to the worker; the worker neither opens the database nor talks to Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Long enough for a 20-year PDF on a slow machine; past it the patient is told to try again.
JOB_TIMEOUT_SECONDS = 180.0
# A worker that built a huge FHIR file keeps its memory; a fresh pool now and then returns it.
# (Not max_tasks_per_child: up to Python 3.13 a pool whose worker retires that way while jobs
# wait never starts another, and every later file would wait for ever.)
JOBS_PER_POOL = 25


class WorkerError(Exception):
    """The file could not be made: its worker died or took too long."""


class Workers:
    """Builds charts and files in worker processes (or threads, for the console and tests)."""

    def __init__(self, processes: int = 1, *, timeout: float = JOB_TIMEOUT_SECONDS) -> None:
        if processes < 0:
            raise ValueError("processes must be 0 (threads) or more")
        self.processes = processes
        self.timeout = timeout
        self._pool: Executor | None = None
        self._jobs = 0

    def _executor(self) -> Executor:
        if self._pool is not None and self.processes and self._jobs >= JOBS_PER_POOL:
            # The old pool finishes what it has in hand and then its processes exit.
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._pool is None:
            self._jobs = 0
            if self.processes == 0:
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="backtrack-file")
            else:
                # Spawned, not forked: a fork would copy the database thread's locks mid-use
                # and the whole bot's memory into every worker.
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                )
        self._jobs += 1
        return self._pool

    async def run(self, job: Callable[..., T], *args: object) -> T:
        """Run `job(*args)` in a worker; WorkerError if the worker died or timed out."""
        loop = asyncio.get_running_loop()
        pool = self._executor()
        try:
            return await asyncio.wait_for(loop.run_in_executor(pool, job, *args), self.timeout)
        except BrokenProcessPool as error:
            # A worker was killed (most likely out of memory): the next job gets a new pool.
            self._discard(pool)
            log.error("a file worker died; a new one will start for the next file")
            raise WorkerError("the worker died") from error
        except TimeoutError as error:
            # The job would go on in its worker and every file queued behind it would time out
            # too: the pool's processes are stopped and the next job gets a new one.
            self._discard(pool, stop=True)
            log.error("a file took longer than %.0f s to make and was given up", self.timeout)
            raise WorkerError("the worker took too long") from error

    def _discard(self, pool: Executor, *, stop: bool = False) -> None:
        if self._pool is pool:
            self._pool = None
        if stop and isinstance(pool, ProcessPoolExecutor):
            # Python 3.14 has terminate_workers(); before it, the processes are only here.
            processes = getattr(pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers; a file still being made is abandoned."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
