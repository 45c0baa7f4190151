"""Benchmark DSCO: the order stream import against the bare ORM, and the catalog push's
API calls, in one run.

    /opt/odoo18/venv/bin/python bench/bench_dsco.py [-n 500] [-m 2000] [--full]
        [--db cc_dsco] [--conf /tmp/devconf-cc_dsco.conf]

Orders: the simulator's order stream holds N events (one Poshmark order each, 3 lines);
the connector reads them page by page (getStreamEventsFromPosition, 100 events a read, as
its page jobs do) and imports them (dedup by dscoOrderId, partners, sale orders,
confirmation, availability check, acknowledge job, position). Printed with the bare-ORM
floor of bench/common.py (N partners and N 3-line orders created in one batch, then
confirmed), orders/s of both and their ratio (target: import cost <= 1.2x the floor).

Catalog: M published products pushed at once (the first listing: one small batch up to
5 MB, else one large batch = POST + PUT of JSON Lines), the change log read until
COMPLETED (scroll pages of 1,000 entries) and the inventory of the M SKUs sent (small
batches of up to 5 MB): API calls used and calls per SKU.

--full: the issue's sizes, 5,000 events and 20,000 SKUs. Everything is rolled back; the
committed bench account is deleted at the end.
"""
import argparse
import os
import sys
import time
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
from tests.simulators.dsco import DscoSimulator, sample_order  # noqa: E402

SKUS = ("BENCH-DSCO-A", "BENCH-DSCO-B", "BENCH-DSCO-C")
LINES_PER_ORDER = len(SKUS)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="stream events (default 500)")
    parser.add_argument("-m", type=int, default=2000, help="catalog SKUs (default 2000)")
    parser.add_argument("--full", action="store_true", help="5,000 events, 20,000 SKUs")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_dsco"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF",
                                                         "/tmp/devconf-cc_dsco.conf"))
    arguments = parser.parse_args()
    if arguments.full:
        arguments.n, arguments.m = 5000, 20000
    return arguments


def three_line_order(number):
    order = sample_order(f"BENCH-{number:06d}", SKUS[0])
    order["lineItems"] = [{"lineNumber": index + 1, "sku": sku, "quantity": 1 + index,
                           "consumerPrice": 10.0 + index} for index, sku in enumerate(SKUS)]
    order["shipping"] = dict(order["shipping"], name=f"Buyer {number}",
                             email=f"buyer{number}@buyers.example")
    return order


def import_stream(env, credential, results):
    """The orders stream's pages, one after the other, as its page jobs run them."""
    from odoo.addons.channel_dsco.orders_stream import DscoOrdersImport

    importer, pages, created = DscoOrdersImport(), 0, 0
    cursor, more = importer.start_cursor(credential, None), True
    results["read"] = results["import"] = 0.0
    while more:
        started = time.perf_counter()
        page = importer.fetch_page(credential, cursor)
        read = time.perf_counter()
        created += importer.import_items(credential, page.items).created
        credential._set_cursor(importer.code, importer.dump_cursor(page.next_cursor))
        env.flush_all()
        results["read"] += read - started
        results["import"] += time.perf_counter() - read
        cursor, more, pages = page.next_cursor, page.has_more, pages + 1
    return created, pages


