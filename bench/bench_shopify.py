"""Benchmark the Shopify connector against the bare ORM and the simulated API limit, in one run.

    /opt/odoo18/venv/bin/python bench/bench_shopify.py [-n 500] [-m 1000] [--full]
        [--restore-rate 1000] [--db cc_shopify] [--conf /tmp/devconf-cc_shopify.conf]

Serves N orders of 3 lines from the Shopify simulator and prints:
- baseline: the shared bare-ORM floor (bench/common.py): N partners and N sale orders with
  3 lines created in one batch, then confirmed;
- initial import by paginated ``orders`` queries (the ``orders`` stream's pages, one after
  the other, each waiting for the cost bucket as a job would) and by a bulk operation
  (bulkOperationRunQuery, JSONL download, children grouped by ``__parentId``, imported in
  chunks of 200): time, requests, points used, THROTTLED answers provoked, and how much of
  the bucket's restore rate the run used;
- M inventory updates through inventorySetQuantities (compare-and-swap, 250 per call):
  calls, points, calls per update.
--full runs the issue's sizes: 50,000 orders and 10,000 inventory updates. The simulator's
restore rate defaults to 1000 points/s (a Plus shop) so the default sizes finish in minutes;
``--restore-rate 50`` shows a standard shop. Everything is rolled back; the committed bench
account is deleted at the end.
"""
import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, "/opt/odoo18"]

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from bench.common import (  # noqa: E402
    bare_orm_create_confirm,
    create_committed_credential,
    delete_committed_credential,
)
from tests.simulators.shopify import ShopifySimulator  # noqa: E402

SKUS = ("BENCH-SHOP-1", "BENCH-SHOP-2", "BENCH-SHOP-3")
LOCATION = "gid://shopify/Location/1"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="orders (default 500)")
    parser.add_argument("-m", type=int, default=1000, help="inventory updates (default 1000)")
    parser.add_argument("--full", action="store_true", help="50,000 orders, 10,000 updates")
    parser.add_argument("--restore-rate", type=float, default=1000.0,
                        help="bucket restore rate of the simulated shop, points/s")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_shopify"))
    parser.add_argument("--conf", default=os.environ.get(
        "BENCH_CONF", "/tmp/devconf-cc_shopify.conf"))
    arguments = parser.parse_args()
    if arguments.full:
        arguments.n, arguments.m = 50000, 10000
    return arguments


@contextmanager
def timed(results, name):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def api_usage(sim, start):
    """(requests, points, throttled) of the simulator's calls since ``start``."""
    costs = sim.costs[start:]
    return (len(costs), sum(actual or 0 for _r, actual, _t in costs),
            sum(1 for *_c, throttled in costs if throttled))


def run_paged(env, credential):
    """The orders stream's pages in a row; a page the bucket cannot pay yet waits, as the
    queue would postpone its job."""
    from odoo.addons.channel_base.exceptions import RateLimitedError
    from odoo.addons.channel_shopify.orders_stream import ShopifyOrdersImport

    importer, pages, created, waited = ShopifyOrdersImport(), 0, 0, 0.0
    cursor, more = importer.start_cursor(credential, None), True
    while more:
        try:
            page = importer.fetch_page(credential, cursor)
        except RateLimitedError as error:  # WindowWaitError or THROTTLED
            time.sleep(error.wait or 0.5)
            waited += error.wait or 0.5
            continue
        created += importer.import_items(credential, page.items).created
        credential._set_cursor(importer.code, importer.dump_cursor(page.next_cursor))
        env.flush_all()
        cursor, more, pages = page.next_cursor, page.has_more, pages + 1
    return created, pages, waited


def run_bulk(env, credential, sim):
    from odoo.addons.channel_shopify import const, mapping
    from odoo.addons.channel_shopify.client import ShopifyClient
    from odoo.addons.channel_shopify.models.shopify_bulk_import import MAX_BULK_BYTES
    from odoo.addons.channel_shopify.queries import BULK_NODE, BULK_RUN, bulk_orders_query

    client = ShopifyClient(credential)
    run = client.execute(BULK_RUN, {"query": bulk_orders_query(
        mapping.orders_search("2000-01-01T00:00:00Z"))})["bulkOperationRunQuery"]
    operation = run["bulkOperation"]["id"]
    node = {}
    while node.get("status") != "COMPLETED":
        node = client.execute(BULK_NODE, {"id": operation})["node"]
    orders = mapping.group_bulk_lines(client.download(node["url"], MAX_BULK_BYTES))
    created = 0
    for chunk in mapping.chunks(orders, const.BULK_IMPORT_CHUNK):  # one job each
        created += credential._shopify_import_orders(chunk)["created"]
        env.flush_all()
    return created


