"""The sync.job runner in production shape: odoo-bin processes with cron workers draining
the queue, as production runs it (no bench-spawned drainers).

Prints, in one run:
- the cost of one transaction per job: an in-process drain of N no-op jobs by the runner,
  against the previous shape (a claimed batch of 50 run in savepoints, one commit) emulated
  on the same rows;
- no-op jobs/s drained by one odoo-bin (--workers=2, --max-cron-threads=2) and by two;
- webhook delivery -> its job done, p50/p99, alone and next to an account whose lane is
  blocked on a rate window with jobs queued.

Needs a database where test_channel_base is installed (the 'example' test platform):

    PYTHONPATH=/opt/odoo18 /opt/odoo18/venv/bin/python -m bench.bench_runner -c odoo.conf -d db
"""

import os
import statistics
import subprocess
import sys
import threading
import time

import requests

from bench.bench_webhook import free_port
from bench.common import arguments, environment, load_registry, print_row

ODOO_BIN = os.path.join(os.environ.get("ODOO_HOME", "/opt/odoo18"), "odoo-bin")


def start_odoo(config, database, cron_workers=2, workers=2):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, ODOO_BIN, "-c", config, "-d", database, f"--db-filter=^{database}$",
         f"--http-port={port}", f"--workers={workers}", f"--max-cron-threads={cron_workers}",
         "--log-level=warn", "--http-interface=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(url + "/web/health", timeout=5).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("odoo-bin did not start")


def stop(process):
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def clean(registry):
    with environment(registry, commit=True) as env:
        env.cr.execute("DELETE FROM sync_job")
        env.cr.execute("DELETE FROM channel_webhook_event")


def count(registry, sql, params=()):
    with environment(registry) as env:
        env.cr.execute(sql, params)
        return env.cr.fetchone()[0]


def enqueue_noops(registry, jobs):
    with environment(registry, commit=True) as env:
        env["sync.job"]._enqueue_many([{"operation": "noop"} for _ in range(jobs)])


# ---------------------------------------------------------------------------- in process

def per_job_transaction_cost(registry, jobs):
    """ms per no-op job: the runner (one transaction per job) vs the previous batch shape."""
    clean(registry)
    enqueue_noops(registry, jobs)
    with environment(registry, commit=True) as env:
        env.cr.execute("UPDATE sync_job SET next_attempt_at = next_attempt_at - interval '1s'")
    with environment(registry, commit=True) as env:
        started = time.perf_counter()
        done = env["sync.job"]._run_due_jobs(batch_size=50, time_budget=600)
        per_job_now = (time.perf_counter() - started) * 1000 / max(done, 1)
    clean(registry)
    enqueue_noops(registry, jobs)
    with environment(registry, commit=True) as env:
        env.cr.execute("UPDATE sync_job SET next_attempt_at = next_attempt_at - interval '1s'")
    with environment(registry, commit=True) as env:
        Job = env["sync.job"]
        started = time.perf_counter()
        old_done = 0
        while True:  # the previous runner: claim 50, savepoint per job, one commit
            env.cr.commit()
            env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            ids = Job._claim_due_job_ids(env.cr, 50, "bench")
            env.cr.commit()
            if not ids:
                break
            batch = Job.browse(ids)
            env.cr.execute("SELECT id FROM sync_job WHERE id IN %s FOR UPDATE", [tuple(ids)])
            for job in batch:
                with env.cr.savepoint():
                    result = job._execute()
                job.write({"state": "done", "result": result})
            env.cr.commit()
            old_done += len(ids)
        per_job_before = (time.perf_counter() - started) * 1000 / max(old_done, 1)
    clean(registry)
    return per_job_now, per_job_before


# ---------------------------------------------------------------------------- production shape

def drain_with_processes(config, database, registry, jobs, processes, cron_workers=2):
    clean(registry)
    servers = [start_odoo(config, database, cron_workers=cron_workers)
               for _ in range(processes)]
    try:
        time.sleep(2)
        started = time.perf_counter()
        enqueue_noops(registry, jobs)  # its commit triggers the runner crons
        deadline = time.time() + 600
        while time.time() < deadline:
            if not count(registry, "SELECT count(*) FROM sync_job WHERE state <> 'done'"):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        pids = count(registry, "SELECT count(DISTINCT split_part(worker, ':', 2)) FROM sync_job")
        done = count(registry, "SELECT count(*) FROM sync_job WHERE state = 'done'")
    finally:
        for server, _url in servers:
            stop(server)
    clean(registry)
    return done / elapsed, pids


