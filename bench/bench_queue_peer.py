"""Side by side: OCA queue_job's runner and our sync.job runner on the same machine, same
database, same number of no-op jobs and workers.

Needs a database where OCA ``queue_job`` (18.0) is installed next to channel_base, and a
config whose ``server_wide_modules`` include ``queue_job`` with ``[queue_job] channels =
root:<workers>``. The bench starts odoo-bin with that many HTTP workers (queue_job's job
runner dispatches jobs to them), enqueues the jobs, and times until every job is done; then
it drains the same number of sync.job no-op jobs with one odoo-bin whose cron workers (as
many as queue_job's HTTP workers) run the runner crons: both in their production shape.
"""

import os
import subprocess
import sys
import time

from bench.bench_runner import drain_with_processes
from bench.bench_webhook import free_port
from bench.common import arguments, environment, load_registry, print_row


def queue_job_run(config, database, registry, jobs, workers):
    with environment(registry, commit=True) as env:
        env.cr.execute("DELETE FROM queue_job")
    port = free_port()
    odoo_bin = os.path.join(os.environ.get("ODOO_HOME", "/opt/odoo18"), "odoo-bin")
    server = subprocess.Popen(
        [sys.executable, odoo_bin, "-c", config, "-d", database, f"--http-port={port}",
         f"--workers={workers}", "--max-cron-threads=0", "--log-level=warn",
         "--http-interface=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(8)  # server and job runner up
        started = time.perf_counter()
        with environment(registry, commit=True) as env:
            partners = env["res.partner"].browse()
            for _ in range(jobs):
                partners.with_delay().exists()
        enqueued = time.perf_counter()
        deadline = time.time() + 900
        while time.time() < deadline:
            with environment(registry) as env:
                env.cr.execute("SELECT count(*) FROM queue_job WHERE state = 'done'")
                done = env.cr.fetchone()[0]
            if done >= jobs:
                break
            time.sleep(0.2)
        # Drain time only (from the enqueue commit), like the sync.job figure.
        return done, time.perf_counter() - enqueued, enqueued - started
    finally:
        server.terminate()
        server.wait(30)


def sync_job_run(config, database, registry, jobs, workers):
    """Our runner in its production shape: one odoo-bin whose cron workers drain the
    queue (as many as queue_job gets HTTP workers), timed from the enqueue commit."""
    rate, _processes = drain_with_processes(config, database, registry, jobs, processes=1,
                                            cron_workers=workers)
    return jobs, jobs / rate


def main():
    args = arguments(__doc__, jobs=(2000, "no-op jobs"), workers=(2, "workers"))
    registry = load_registry(args.config, args.database)
    qj_done, qj_seconds, qj_enqueue = queue_job_run(args.config, args.database, registry, args.jobs,
                                        args.workers)
    sj_done, sj_seconds = sync_job_run(args.config, args.database, registry, args.jobs,
                                       args.workers)
    print(f"{args.jobs} no-op jobs, {args.workers} workers, same machine, same run")
    print_row("OCA queue_job: jobs done", qj_done)
    print_row("OCA queue_job: enqueue (with_delay) s", qj_enqueue, "s")
    print_row("OCA queue_job: jobs/s (enqueued to last done)", qj_done / qj_seconds, "jobs/s")
    print_row("sync.job: jobs done", sj_done)
    print_row("sync.job (odoo-bin cron workers): jobs/s", sj_done / sj_seconds, "jobs/s")
    print_row("ratio sync.job / queue_job", (sj_done / sj_seconds) / (qj_done / qj_seconds))


if __name__ == "__main__":
    main()