def setup_inventory(env, credential, sim, count):
    """``count`` bound variants with a known level at one mapped location; each gets a new
    Odoo quantity, so the push sends ``count`` updates."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    env["shopify.location"].create({"credential_id": credential.id, "location_gid": LOCATION,
                                    "warehouse_id": warehouse.id})
    products = env["product.product"].create([
        {"name": f"Bench variant {n}", "default_code": f"BENCH-INV-{n}", "is_storable": True}
        for n in range(count)])
    items = [f"gid://shopify/InventoryItem/{900000 + n}" for n in range(count)]
    env["shopify.inventory.level"].create([
        {"credential_id": credential.id, "product_id": product.id,
         "inventory_item_gid": item, "location_gid": LOCATION, "quantity": 0}
        for product, item in zip(products, items, strict=True)])
    for product in products:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5)
    for item in items:
        sim.inventory[item, LOCATION] = 0
    env.flush_all()


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    with ShopifySimulator(restore_rate=arguments.restore_rate) as sim:
        for _n in range(arguments.n):
            sim.add_order(lines=[(sku, 1 + index, 10.0) for index, sku in enumerate(SKUS)])
        credential_id = create_committed_credential(registry, {
            "name": "Shopify bench", "platform": "shopify", "api_base_url": sim.url,
            "shopify_shop_domain": "bench.myshopify.com",
            "shopify_access_token": sim.options["access_token"],
            "shopify_client_secret": sim.options["app_secret"],
            "shopify_order_start_date": datetime(2000, 1, 1), "debug_logging": False})
        try:
            results = measure(registry, credential_id, sim, arguments)
        finally:
            delete_committed_credential(registry, credential_id)
    report(arguments, results)


def measure(registry, credential_id, sim, arguments):
    results = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["product.product"].create([{"name": sku, "default_code": sku, "type": "consu"}
                                       for sku in SKUS])
        env.flush_all()
        credential = env["integration.credential"].browse(credential_id)
        for name, run in (("baseline", lambda: bare_orm_create_confirm(env, arguments.n)),
                          ("bulk", lambda: run_bulk(env, credential, sim)),
                          ("paged", lambda: run_paged(env, credential))):
            cr.execute("SAVEPOINT bench_run")
            env["channel.rate.limit"]._forget([credential_id])
            sim.set_available(sim.options["bucket_max"])
            start = len(sim.costs)
            with timed(results, name):
                results[f"{name}_out"] = run()
            results[f"{name}_api"] = api_usage(sim, start)
            cr.execute("ROLLBACK TO SAVEPOINT bench_run")
            env.invalidate_all()
        setup_inventory(env, credential, sim, arguments.m)
        sim.set_available(sim.options["bucket_max"])
        start = len(sim.costs)
        with timed(results, "inventory"):
            results["inventory_out"] = credential._shopify_push_inventory(SimpleNamespace(id=0))
        results["inventory_api"] = api_usage(sim, start)
        cr.rollback()
    return results


def report(arguments, results):
    n, rate = arguments.n, arguments.restore_rate
    base = results["baseline"]
    print(f"Shopify benchmark: {n} orders of {len(SKUS)} lines, {arguments.m} inventory "
          f"updates; simulated bucket 1000 points, restore {rate:g} points/s")
    print(f"  baseline (bare ORM create + confirm):  {base:8.2f} s  {n / base:8.1f} orders/s")
    for name, label in (("paged", "paginated orders queries"), ("bulk", "bulk operation")):
        seconds = results[name]
        out = results[f"{name}_out"]
        created = out[0] if isinstance(out, tuple) else out
        calls, points, throttled = results[f"{name}_api"]
        print(f"  {label:<37} {seconds:8.2f} s  {created / seconds:8.1f} orders/s  "
              f"ratio to baseline {seconds / base:5.2f}x")
        print(f"      {calls} requests, {points} points ({points / max(n, 1):.2f} per order), "
              f"{throttled} THROTTLED, bucket use {points / (seconds * rate):.0%} of the "
              f"restore rate" + (f", {out[1]} pages, waited {out[2]:.1f} s for points"
                                 if isinstance(out, tuple) else ""))
    calls, points, throttled = results["inventory_api"]
    out = results["inventory_out"]
    print(f"  inventory push: {out['sent']} updates in {results['inventory']:.2f} s, "
          f"{calls} calls ({calls / max(out['sent'], 1):.4f} per update; batch maximum 250), "
          f"{points} points, {throttled} THROTTLED, {out['compare_retries']} compare retries")


if __name__ == "__main__":
    main()
