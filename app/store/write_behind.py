"""Writes that run beside the work producing them: an ordered queue of jobs on one background thread.

An import checks its rows in Python, which holds the interpreter lock, while SQLite's part of writing the
previous batch (B-trees, the search index's tokenizer, page encryption) is C code that runs without it, so on
two cores the two overlap instead of taking turns. Jobs run in the order given, on the caller's connection and
inside its transaction; the first failure stops the queue and is raised in the caller at its next `submit()`,
`wait()` or at the end of the `with` block, before the transaction is ended. The queue is short, so the rows
waiting to be written never outgrow a few batches.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

Job = Callable[[], object]
_STOP = None


class WriteBehind:
    """`with WriteBehind() as behind: behind.submit(job) ...`: every job has run (or the first failure has been
    raised) when the block ends; if the block fails, jobs not yet started are dropped and the running one is
    waited for, so the caller's rollback never races a write."""

    def __init__(self, depth: int = 2) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=depth)
        self._failure: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._run, name="counterpart-write-behind", daemon=True)

    def __enter__(self) -> WriteBehind:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is not None:
            self._dropping = True
        self._jobs.put(_STOP)
        self._thread.join()
        if error is None:
            self._raise_failure()

    def submit(self, job: Job) -> None:
        self._raise_failure()
        self._jobs.put(job)

    def wait(self) -> None:
        """Until every job submitted so far has run (before the caller writes on the connection itself)."""
        self._jobs.join()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is _STOP:
                    return
                if self._failure is None and not self._dropping:
                    job()
            except BaseException as failure:  # raised in the caller's thread
                self._failure = failure
            finally:
                self._jobs.task_done()
