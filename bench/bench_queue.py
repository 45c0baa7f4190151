"""What one runner cron thread does, in process: drain N committed no-op jobs with
``sync.job._run_due_jobs`` (claim, run, commit, one job at a time) and the claim's share
of it. Parallel draining is measured in production shape (odoo-bin with cron workers,
one and two processes) by ``bench/bench_runner.py``; no figure here describes a
configuration production does not run."""

import threading
import time

from bench.common import arguments, environment, load_registry, print_row


def enqueue_noops(registry, count):
    with environment(registry, commit=True) as env:
        env["sync.job"]._enqueue_many([{"operation": "noop"} for _ in range(count)])
        env.cr.execute("UPDATE sync_job SET next_attempt_at = next_attempt_at - interval '1s'"
                       " WHERE operation = 'noop' AND state = 'pending'")


def drain(registry):
    started = time.perf_counter()
    with environment(registry, commit=True) as env:
        done = env["sync.job"]._run_due_jobs(time_budget=600)
    return done, time.perf_counter() - started


def claim_only(registry, count):
    """Seconds per job spent claiming (one statement + its commit), slot given back."""
    enqueue_noops(registry, count)
    with environment(registry, commit=True) as env:
        Job = env["sync.job"]
        started = time.perf_counter()
        claimed, slot = 0, None
        while True:
            result = Job._claim_next_job("bench", release=slot)
            if not result:
                break
            job, slot = result
            claimed += 1
        elapsed = time.perf_counter() - started
        env.cr.execute("UPDATE sync_job SET state = 'done' WHERE operation = 'noop'")
    return claimed, elapsed


def clean(registry):
    with environment(registry, commit=True) as env:
        env.cr.execute("DELETE FROM sync_job WHERE operation = 'noop'")


def main():
    args = arguments(__doc__, jobs=(2000, "no-op jobs"))
    threading.current_thread().testing = False
    registry = load_registry(args.config, args.database)
    clean(registry)
    enqueue_noops(registry, args.jobs)
    done, seconds = drain(registry)
    clean(registry)
    claimed, claim_seconds = claim_only(registry, args.jobs)
    clean(registry)
    print(f"{args.jobs} committed no-op jobs, one runner loop in process")
    print_row("jobs done", done)
    print_row("jobs/s", done / seconds, "jobs/s")
    print_row("ms per job", seconds * 1000 / max(done, 1), "ms")
    print_row("of which claiming: ms per job", claim_seconds * 1000 / max(claimed, 1), "ms")


if __name__ == "__main__":
    main()
