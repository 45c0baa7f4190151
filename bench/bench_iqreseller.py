"""Benchmark: import N IQ Reseller orders (3 lines each) from the simulator through the
real connector (poll job, import jobs of a chunk of orders each, confirmation), against the
shared bare ORM baseline (bench.common.bare_orm_create_confirm: batch-create N partners
and N sale orders with 3 lines, then action_confirm) measured in the same run.

    PYTHONPATH=/opt/odoo18 /opt/odoo18/venv/bin/python bench/bench_iqreseller.py [-n 200]
        [--db cc_iqr] [--conf /tmp/cc_iqr.conf] [--page-size 25] [--rounds 1]
        [--job-batch-size 50]

The import jobs are drained in runner batches of channel_base.job_batch_size jobs, which
also sets the orders per import job (see channel_iqreseller/const.py); --job-batch-size
overrides it for the run.

The baseline runs with tracking disabled, as every bench's floor does; the connector runs
with the context a cron worker has, chatter included. Everything is rolled back at the end;
the committed benchmark credential is deleted.
"""

import argparse
import logging
import os
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.environ.get("ODOO_PATH", "/opt/odoo18"))

from odoo import SUPERUSER_ID, api  # noqa: E402

from bench.common import (  # noqa: E402
    bare_orm_create_confirm,
    create_committed_credential,
    delete_committed_credential,
    environment,
    load_registry,
    make_products,
)
from tests.simulators.iqreseller import IQResellerSimulator  # noqa: E402

LINES = 3
TIMEZONE = "America/Chicago"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--orders", type=int, default=200)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_iqr"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF", "/tmp/cc_iqr.conf"))
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate baseline and connector this many times (shared, "
                        "noisy machines): prints each round and the median ratio")
    parser.add_argument("--job-batch-size", type=int, default=0,
                        help="channel_base.job_batch_size for this run (default: the "
                        "database's)")
    return parser.parse_args()


def seed_simulator(sim, count, skus):
    sale_date = datetime.now() - timedelta(days=1)
    for number in range(count):
        sim.add_so(
            saledate=sale_date, userdefined5="DPC - QUIC",
            shiptocompany=f"IQR Customer {number}", shiptoemail=f"iqr{number}@example.com",
            shiptoaddress1=f"{number} Elm St",
            details=[{"item": sku, "quantity": 2, "unitprice": 10.0} for sku in skus],
        )


def create_bench_credential(registry, sim, page_size):
    # API logs are written on their own cursor and need a committed credential row.
    return create_committed_credential(registry, {
        "name": "IQR benchmark", "platform": "iqreseller", "api_base_url": sim.url,
        "iqr_signin_url": sim.url, "iqr_api_key": sim.options["api_key"],
        "source_timezone": TIMEZONE, "iqr_order_endpoint": "get_sos",
        "iqr_page_size": page_size, "debug_logging": False,
    })


def connector(env, credential_id):
    """(seconds reading, seconds importing, jobs run, orders per import job): the poll
    job, then the import jobs it queued, drained in the cron runner's batches."""
    credential = env["integration.credential"].browse(credential_id)
    Job = env["sync.job"]
    batch_size = int(env["ir.config_parameter"].sudo().get_param(
        "channel_base.job_batch_size", 50))
    started = time.perf_counter()
    credential._iqr_enqueue_poll()
    jobs = Job._run_due_jobs(batch_size=1, time_budget=3600, max_jobs=1)
    read = time.perf_counter()
    while Job.search_count([("credential_id", "=", credential_id), ("state", "=", "pending")]):
        jobs += Job._run_due_jobs(batch_size=batch_size, time_budget=3600)
    env.flush_all()
    return read - started, time.perf_counter() - read, jobs, credential._iqr_import_chunk_size()


