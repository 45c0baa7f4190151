"""Benchmark the iQmetrix feed import against the bare ORM, in one run.

    /opt/odoo18/venv/bin/python bench/bench_iqmetrix.py [-n 1000] [--full] [--db cc_iqm]
        [--conf /tmp/cc_iqm.conf]

Serves a feed of N order-created entries (3 items each, 50 per page, so N/50 pages) from the
simulator and prints:
- baseline: the shared bare-ORM floor (bench/common.py): N partners and N sale orders with
  3 lines created in one batch, then action_confirm on all of them;
- connector: the whole feed import (token, every page fetched over HTTP and parsed, dedup
  by order-id, partners, sale orders, confirmation, marker), split into reading and importing;
- orders/s of both and their ratio.
--full runs the issue's 5,000 entries (100 pages). Everything is rolled back; the committed
test credential is deleted at the end, so the database is left as it was.
"""
import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime

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
from tests.simulators.iqmetrix import IqmetrixSimulator  # noqa: E402

SKUS = ("BENCH-CASE", "BENCH-CHG", "BENCH-CBL")
LINES_PER_ORDER = len(SKUS)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="order-created entries (default 1000)")
    parser.add_argument("--full", action="store_true", help="5,000 entries (100 pages)")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_iqm"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF", "/tmp/cc_iqm.conf"))
    arguments = parser.parse_args()
    if arguments.full:
        arguments.n = 5000
    return arguments


@contextmanager
def timed(results, name):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def create_bench_credential(registry, sim):
    return create_committed_credential(registry, {
        "name": "iQmetrix bench", "platform": "iqmetrix", "environment": "sandbox",
        "api_base_url": sim.url + "/v1", "iqmetrix_accounts_url": sim.url + "/v1",
        "iqmetrix_supplier_id": str(sim.options["supplier_id"]),
        "iqmetrix_client_id": sim.options["client_id"],
        "iqmetrix_client_secret": sim.options["client_secret"],
        "iqmetrix_username": sim.options["username"],
        "iqmetrix_password": sim.options["password"],
        "iqmetrix_feed_start_at": datetime(2000, 1, 1),
        "debug_logging": False,  # log the calls, not 5,000 entries of XML
    })


def connector(env, credential, results):
    """The feed stream's pages, one after the other, as its page jobs run them (the jobs'
    claim and commit left out: everything is rolled back)."""
    from odoo.addons.channel_iqmetrix.models.iqmetrix_feed_import import IqmetrixFeedImport

    importer, pages = IqmetrixFeedImport(), 0
    stats = {"created": 0, "skipped": 0, "failed": 0}
    cursor, more = importer.start_cursor(credential, None), True
    results.setdefault("read", 0.0)
    results.setdefault("import", 0.0)
    while more:
        started = time.perf_counter()
        page = importer.fetch_page(credential, cursor)
        read = time.perf_counter()
        page_stats = importer.import_items(credential, page.items)
        for name in stats:
            stats[name] += getattr(page_stats, name)
        credential._set_cursor(importer.code, importer.dump_cursor(page.next_cursor))
        env.flush_all()
        results["read"] += read - started
        results["import"] += time.perf_counter() - read
        cursor, more, pages = page.next_cursor, page.has_more, pages + 1
    return stats, pages


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    with IqmetrixSimulator() as sim:
        sim.add_orders(arguments.n, items=[{"sku": sku, "selling-price": "10"} for sku in SKUS])
        credential_id = create_bench_credential(registry, sim)
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["product.product"].create([  # the SKUs the feed's orders use
                    {"name": sku, "default_code": sku, "type": "consu"} for sku in SKUS])
                env.flush_all()
                results = {}
                cr.execute("SAVEPOINT bench_baseline")
                with timed(results, "baseline"):
                    bare_orm_create_confirm(env, arguments.n, lines=LINES_PER_ORDER)
                cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")  # same starting point
                env.invalidate_all()
                credential = env["integration.credential"].browse(credential_id)
                with timed(results, "connector"):
                    stats, pages = connector(env, credential, results)
                cr.rollback()
        finally:
            delete_committed_credential(registry, credential_id)
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["channel.access.token"]._forget([credential_id])
    report(arguments.n, pages, stats, results)


def report(count, pages, stats, results):
    base_rate = count / results["baseline"]
    connector_rate = stats["created"] / results["connector"]
    print(f"iQmetrix feed import benchmark: {count} order-created entries, {pages} pages, "
          f"{LINES_PER_ORDER} lines each")
    print(f"  baseline  (ORM batch create + confirm): {results['baseline']:8.2f} s  "
          f"{base_rate:8.1f} orders/s")
    print(f"  connector (feed -> confirmed orders):   {results['connector']:8.2f} s  "
          f"{connector_rate:8.1f} orders/s   (read+parse {results['read']:.2f} s, "
          f"import {results['import']:.2f} s)")
    print(f"  created {stats['created']}, skipped {stats['skipped']}, "
          f"failed {stats['failed']}")
    print(f"  ratio connector/baseline time: {results['connector'] / results['baseline']:.2f}x "
          f"(connector runs at {100 * connector_rate / base_rate:.0f}% of the baseline rate)")


if __name__ == "__main__":
    main()
