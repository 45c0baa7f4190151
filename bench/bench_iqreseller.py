"""Benchmark: import N IQ Reseller orders (3 lines each) from the simulator through the
real connector (poll job, one import job per order, confirmation), against the bare ORM
baseline (batch-create N partners and N sale orders with 3 lines, then action_confirm)
measured in the same run.

    /opt/odoo18/venv/bin/python bench/bench_iqreseller.py [-n 200] [--db cc_iqr]
        [--conf /tmp/cc_iqr.conf] [--page-size 25]

Everything is rolled back at the end; the committed benchmark credential is deleted.
"""

import argparse
import os
import sys
import threading
import time
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.environ.get("ODOO_PATH", "/opt/odoo18"))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from tests.simulators.iqreseller import IQResellerSimulator  # noqa: E402

SKUS = ("BENCH-LAPTOP", "BENCH-DOCK", "BENCH-CABLE")
TIMEZONE = "America/Chicago"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--orders", type=int, default=200)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_iqr"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF", "/tmp/cc_iqr.conf"))
    parser.add_argument("--page-size", type=int, default=25)
    return parser.parse_args()


def create_products(env):
    return [env["product.product"].create({"name": sku, "default_code": sku, "type": "consu"})
            for sku in SKUS]


def baseline(env, count, products):
    """Bare ORM: the least any import of these orders has to do."""
    started = time.perf_counter()
    partners = env["res.partner"].create([{
        "name": f"Baseline Customer {number}", "email": f"base{number}@example.com",
        "street": f"{number} Main St", "city": "Austin", "zip": "78701",
        "country_id": env.ref("base.us").id,
    } for number in range(count)])
    orders = env["sale.order"].create([{
        "partner_id": partner.id,
        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2,
                               "price_unit": 10.0}) for product in products],
    } for partner in partners])
    orders.action_confirm()
    env.flush_all()
    return time.perf_counter() - started


def seed_simulator(sim, count):
    sale_date = datetime.now() - timedelta(days=1)
    for number in range(count):
        sim.add_so(
            saledate=sale_date, userdefined5="DPC - QUIC",
            shiptocompany=f"IQR Customer {number}", shiptoemail=f"iqr{number}@example.com",
            shiptoaddress1=f"{number} Elm St",
            details=[{"item": sku, "quantity": 2, "unitprice": 10.0} for sku in SKUS],
        )


def create_committed_credential(registry, sim, page_size):
    # API logs are written on their own cursor and need a committed credential row.
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        credential = env["integration.credential"].create({
            "name": "IQR benchmark", "platform": "iqreseller", "api_base_url": sim.url,
            "iqr_signin_url": sim.url, "iqr_api_key": sim.options["api_key"],
            "source_timezone": TIMEZONE, "iqr_order_endpoint": "get_sos",
            "iqr_page_size": page_size, "debug_logging": False,
        })
        cr.commit()
        return credential.id


def delete_credential(registry, credential_id):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["integration.credential"].browse(credential_id).unlink()
        cr.commit()


def connector(env, credential_id, count):
    credential = env["integration.credential"].browse(credential_id)
    Job = env["sync.job"]
    started = time.perf_counter()
    credential._iqr_enqueue_poll()
    while Job.search_count([("credential_id", "=", credential_id), ("state", "=", "pending")]):
        Job._run_due_jobs(batch_size=200, time_budget=3600)
    env.flush_all()
    elapsed = time.perf_counter() - started
    orders = env["sale.order"].search([("channel_credential_id", "=", credential_id)])
    failed = Job.search([("credential_id", "=", credential_id), ("state", "=", "failed")])
    confirmed = len(orders.filtered(lambda order: order.state == "sale"))
    return elapsed, len(orders), confirmed, failed


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "--log-level=warn"])
    # The job runner commits per batch outside tests; the benchmark must roll back.
    threading.current_thread().testing = True
    registry = Registry(args.db)
    sim = IQResellerSimulator(slow_page_size=0).start()
    credential_id = None
    try:
        seed_simulator(sim, args.orders)
        credential_id = create_committed_credential(registry, sim, args.page_size)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = create_products(env)
            cr.execute("SAVEPOINT bench_baseline")
            base_seconds = baseline(env, args.orders, products)
            cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
            env.invalidate_all()
            sim.requests.clear()
            seconds, imported, confirmed, failed = connector(env, credential_id, args.orders)
            calls = len(sim.requests)
            cr.rollback()
        if failed:
            print(f"FAILED jobs: {len(failed)}: {failed[:3].mapped('last_error')}")
        base_rate = args.orders / base_seconds
        rate = imported / seconds if seconds else 0.0
        print(f"orders: {args.orders} x {len(SKUS)} lines, page size {args.page_size}")
        print(f"bare ORM create+confirm: {base_seconds:8.2f} s  {base_rate:8.1f} orders/s")
        print(f"IQR connector import   : {seconds:8.2f} s  {rate:8.1f} orders/s "
              f"({imported} imported, {confirmed} confirmed)")
        print(f"ratio connector/ORM    : {rate / base_rate:8.2f} (1.0 = as fast as bare ORM)")
        print(f"API calls              : {calls} ({calls / max(imported, 1):.3f} per order; "
              f"sign-ins {sim.sign_ins}, sign-outs {sim.sign_outs})")
    finally:
        if credential_id:
            delete_credential(registry, credential_id)
        sim.stop()


if __name__ == "__main__":
    main()
