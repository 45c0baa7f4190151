"""Which sync job the current thread is running, for the records it leaves behind.

The runner sets it around each job; the API log reads it, so a call made by a job links
to that job without every client passing it along. A thread-local (not the context of
an environment) because the log is written on an independent cursor from wherever the
client happens to be called.
"""

import contextlib
import threading

_state = threading.local()


@contextlib.contextmanager
def running_job(job_id):
    """Mark ``job_id`` as the job this thread runs until the block ends (nested runs, a
    manual Run Now inside a request, restore the outer one)."""
    previous = getattr(_state, "job_id", None)
    _state.job_id = job_id
    try:
        yield
    finally:
        _state.job_id = previous


def current_job_id():
    """The id of the job this thread is running, or None outside a job."""
    return getattr(_state, "job_id", None)