def connector_outcome(env, credential_id):
    orders = env["sale.order"].search([("channel_credential_id", "=", credential_id)])
    failed = env["sync.job"].search([("credential_id", "=", credential_id),
                                     ("state", "=", "failed")])
    return len(orders), len(orders.filtered(lambda order: order.state == "sale")), failed


def measure_round(registry, sim, credential_id, count, job_batch_size):
    """One baseline run and one connector run, each in its own rolled-back cursor."""
    with environment(registry) as env:  # tracking disabled: the shared floor
        create_s, confirm_s = bare_orm_create_confirm(env, count, lines=LINES)
    requests_before, sign_ins_before = len(sim.requests), sim.sign_ins
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})  # a cron worker's context
        make_products(env, LINES)
        if job_batch_size:
            env["ir.config_parameter"].set_param("channel_base.job_batch_size", job_batch_size)
        env.flush_all()
        read_s, import_s, jobs, chunk = connector(env, credential_id)
        imported, confirmed, failed = connector_outcome(env, credential_id)
        failures = failed[:3].mapped("last_error")
        cr.rollback()
    return {
        "base": create_s + confirm_s, "create": create_s, "confirm": confirm_s,
        "read": read_s, "import": import_s, "seconds": read_s + import_s, "jobs": jobs,
        "chunk": chunk,
        "imported": imported, "confirmed": confirmed, "failures": failures,
        "calls": len(sim.requests) - requests_before, "sign_ins": sim.sign_ins - sign_ins_before,
    }


def print_round(count, result):
    base_rate = count / result["base"]
    rate = result["imported"] / result["seconds"] if result["seconds"] else 0.0
    if result["failures"]:
        print(f"FAILED jobs, e.g.: {result['failures']}")
    print(f"bare ORM create+confirm: {result['base']:8.2f} s  {base_rate:8.1f} orders/s "
          f"(create {result['create']:.2f} s, confirm {result['confirm']:.2f} s)")
    print(f"IQR connector import   : {result['seconds']:8.2f} s  {rate:8.1f} orders/s "
          f"({result['imported']} imported, {result['confirmed']} confirmed; reading "
          f"{result['read']:.2f} s, importing {result['import']:.2f} s, {result['jobs']} jobs "
          f"of up to {result['chunk']} orders)")
    print(f"time connector/ORM     : {result['seconds'] / result['base']:8.2f} x "
          "(target <= 1.3)")
    print(f"rate connector/ORM     : {rate / base_rate:8.2f} (1.0 = as fast as bare ORM)")
    print(f"API calls              : {result['calls']} "
          f"({result['calls'] / max(result['imported'], 1):.3f} per order; "
          f"sign-ins {result['sign_ins']})")


def main():
    args = parse_args()
    logging.getLogger("odoo").setLevel(logging.WARNING)  # no per-job info lines
    registry = load_registry(args.conf, args.db)
    # The job runner commits per batch outside tests; the benchmark must roll back.
    threading.current_thread().testing = True
    sim = IQResellerSimulator(slow_page_size=0).start()
    credential_id = None
    try:
        with environment(registry) as env:  # warms the registry's caches for both sides
            bare_orm_create_confirm(env, 5, lines=LINES)
            skus = make_products(env, LINES).mapped("default_code")
        seed_simulator(sim, args.orders, skus)
        credential_id = create_bench_credential(registry, sim, args.page_size)
        print(f"orders: {args.orders} x {LINES} lines, page size {args.page_size}")
        ratios = []
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"-- round {number}/{args.rounds}")
            result = measure_round(registry, sim, credential_id, args.orders,
                                   args.job_batch_size)
            print_round(args.orders, result)
            ratios.append(result["seconds"] / result["base"])
        if args.rounds > 1:
            print(f"median time connector/ORM over {args.rounds} rounds: "
                  f"{statistics.median(ratios):.2f} x (rounds: "
                  f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})")
    finally:
        if credential_id:
            delete_committed_credential(registry, credential_id)
        sim.stop()


if __name__ == "__main__":
    main()