def push_catalog(env, credential, sim, count):
    """Publish ``count`` products, push the catalog, read its change log, push inventory."""
    products = env["product.product"].create([
        {"name": f"Bench listing {number}", "default_code": f"BENCH-CAT-{number:06d}",
         "is_storable": True, "list_price": 20.0, "description_sale": "A closet staple. " * 8,
         "dsco_image_urls": f"https://cdn.example.com/bench/{number}.jpg"}
        for number in range(count)])
    credential.dsco_product_ids = [(6, 0, products.ids)]
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    credential.dsco_warehouse_code_ids = [(0, 0, {"warehouse_id": warehouse.id, "code": "WH"})]
    before = len(sim.requests)
    started = time.perf_counter()
    pushed = credential._dsco_push_catalog(SimpleNamespace(payload={"full": True}))
    for request_id in {b.dsco_request_id for b in env["channel.product.binding"].search(
            [("credential_id", "=", credential.id)])}:
        credential._dsco_poll_change_log(SimpleNamespace(
            payload={"log": "catalog", "requestId": request_id, "polls": 0}))
    inventory = credential._dsco_push_inventory(SimpleNamespace(payload={}))
    for request_id in {
            job.payload["requestId"] for job in env["sync.job"].search([
                ("credential_id", "=", credential.id), ("operation", "=", "dsco.poll_change_log")])
            if job.payload.get("log") == "inventory"}:
        credential._dsco_poll_change_log(SimpleNamespace(
            payload={"log": "inventory", "requestId": request_id, "polls": 0}))
    env.flush_all()
    seconds = time.perf_counter() - started
    calls = [r for r in sim.requests[before:] if r.path != "/oauth2/token"]
    return pushed, inventory, calls, seconds


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    with DscoSimulator(log_processing_reads=0) as sim:
        credential_id = create_committed_credential(registry, {
            "name": "DSCO bench", "platform": "dsco", "api_base_url": sim.url,
            "dsco_client_id": sim.options["client_id"],
            "dsco_client_secret": sim.options["client_secret"], "debug_logging": False})
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                env["product.product"].create([
                    {"name": sku, "default_code": sku, "type": "consu"} for sku in SKUS])
                env.flush_all()
                credential = env["integration.credential"].browse(credential_id)
                credential._dsco_ensure_stream()  # the stream exists before the orders
                for number in range(arguments.n):
                    sim.add_order(three_line_order(number))
                results = {}
                cr.execute("SAVEPOINT bench_baseline")
                started = time.perf_counter()
                bare_orm_create_confirm(env, arguments.n, lines=LINES_PER_ORDER)
                results["baseline"] = time.perf_counter() - started
                cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
                env.invalidate_all()
                started = time.perf_counter()
                created, pages = import_stream(env, credential, results)
                results["connector"] = time.perf_counter() - started
                catalog = push_catalog(env, credential, sim, arguments.m)
                cr.rollback()
        finally:
            delete_committed_credential(registry, credential_id)
            with registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["channel.access.token"]._forget(
                    [credential_id])
                cr.commit()
    report(arguments, created, pages, results, catalog, sim)


def report(arguments, created, pages, results, catalog, sim):
    base_rate = arguments.n / results["baseline"]
    rate = created / results["connector"]
    print(f"DSCO order stream import: {arguments.n} events, {pages} reads of up to 100, "
          f"{LINES_PER_ORDER} lines each")
    print(f"  baseline  (ORM batch create + confirm): {results['baseline']:8.2f} s  "
          f"{base_rate:8.1f} orders/s")
    print(f"  connector (stream -> confirmed orders): {results['connector']:8.2f} s  "
          f"{rate:8.1f} orders/s   (read {results['read']:.2f} s, "
          f"import {results['import']:.2f} s), {created} created")
    print(f"  ratio connector/baseline time: {results['connector'] / results['baseline']:.2f}x"
          f" (target <= 1.2x); import only: {results['import'] / results['baseline']:.2f}x")
    pushed, inventory, calls, seconds = catalog
    by_path = {}
    for request in calls:
        key = f"{request.method} {request.path.split('/upload/')[0] or '/upload (dataUrl PUT)'}"
        by_path[key] = by_path.get(key, 0) + 1
    print(f"DSCO catalog push: {arguments.m} SKUs in {seconds:.2f} s, "
          f"sent {pushed['sent']}, inventory lines {inventory['sent']}, "
          f"{len(sim.catalog)} listed on the simulator, {len(sim.inventory)} with stock")
    for key, count in sorted(by_path.items()):
        print(f"  {key:<40} {count:6d} calls")
    print(f"  API calls: {len(calls)} for {arguments.m} SKUs = "
          f"{len(calls) / arguments.m:.4f} calls per SKU (catalog + change logs + inventory;"
          f" batches at the spec's 5 MB small / 2 GB large limits)")


if __name__ == "__main__":
    main()