def webhook_latencies(config, database, registry, deliveries, blocked_lane):
    clean(registry)
    with environment(registry, commit=True) as env:
        Credential = env["integration.credential"]
        hooks = Credential.search([("name", "=", "Bench runner hooks")], limit=1) or \
            Credential.create({"name": "Bench runner hooks", "platform": "example"})
        blocked = Credential.search([("name", "=", "Bench runner blocked")], limit=1) or \
            Credential.create({"name": "Bench runner blocked", "platform": "example",
                               "api_base_url": "http://127.0.0.1:9", "example_rate_limit": 40})
        secret = hooks.sudo().webhook_secret
        hooks_id, blocked_id = hooks.id, blocked.id
        if blocked_lane:
            env["sync.job"]._enqueue_many([
                {"operation": "example.push_order", "credential": blocked,
                 "payload": {"reference": f"BLOCKED-{i}"}} for i in range(50)])
            Limits = env["channel.rate.limit"]
            Limits._reserve(blocked.id, "default", "window", 40, 60.0)
            Limits._observe(blocked.id, "default", blocked_for=120)
    server, url = start_odoo(config, database)
    latencies = []
    try:
        time.sleep(2)
        for index in range(deliveries):
            body = {"id": f"bench-{blocked_lane}-{index}-{time.time()}", "event": "ping",
                    "order": {"id": f"ping-{index}", "lines": []}}
            sent = time.perf_counter()
            response = requests.post(f"{url}/channel/webhook/example/{hooks_id}?token={secret}",
                                     json=body, timeout=30)
            assert response.status_code == 200, response.text
            while True:
                state = count(registry, "SELECT count(*) FROM channel_webhook_event "
                                        "WHERE delivery_id = %s AND state = 'processed'",
                              (body["id"],))
                if state:
                    break
                if time.perf_counter() - sent > 120:
                    raise RuntimeError("webhook job not done within 120 s")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - sent)
            time.sleep(0.1)
        blocked_pending = count(
            registry, "SELECT count(*) FROM sync_job WHERE credential_id = %s AND state = "
                      "'pending'", (blocked_id,))
    finally:
        stop(server)
    with environment(registry, commit=True) as env:
        env["channel.rate.limit"]._forget([blocked_id])
        env.cr.execute("DELETE FROM sale_order WHERE channel_credential_id = %s", (hooks_id,))
    clean(registry)
    return latencies, blocked_pending


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main():
    args = arguments(__doc__, jobs=(2000, "no-op jobs"), deliveries=(20, "webhooks timed"))
    threading.current_thread().testing = False
    registry = load_registry(args.config, args.database)
    now, before = per_job_transaction_cost(registry, args.jobs)
    print(f"{args.jobs} no-op jobs, in process")
    print_row("runner, one transaction per job: ms/job", now, "ms")
    print_row("previous shape (batch of 50, savepoints): ms/job", before, "ms")
    print_row("cost of one transaction per job: ms/job", now - before, "ms")
    for processes in (1, 2):
        rate, pids = drain_with_processes(args.config, args.database, registry, args.jobs,
                                          processes)
        print(f"{args.jobs} no-op jobs, {processes} odoo-bin (--workers=2 --max-cron-threads=2)")
        print_row(f"  drained: jobs/s ({pids} processes did work)", rate, "jobs/s")
    for blocked in (False, True):
        latencies, pending = webhook_latencies(args.config, args.database, registry,
                                               args.deliveries, blocked)
        label = "next to a rate-blocked lane" if blocked else "alone"
        print(f"webhook delivery -> job done, {args.deliveries} deliveries, {label}"
              + (f" ({pending} blocked jobs still waiting)" if blocked else ""))
        print_row("  p50", statistics.median(latencies) * 1000, "ms")
        print_row("  p99", percentile(latencies, 0.99) * 1000, "ms")


if __name__ == "__main__":
    main()
