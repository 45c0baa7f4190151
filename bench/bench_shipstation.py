"""Benchmark the ShipStation connector against the bare ORM, in one run.

    /opt/odoo18/venv/bin/python bench/bench_shipstation.py [-n 200] [--db cc_ss]
        [--conf /tmp/cc_ss.conf] [--no-shipments] [--one-by-one]

Prints, for N sale orders of 3 lines each (so N ready outgoing transfers):
- baseline: the bare ORM batch-creating N partners and N sale orders, then action_confirm
  (run twice: the spread shows the machine's noise, which can exceed the hook's cost; the
  second run, as warm as the connector's, is compared);
- connector, orders out: the same with the ShipStation account active (the reservation
  hook queues export jobs of <= 100 transfers), then the queue drained against the
  simulator: createorders calls (expect ceil(N/100)), all calls, 429s received (expect 0),
  wall time, time inside HTTP and Odoo time per transfer, and the 40/min window's floor;
- connector, shipments in: one label per order in the simulator, one poll job applies them
  (transfers validated with tracking): calls and time per transfer, against the bare ORM
  validating the baseline's transfers in one batch;
- the ratio of the connector's Odoo time per transfer to the baseline's time per order.
Everything is rolled back; the committed bench credential is deleted at the end.
"""
import argparse
import math
import os
import sys
import threading
import time
from contextlib import contextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, "/opt/odoo18"]

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.fields import Command  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from bench.common import create_committed_credential, delete_committed_credential  # noqa: E402
from tests.simulators.shipstation import ShipStationSimulator  # noqa: E402

SKUS = ("SSB-WIDGET", "SSB-GADGET", "SSB-CABLE")
API_KEY, API_SECRET = "bench-key", "bench-secret"
WINDOW_REQUESTS, WINDOW_SECONDS = 40, 60


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="sale orders / transfers (200)")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_ss"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF", "/tmp/cc_ss.conf"))
    parser.add_argument("--no-shipments", action="store_true",
                        help="skip the shipments-in part")
    parser.add_argument("--one-by-one", action="store_true",
                        help="confirm the connector's orders one at a time, as an import job "
                        "does (one export job each; they still leave in batches of 100)")
    return parser.parse_args()


@contextmanager
def timed(results, name):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def create_bench_credential(registry, sim):
    """Committed (API logs reference it from their own cursor) and inactive until the
    baseline is measured, so the baseline pays nothing for the connector."""
    return create_committed_credential(registry, {
        "name": "ShipStation bench", "platform": "shipstation", "active": False,
        "api_base_url": sim.url, "shipstation_api_key": API_KEY,
        "shipstation_api_secret": API_SECRET, "debug_logging": False,
        # The bench sells from Odoo itself: the account must be told to fulfil those.
        "shipstation_fulfil_own_orders": True,
    })


def http_seconds(registry, credential_id, path):
    """Client-side time of the logged calls to ``path`` (committed on their own cursor)."""
    with registry.cursor() as cr:
        cr.execute("SELECT count(*), coalesce(sum(duration_ms), 0) FROM channel_api_log "
                   "WHERE credential_id = %s AND url LIKE %s", (credential_id, f"%{path}%"))
        count, milliseconds = cr.fetchone()
        return count, milliseconds / 1000.0


def make_products(env):
    products = env["product.product"].create([
        {"name": sku, "default_code": sku, "is_storable": True, "weight": 0.25,
         "list_price": 10.0} for sku in SKUS])
    stock = env["stock.warehouse"].search([("company_id", "=", env.company.id)],
                                          limit=1).lot_stock_id
    for product in products:
        env["stock.quant"]._update_available_quantity(product, stock, 10_000_000)
    env.flush_all()
    return products


def create_and_confirm(env, products, count, label, one_by_one=False):
    """The bare ORM's work: N partners, N orders of 3 lines in batches, then confirm."""
    us = env.ref("base.us")
    partners = env["res.partner"].create([
        {"name": f"{label} Customer {index}", "street": f"{index} Main St", "city": "Austin",
         "zip": "78701", "country_id": us.id, "email": f"{label.lower()}{index}@example.com"}
        for index in range(count)])
    orders = env["sale.order"].create([{
        "partner_id": partner.id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1 + n,
                                       "price_unit": 10.0})
                       for n, product in enumerate(products)],
    } for partner in partners])
    for batch in (orders if one_by_one else [orders]):
        batch.action_confirm()
    env.flush_all()
    return orders


def validate_in_batch(env, pickings):
    """The bare ORM's floor for shipments in: validate every transfer in one call."""
    for move in pickings.move_ids:
        move.quantity = move.product_uom_qty
    pickings.move_ids.picked = True
    pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
    env.flush_all()


