"""Webhook intake on a real Odoo HTTP server (odoo-bin with prefork workers): requests/s and
p50/p99 acknowledgement latency of POST /channel/webhook/<platform>/<id>, with a load
generator on 127.0.0.1. Uses the test platform 'example' (token-authenticated)."""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import requests

from bench.common import arguments, environment, load_registry, print_row


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_odoo(config, database, port, workers):
    odoo_bin = os.path.join(os.environ.get("ODOO_HOME", "/opt/odoo18"), "odoo-bin")
    command = [sys.executable, odoo_bin, "-c", config, "-d", database, f"--db-filter=^{database}$",
               f"--http-port={port}", f"--workers={workers}", "--max-cron-threads=0",
               "--log-level=warn", "--http-interface=127.0.0.1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/web/webclient/version_info", timeout=2)
            return process
        except requests.RequestException:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("odoo-bin did not start")


def fire(url, bodies, latencies, statuses):
    session = requests.Session()
    for body in bodies:
        started = time.perf_counter()
        if body is None:
            response = session.get(url, timeout=30)
        else:
            response = session.post(url, data=body,
                                    headers={"Content-Type": "application/json"}, timeout=30)
        latencies.append(time.perf_counter() - started)
        statuses.append(response.status_code)


def load(url, bodies, clients, statuses):
    latencies, threads = [], []
    started = time.perf_counter()
    for index in range(clients):
        thread = threading.Thread(target=fire, args=(url, bodies[index::clients], latencies,
                                                     statuses))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return sorted(latencies), time.perf_counter() - started


def percentile(latencies, fraction):
    return 1000 * latencies[max(int(len(latencies) * fraction) - 1, 0)]


def main():
    args = arguments(__doc__, requests=(2000, "webhook deliveries"),
                     clients=(8, "concurrent client connections"),
                     workers=(2, "odoo HTTP workers"))
    registry = load_registry(args.config, args.database)
    with environment(registry, commit=True) as env:
        credential = env["integration.credential"].create(
            {"name": "bench webhook", "platform": "example"})
        credential_id, token = credential.id, credential.webhook_secret
    port = free_port()
    odoo = start_odoo(args.config, args.database, port, args.workers)
    try:
        url = f"http://127.0.0.1:{port}/channel/webhook/example/{credential_id}?token={token}"
        run = time.time_ns()
        bodies = [json.dumps({"id": f"bench-{run}-{i}", "event": "order.created",
                              "order": {"id": i}}).encode() for i in range(args.requests)]
        fire(url, bodies[:20], [], [])  # warm the workers
        # Baseline in the same run: Odoo's own /web/health route through the same server.
        health_latencies, health_wall = load(f"http://127.0.0.1:{port}/web/health",
                                             [None] * (args.requests - 20), args.clients, [])
        statuses = []
        latencies, wall = load(url, bodies[20:], args.clients, statuses)
    finally:
        odoo.terminate()
        odoo.wait(30)
    with environment(registry, commit=True) as env:
        env.cr.execute("SELECT count(*) FROM channel_webhook_event WHERE credential_id = %s",
                       (credential_id,))
        stored = env.cr.fetchone()[0]
        env["integration.credential"].browse(credential_id).unlink()
    count = len(latencies)
    print(f"webhook intake, {count} deliveries, {args.clients} clients, "
          f"{args.workers} odoo workers")
    print_row("webhook requests/s", count / wall, "req/s")
    print_row("webhook p50 acknowledgement latency", percentile(latencies, 0.5), "ms")
    print_row("webhook p99 acknowledgement latency", percentile(latencies, 0.99), "ms")
    print_row("baseline GET /web/health requests/s", len(health_latencies) / health_wall,
              "req/s")
    print_row("baseline /web/health p50", percentile(health_latencies, 0.5), "ms")
    print_row("ratio webhook p50 / health p50",
              statistics.median(latencies) / statistics.median(health_latencies))
    print_row("answers other than 200", sum(1 for status in statuses if status != 200))
    print_row("events stored (expect deliveries + 20 warm-up)", stored)


if __name__ == "__main__":
    main()
