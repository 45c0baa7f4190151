"""Throughput of the sync.job runner on no-op jobs, one worker and several in parallel,
and the claim overhead per job. Jobs are committed, as in production."""

import multiprocessing
import time

from bench.common import arguments, environment, load_registry, print_row


def enqueue_noops(registry, count):
    with environment(registry, commit=True) as env:
        env["sync.job"]._enqueue_many([{"operation": "noop"} for _ in range(count)])


def drain(config, database, batch_size, queue=None, start_signal=None, ready=None):
    registry = load_registry(config, database)
    if start_signal is not None:  # load Odoo first, then start together
        ready.release()
        start_signal.wait()
    started = time.perf_counter()
    with environment(registry, commit=True) as env:
        done = env["sync.job"]._run_due_jobs(batch_size=batch_size, time_budget=600)
    elapsed = time.perf_counter() - started
    if queue is not None:
        queue.put((done, elapsed))
    return done, elapsed


def claim_overhead(registry, count, batch_size):
    """Seconds spent claiming (UPDATE … FOR UPDATE SKIP LOCKED + commit) per job."""
    enqueue_noops(registry, count)
    spent = 0.0
    claimed = 0
    with environment(registry, commit=True) as env:
        Job = env["sync.job"]
        while True:
            started = time.perf_counter()
            ids = Job._claim_due_job_ids(env.cr, batch_size, "bench")
            env.cr.commit()
            spent += time.perf_counter() - started
            if not ids:
                break
            claimed += len(ids)
            env.cr.execute("UPDATE sync_job SET state = 'done' WHERE id = ANY(%s)", (ids,))
            env.cr.commit()
    return spent / max(claimed, 1)


def cleanup(registry):
    with environment(registry, commit=True) as env:
        env.cr.execute("DELETE FROM sync_job WHERE operation = 'noop'")


def main():
    args = arguments(__doc__, jobs=(2000, "no-op jobs per run"), batch=(50, "claim batch size"),
                     workers=(2, "parallel worker processes for the second run"))
    registry = load_registry(args.config, args.database)
    cleanup(registry)

    enqueue_noops(registry, args.jobs)
    done, elapsed = drain(args.config, args.database, args.batch)
    print(f"sync.job runner, {args.jobs} no-op jobs, batch {args.batch}")
    print_row("1 worker: jobs done", done)
    print_row("1 worker: jobs/s", done / elapsed, "jobs/s")

    enqueue_noops(registry, args.jobs)
    # Separate processes (spawned, so no database connection is shared), each its own
    # Odoo registry and connection pool, as separate Odoo workers or hosts would be.
    results, start_signal = multiprocessing.Queue(), multiprocessing.Event()
    ready = multiprocessing.Semaphore(0)
    processes = [
        multiprocessing.Process(target=drain, args=(args.config, args.database, args.batch,
                                                    results, start_signal, ready))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _process in processes:
        ready.acquire()
    started = time.perf_counter()
    start_signal.set()
    per_worker = [results.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    total = sum(done for done, _elapsed in per_worker)
    with environment(registry) as env:
        env.cr.execute("SELECT count(*) FROM sync_job WHERE operation = 'noop' AND attempts > 1")
        run_twice = env.cr.fetchone()[0]
    print_row(f"{args.workers} workers: jobs done (each once: expect {args.jobs})", total)
    print_row(f"{args.workers} workers: jobs/s", total / wall, "jobs/s")
    print_row(f"{args.workers} workers: jobs run more than once (expect 0)", run_twice)
    print_row("claim overhead per job", 1000 * claim_overhead(registry, args.jobs, args.batch),
              "ms")
    cleanup(registry)
    print("reference: OCA queue_job 18.0, 2 workers, same kind of machine: 56.9 jobs/s "
          "(BENCHMARKS.md); published laptop figure with 8 workers: ~150 jobs/s")


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    main()
