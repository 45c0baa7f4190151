"""Benchmark the ShipHero order backfill on the simulated credit bucket, in one run.

Default: 400 orders on a 1001-credit bucket refilled 15/s (ShipHero's 2020 plan: the same
shape, small enough that a run under 5 minutes is credit-bound); --full: 10,000 orders on
today's 4004 credits, +60/s.

    /opt/odoo18/venv/bin/python bench/bench_shiphero.py [-n 2000] [--full] [--db cc_shiphero]
        [--conf /tmp/devconf-cc_shiphero.conf]

Serves N orders (3 lines each) from the ShipHero simulator, whose credit bucket (4004
credits, +60 per second) runs on a manual clock, and walks the orders stream's pages as
its page jobs do. When the connector must wait for credits (it postpones the page job
with the wait), the bench moves the simulator's clock by that wait instead of sleeping:
"simulated seconds" are the bucket's clock. It prints:
- API: orders per simulated second against the credit-limited maximum (the orders' own
  rows, 4 credits each at 60 credits/s, after the first full bucket), their ratio
  (target >= 0.9), credit errors provoked (code 30, target 0), calls per order;
- Odoo: the import's cost per order against the bare-ORM floor of bench/common.py
  (partners and sale orders with 3 lines created in one batch, then confirmed), measured
  in the same run, and their ratio.
--full runs the issue's 10,000 orders. Everything is rolled back; the committed bench
account is deleted at the end.
"""
import argparse
import os
import sys
import time

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
from tests.simulators.base import ManualClock  # noqa: E402
from tests.simulators.shiphero import ShipheroSimulator  # noqa: E402

SKUS = ("BENCH-SH-1", "BENCH-SH-2", "BENCH-SH-3")
CREDITS_PER_ORDER = 1 + len(SKUS)  # the order row and its line rows


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400, help="orders (default 400)")
    parser.add_argument("--credits-max", type=int, default=1001,
                        help="bucket size (default 1001: the 2020 plan, so that a small run "
                        "is credit-bound; --full uses today's 4004)")
    parser.add_argument("--credits-rate", type=int, default=15,
                        help="credits back per second (default 15; --full: 60)")
    parser.add_argument("--full", action="store_true",
                        help="10,000 orders on today's bucket (4004 credits, +60/s)")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_shiphero"))
    parser.add_argument("--conf", default=os.environ.get(
        "BENCH_CONF", "/tmp/devconf-cc_shiphero.conf"))
    arguments = parser.parse_args()
    if arguments.full:
        arguments.n, arguments.credits_max, arguments.credits_rate = 10000, 4004, 60
    return arguments


def walk_pages(env, credential, sim, clock):
    """The orders stream's pages, one after another; a postponed page is retried after
    moving the simulated clock by the wait the connector asked for."""
    from odoo.addons.channel_base.exceptions import WindowWaitError
    from odoo.addons.channel_shiphero.streams import ShipheroOrdersImport

    importer = ShipheroOrdersImport()
    cursor, more = importer.start_cursor(credential, None), True
    totals = {"created": 0, "failed": 0, "pages": 0, "waits": 0, "simulated": 0.0,
              "created_before_first_wait": 0,
              "import": 0.0, "read": 0.0}
    while more:
        started = time.perf_counter()
        try:
            page = importer.fetch_page(credential, cursor)
        except WindowWaitError as wait:
            if not totals["waits"]:
                totals["created_before_first_wait"] = totals["created"]
            clock.advance(wait.wait)
            totals["simulated"] += wait.wait
            totals["waits"] += 1
            continue
        read = time.perf_counter()
        stats = importer.import_items(credential, page.items)
        credential._set_cursor(importer.code, importer.dump_cursor(page.next_cursor))
        env.flush_all()
        totals["read"] += read - started
        totals["import"] += time.perf_counter() - read
        totals["created"] += stats.created
        totals["failed"] += stats.failed
        totals["pages"] += 1
        cursor, more = page.next_cursor, page.has_more
    return totals


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    clock = ManualClock(time.time())
    with ShipheroSimulator(clock=clock, credits_max=arguments.credits_max,
                           credits_rate=arguments.credits_rate) as sim:
        sim.seed_orders(arguments.n, lines=[(sku, 1) for sku in SKUS])
        credential_id = create_committed_credential(registry, {
            "name": "ShipHero bench", "platform": "shiphero", "api_base_url": sim.url,
            "shiphero_email": sim.options["email"],
            "shiphero_password": sim.options["password"], "debug_logging": False})
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["product.product"].create([
                    {"name": sku, "default_code": sku, "type": "consu"} for sku in SKUS])
                env.flush_all()
                cr.execute("SAVEPOINT bench_baseline")
                started = time.perf_counter()
                bare_orm_create_confirm(env, arguments.n, lines=len(SKUS))
                baseline = time.perf_counter() - started
                cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
                env.invalidate_all()
                credential = env["integration.credential"].browse(credential_id)
                totals = walk_pages(env, credential, sim, clock)
                calls = len([r for r in sim.requests if r.path == "/graphql"])
                cr.rollback()
        finally:
            delete_committed_credential(registry, credential_id)
    report(arguments.n, totals, baseline, sim, calls)


def report(count, totals, baseline, sim, calls):
    rate = sim.options["credits_rate"]
    limited = max(count * CREDITS_PER_ORDER - sim.options["credits_max"], 0) / rate
    simulated = totals["simulated"]
    api_ratio = (limited / simulated) if simulated else float("inf")
    odoo_seconds = totals["import"]
    print(f"ShipHero backfill benchmark: {count} orders, {len(SKUS)} lines each, "
          f"{totals['pages']} pages, {calls} GraphQL calls ({calls / count:.3f} per order)")
    print(f"  credit bucket: {sim.options['credits_max']} credits, +{rate}/s, "
          f"{sim.charged} credits charged ({sim.charged / count:.2f} per order)")
    print(f"  credit-limited minimum:  {limited:9.1f} simulated s  "
          f"({count / limited if limited else float('inf'):7.2f} orders/s)")
    print(f"  connector:               {simulated:9.1f} simulated s  "
          f"({count / simulated if simulated else float('inf'):7.2f} orders/s), "
          f"{totals['waits']} waits for the refill")
    print(f"  API usage ratio (limit time / our time): {api_ratio:.3f}  (target >= 0.9; the "
          f"last page waits for the smallest page's credits and may be shorter: a fixed loss a "
          f"short run feels)")
    throttled_orders = count - totals["created_before_first_wait"]
    if simulated:
        steady = throttled_orders / simulated
        limit_rate = rate / CREDITS_PER_ORDER
        print(f"  while credit-bound (after the first full bucket): {steady:.2f} orders/s vs "
              f"the refill's {limit_rate:.2f} orders/s: ratio {steady / limit_rate:.3f}")
    print(f"  credit errors provoked (code 30): {sim.throttled}  (target 0)")
    print(f"  created {totals['created']}, failed {totals['failed']}")
    print(f"  Odoo: baseline (ORM batch create + confirm) {baseline:8.2f} s "
          f"{1000 * baseline / count:7.2f} ms/order")
    print(f"  Odoo: connector import                      {odoo_seconds:8.2f} s "
          f"{1000 * odoo_seconds / count:7.2f} ms/order  (reading and parsing the pages "
          f"{totals['read']:.2f} s)")
    print(f"  Odoo cost ratio connector/baseline: {odoo_seconds / baseline:.2f}x  "
          f"(target <= 1.2)")


if __name__ == "__main__":
    main()