def run_queue(env):
    env.flush_all()
    env["sync.job"]._run_due_jobs(batch_size=50, time_budget=3600)
    env.invalidate_all()


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    # The job runner commits per batch outside tests; here everything must roll back.
    threading.current_thread().testing = True
    count, results, figures = arguments.n, {}, {}
    with ShipStationSimulator(api_key=API_KEY, api_secret=API_SECRET) as sim:
        credential_id = create_bench_credential(registry, sim)
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                products = make_products(env)
                cr.execute("SAVEPOINT bench_baseline")
                create_and_confirm(env, products, min(count, 20), "Warmup")  # warm caches
                cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
                env.invalidate_all()
                # Twice: the spread shows how noisy this machine is; the second (as warm as
                # the connector run that follows it) is the one compared.
                for run in ("baseline_a", "baseline_b"):
                    with timed(results, run):
                        baseline_orders = create_and_confirm(env, products, count, "Baseline")
                    if run == "baseline_a" and not arguments.no_shipments:
                        with timed(results, "baseline_validate"):
                            validate_in_batch(env, baseline_orders.picking_ids)
                    cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")  # same starting point
                    env.invalidate_all()
                results["baseline"] = results["baseline_b"]
                env.invalidate_all()
                credential = env["integration.credential"].browse(credential_id)
                credential.active = True
                with timed(results, "confirm"):
                    orders = create_and_confirm(env, products, count, "Connector",
                                                one_by_one=arguments.one_by_one)
                pickings = orders.picking_ids
                figures["jobs"] = len(pickings.shipstation_export_job_id)
                with timed(results, "export"):
                    run_queue(env)
                figures["sent"] = len(pickings.filtered("shipstation_order_id"))
                figures["createorders"] = len([
                    r for r in sim.requests if r.path == "/orders/createorders"])
                figures["calls_out"] = len(sim.requests)
                figures["throttled_out"] = sim.throttled_count
                _logged, results["export_http"] = http_seconds(
                    registry, credential_id, "/orders/createorders")
                if not arguments.no_shipments:
                    shipments_in(env, sim, credential, pickings, results, figures)
                cr.rollback()
        finally:
            delete_committed_credential(registry, credential_id)
    report(count, results, figures, arguments)


def shipments_in(env, sim, credential, pickings, results, figures):
    calls_before = len(sim.requests)
    for picking in pickings:
        sim.ship_order(picking.shipstation_order_key)
    credential.action_shipstation_poll_now()
    with timed(results, "shipments"):
        run_queue(env)
    figures["done"] = len(pickings.filtered(lambda p: p.state == "done"))
    figures["tracked"] = len(pickings.filtered("carrier_tracking_ref"))
    figures["calls_in"] = len(sim.requests) - calls_before
    figures["throttled_in"] = sim.throttled_count - figures["throttled_out"]


def report(count, results, figures, arguments):
    baseline = results["baseline"]
    hook = results["confirm"] - baseline
    export_odoo = results["export"] - results["export_http"]
    window_floor = max(0, math.ceil(figures["calls_out"] / WINDOW_REQUESTS) - 1) * WINDOW_SECONDS
    print(f"ShipStation benchmark: {count} sale orders x {len(SKUS)} lines -> "
          f"{count} ready transfers")
    print(f"  baseline  ORM create + confirm:            {baseline:8.2f} s  "
          f"{1000 * baseline / count:7.2f} ms/order  (first run: "
          f"{results['baseline_a']:.2f} s)")
    mode = "one by one" if arguments.one_by_one else "in one batch"
    print(f"  connector create + confirm (+ queueing):   {results['confirm']:8.2f} s  "
          f"(confirmed {mode}: hook overhead {1000 * hook / count:+.2f} ms/transfer, "
          f"{figures['jobs']} export jobs)")
    print(f"  orders out: {figures['sent']}/{count} sent, createorders calls "
          f"{figures['createorders']} (expected {math.ceil(count / 100)}), all calls "
          f"{figures['calls_out']}, 429s {figures['throttled_out']}")
    print(f"    wall {results['export']:.2f} s (HTTP {results['export_http']:.2f} s, Odoo "
          f"{export_odoo:.2f} s = {1000 * export_odoo / count:.2f} ms/transfer); the "
          f"{WINDOW_REQUESTS}/{WINDOW_SECONDS}s window alone would need >= {window_floor} s")
    connector_odoo = hook + export_odoo
    print(f"  connector Odoo time per transfer (hook + export): "
          f"{1000 * connector_odoo / count:.2f} ms = "
          f"{connector_odoo / baseline:.2f}x the baseline's time per order")
    if arguments.no_shipments:
        return
    shipments = results["shipments"]
    print(f"  shipments in (one poll): {figures['done']}/{count} transfers done, "
          f"{figures['tracked']} with tracking, {figures['calls_in']} calls, "
          f"429s {figures['throttled_in']}")
    floor = results["baseline_validate"]
    print(f"    {shipments:.2f} s = {1000 * shipments / count:.2f} ms/transfer, against the "
          f"ORM validating them all in one batch: {1000 * floor / count:.2f} ms/transfer "
          f"({shipments / floor:.2f}x)")


if __name__ == "__main__":
    main()
