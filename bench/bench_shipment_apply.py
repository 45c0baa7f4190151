"""Benchmark channel_base's batched shipment application against the bare ORM.

    /opt/odoo18/venv/bin/python bench/bench_shipment_apply.py [-n 300] [--db wt_shipev]
        [--conf /tmp/devconf-wt_shipev.conf]

Prints, for N ready outgoing transfers of 3 lines each (sale orders of the committed
example bench account, so the shipment events fire and queue their jobs):
- baseline: the bare ORM validating all N transfers in one button_validate, shipment
  events off;
- ``_channel_apply_shipments`` with one tracking number for each of the N transfers
  (shipment events included: one example job per transfer);
  (alternated twice, each run on its own transfers of its own products; the second runs
  are compared, and the best of each);
- the ratio. Everything is rolled back; the bench credential is deleted at the end.
"""
import argparse
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, "/opt/odoo18"]

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.fields import Command  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from bench.common import create_committed_credential, delete_committed_credential  # noqa: E402

SKUS = ("SAB-WIDGET", "SAB-GADGET", "SAB-CABLE")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="ready transfers (300)")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "wt_shipev"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF",
                                                         "/tmp/devconf-wt_shipev.conf"))
    return parser.parse_args()


def make_products(env, run):
    products = env["product.product"].create([
        {"name": f"{sku} {run}", "default_code": f"{sku}-{run}", "is_storable": True}
        for sku in SKUS])
    stock = env["stock.warehouse"].search([("company_id", "=", env.company.id)],
                                          limit=1).lot_stock_id
    for product in products:
        env["stock.quant"]._update_available_quantity(product, stock, 10_000_000)
    return products


def ready_pickings(env, products, credential_id, count):
    partners = env["res.partner"].create([{"name": f"Apply bench {n}"} for n in range(count)])
    orders = env["sale.order"].create([{
        "partner_id": partner.id, "channel_credential_id": credential_id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1 + n})
                       for n, product in enumerate(products)],
    } for partner in partners])
    orders.action_confirm()
    env.flush_all()
    return orders.picking_ids


def bare_validate(env, pickings):
    from odoo.addons.channel_base.shipment_events import EVENTS_OFF

    pickings = pickings.with_context(**{EVENTS_OFF: True})  # the ORM alone
    for move in pickings.move_ids:
        move.quantity = move.product_uom_qty
    pickings.move_ids.picked = True
    pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
    env.flush_all()


def apply_shipments(env, pickings):
    from odoo.addons.channel_base.shipment_events import Shipment

    outcomes = env["stock.picking"]._channel_apply_shipments(
        [Shipment(picking, (f"1Z{picking.id:010d}",), reference=str(picking.id))
         for picking in pickings])
    env.flush_all()
    return outcomes


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    threading.current_thread().testing = True  # the job trigger must not commit
    count = arguments.n
    credential_id = create_committed_credential(registry, {
        "name": "Shipment apply bench", "platform": "example",
        "api_base_url": "http://127.0.0.1:9"})
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            # Each run validates its own transfers of its own products: runs on the same
            # rows (rolled back in between) drift with their dead versions.
            sets = [ready_pickings(env, make_products(env, run), credential_id, count)
                    for run in range(4)]
            baseline, applied = [], []
            for run in range(2):
                seconds, _result = timed(bare_validate, env, sets[2 * run])
                baseline.append(seconds)
                seconds, outcomes = timed(apply_shipments, env, sets[2 * run + 1])
                applied.append(seconds)
            statuses = [outcome.status for outcome in outcomes]
            jobs = env["sync.job"].search_count([
                ("credential_id", "=", credential_id), ("res_model", "=", "stock.picking"),
                ("res_id", "in", sets[3].ids)])
            cr.rollback()
    finally:
        delete_committed_credential(registry, credential_id)
    report(count, baseline, applied, statuses, jobs)


def report(count, baseline, applied, statuses, jobs):
    floor, ours = baseline[1], applied[1]
    print(f"Shipment apply benchmark: {count} ready transfers x {len(SKUS)} lines")
    print(f"  bare ORM, one button_validate:  {floor:7.2f} s  {1000 * floor / count:7.2f} "
          f"ms/transfer  (first run {baseline[0]:.2f} s)")
    print(f"  _channel_apply_shipments:       {ours:7.2f} s  {1000 * ours / count:7.2f} "
          f"ms/transfer  (first run {applied[0]:.2f} s; {statuses.count('applied')}/{count} "
          f"applied, {jobs} event jobs)")
    print(f"  ratio (second runs): {ours / floor:.2f}x; best of each: "
          f"{min(applied) / min(baseline):.2f}x")


if __name__ == "__main__":
    main()
