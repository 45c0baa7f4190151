"""Benchmark eBay listings, quantity updates and order import, with the bare-ORM floor.

    /opt/odoo18/venv/bin/python bench/bench_ebay.py [-n 500] [--orders 200] [--full]
        [--db cc_ebay] [--conf /tmp/devconf-cc_ebay.conf]

Against the eBay simulator, in one run:
- listings: N SKUs listed (bulkCreateOrReplaceInventoryItem, bulkCreateOffer,
  bulkPublishOffer, 25 per call: target 3/25 calls per SKU, 1/25 per call kind);
- quantities: every SKU's stock changed 3 times, coalesced into one update per SKU
  (bulkUpdatePriceQuantity, 25 per call: target 1/25 calls per SKU);
- multi-variation: T templates of V variants each listed as inventory item groups
  (bulk items and offers 25 a call, then one createOrReplaceInventoryItemGroup and one
  publishOfferByInventoryItemGroup per template: target 2/25 + 2/V calls per SKU);
- offer updates: the N SKUs' category changed, one updateOffer per changed offer (the
  Inventory API has no bulk updateOffer: 1 call per SKU);
- orders: M orders imported from getOrders pages of 200;
- baselines printed in the same run: the bare ORM writing the same N bindings (create +
  write), and bench/common.py's floor (M partners and confirmed sale orders).
The simulator's Inventory limit (2,000,000 calls/day) is never the bottleneck here: the
numbers are calls per SKU (at the batch maximum eBay allows) and Odoo-side time ratios.
--full runs the issue's 5,000 SKUs and 5,000 quantity updates. Everything is rolled back;
the committed bench account is deleted at the end.
"""
import argparse
import os
import sys
import time
from contextlib import contextmanager

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
from tests.simulators.ebay import EbaySimulator  # noqa: E402

INV = "/sell/inventory/v1"
CALLS = ("bulk_create_or_replace_inventory_item", "bulk_create_offer", "bulk_publish_offer",
         "bulk_update_price_quantity")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="SKUs listed and updated (500)")
    parser.add_argument("--orders", type=int, default=200, help="orders imported (200)")
    parser.add_argument("--templates", type=int, default=20,
                        help="multi-variation templates listed (20)")
    parser.add_argument("--variants", type=int, default=5, help="variants per template (5)")
    parser.add_argument("--full", action="store_true", help="5,000 SKUs and 5,000 updates")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "cc_ebay"))
    parser.add_argument("--conf", default=os.environ.get("BENCH_CONF",
                                                         "/tmp/devconf-cc_ebay.conf"))
    arguments = parser.parse_args()
    if arguments.full:
        arguments.n = 5000
    return arguments


@contextmanager
def timed(results, name):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def run_jobs(env, credential, operation):
    """The queued jobs of ``operation``, run in process (claim and commit left out)."""
    jobs = env["sync.job"].search([("credential_id", "=", credential.id),
                                   ("operation", "=", operation), ("state", "=", "pending")])
    for job in jobs:
        credential._execute_sync_job(job)
        job.state = "done"
    env.flush_all()
    return len(jobs)


def products(env, count):
    created = env["product.product"].create([{
        "name": f"eBay bench part {n}", "default_code": f"EBENCH-{n:05d}", "is_storable": True,
        "list_price": 10.0, "ebay_category_id": "33564",
        "ebay_image_urls": "https://img.example/part.jpg"} for n in range(count)])
    env.flush_all()
    return created


def variation_templates(env, count, variants):
    size = env["product.attribute"].create({"name": "Bench size", "value_ids": [
        (0, 0, {"name": f"Size {n}"}) for n in range(variants)]})
    templates = env["product.template"].create([{
        "name": f"eBay bench shirt {t}", "is_storable": True, "list_price": 20.0,
        "ebay_category_id": "57990", "ebay_image_urls": "https://img.example/shirt.jpg",
        "attribute_line_ids": [(0, 0, {"attribute_id": size.id,
                                       "value_ids": [(6, 0, size.value_ids.ids)]})],
    } for t in range(count)])
    for t, template in enumerate(templates):
        for n, variant in enumerate(template.product_variant_ids):
            variant.default_code = f"EBVAR-{t:04d}-{n:02d}"
    env.flush_all()
    return templates


def calls_now(sim):
    with sim.lock:
        return len(sim.requests)


def list_variations(env, credential, sim, templates, results, counts):
    before = {name: len(sim.calls(f"{INV}/{name}")) for name in CALLS}
    with timed(results, "variations"):
        credential._ebay_queue_listings(templates.product_variant_ids)
        counts["variation_jobs"] = run_jobs(env, credential, "ebay.push_listings")
    with sim.lock:
        groups = sum(1 for r in sim.requests if r.path.startswith(f"{INV}/inventory_item_group/"))
    counts["variation_calls"] = {
        **{name: len(sim.calls(f"{INV}/{name}")) - before[name] for name in CALLS[:3]},
        "inventory_item_group": groups,
        "publish_by_inventory_item_group": len(sim.calls(
            f"{INV}/offer/publish_by_inventory_item_group/"))}
    counts["variation_listed"] = len(templates.filtered("ebay_item_id"))


def update_offers(env, credential, sim, items, results, counts):
    before = calls_now(sim)
    with timed(results, "offer_updates"):
        items.product_tmpl_id.write({"ebay_category_id": "33565"})
        counts["offer_jobs"] = 0
        while True:
            ran = run_jobs(env, credential, "ebay.push_offers")
            if not ran:
                break
            counts["offer_jobs"] += ran
    counts["offer_updates"] = calls_now(sim) - before


def baseline_bindings(env, items):
    """Bare ORM: the bindings the listing writes, created and written in batches."""
    bindings = env["channel.product.binding"].create([{
        "credential_id": env["integration.credential"].search([], limit=1).id,
        "product_id": product.id, "external_sku": product.default_code} for product in items])
    bindings.write({"sync_state": "synced", "ebay_offer_id": "1", "ebay_listing_api": "inventory"})
    for binding in bindings:  # one write per SKU, as per-SKU answers do
        binding.write({"external_id": f"L{binding.id}", "ebay_sent_quantity": 1})
    env.flush_all()


def time_simulator(sim):
    """Count the simulator's own handling time (it shares this process), so the
    Odoo-side cost can be told apart from the platform's."""
    sim.busy = 0.0
    dispatch = sim.dispatch

    def timed_dispatch(request):
        started = time.perf_counter()
        try:
            return dispatch(request)
        finally:
            sim.busy += time.perf_counter() - started
    sim.dispatch = timed_dispatch


def main():
    arguments = parse_arguments()
    odoo.tools.config.parse_config(["-c", arguments.conf, "--log-level=warn"])
    registry = Registry(arguments.db)
    with EbaySimulator(trading_daily_limit=10**6) as sim:
        time_simulator(sim)
        from tests.simulators.ebay import sample_order
        for number in range(arguments.orders):
            sim.add_order(sample_order("EBENCH-00000", f"bench_buyer{number % 50}"))
        credential_id = create_committed_credential(registry, {
            "name": "eBay bench", "platform": "ebay", "api_base_url": sim.url,
            "environment": "sandbox", "ebay_app_id": sim.options["app_id"],
            "ebay_cert_id": sim.options["cert_id"], "ebay_runame": sim.options["runame"],
            "ebay_refresh_token": sim.options["refresh_token"],
            "ebay_fulfillment_policy_id": "F", "ebay_payment_policy_id": "P",
            "ebay_return_policy_id": "R", "ebay_merchant_location_key": "warehouse-1",
            "debug_logging": False})
        try:
            results, counts = {}, {}
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                credential = env["integration.credential"].browse(credential_id)
                items = products(env, arguments.n)
                cr.execute("SAVEPOINT bench_baseline")
                with timed(results, "baseline_bindings"):
                    baseline_bindings(env, items)
                cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
                env.invalidate_all()
                busy = sim.busy
                with timed(results, "listings"):
                    credential._ebay_queue_listings(items)
                    counts["listing_jobs"] = run_jobs(env, credential, "ebay.push_listings")
                results["listings_sim"], busy = sim.busy - busy, sim.busy
                with timed(results, "quantities"):
                    for _change in range(3):
                        env["integration.credential"]._ebay_quantities_changed(items)
                    counts["quantity_jobs"] = 0
                    while True:  # each job queues the next while SKUs are left
                        ran = run_jobs(env, credential, "ebay.push_quantities")
                        if not ran:
                            break
                        counts["quantity_jobs"] += ran
                results["quantities_sim"], busy = sim.busy - busy, sim.busy
                counts["listed"] = env["channel.product.binding"].search_count(
                    [("credential_id", "=", credential.id), ("sync_state", "=", "synced")])
                errors = env["channel.product.binding"].search(
                    [("credential_id", "=", credential.id), ("sync_state", "=", "error")])
                counts["errors"] = len(errors)
                counts["first_error"] = errors[:1].last_error
                update_offers(env, credential, sim, items, results, counts)
                templates = variation_templates(env, arguments.templates, arguments.variants)
                list_variations(env, credential, sim, templates, results, counts)
                cr.execute("SAVEPOINT bench_orders")
                with timed(results, "baseline_orders"):
                    bare_orm_create_confirm(env, arguments.orders, lines=1)
                cr.execute("ROLLBACK TO SAVEPOINT bench_orders")
                env.invalidate_all()
                with timed(results, "orders"):
                    counts["orders"] = import_orders(env, credential)
                cr.rollback()
        finally:
            delete_committed_credential(registry, credential_id)
        report(arguments, sim, results, counts)


def import_orders(env, credential):
    from odoo.addons.channel_ebay.orders_stream import EbayOrdersImport
    importer, created = EbayOrdersImport(), 0
    cursor, more = importer.start_cursor(credential, None), True
    while more:
        page = importer.fetch_page(credential, cursor)
        created += importer.import_items(credential, page.items).created
        env.flush_all()
        cursor, more = page.next_cursor, page.has_more
    return created


def report(arguments, sim, results, counts):
    n = arguments.n
    calls = {name: len(sim.calls(f"{INV}/{name}")) - counts["variation_calls"].get(name, 0)
             for name in CALLS}
    listing_calls = sum(calls[name] for name in CALLS[:3])
    print(f"eBay benchmark: {n} SKUs listed, 3 x {n} stock changes, {arguments.orders} orders")
    for name in CALLS:
        print(f"  {name:<40} {calls[name]:6d} calls  {calls[name] / n:.4f} per SKU "
              f"(batch maximum: {1 / 25:.4f})")
    print(f"  listing jobs {counts['listing_jobs']}, quantity jobs {counts['quantity_jobs']}, "
          f"SKUs in error {counts['errors']} {counts['first_error'] or ''}")
    print(f"  listed {counts['listed']} of {n}; listing calls per SKU "
          f"{listing_calls / n:.4f} (target {3 / 25:.4f}); quantity calls per SKU "
          f"{calls['bulk_update_price_quantity'] / n:.4f} (target {1 / 25:.4f}); "
          f"token grants {len(sim.calls('/identity/v1/oauth2/token'))}; throttled 0")
    print(f"  baseline (bare ORM, {n} bindings created + written): "
          f"{results['baseline_bindings']:8.2f} s")
    for name, label in (("listings", "listings (HTTP + bindings)"),
                        ("quantities", "quantity updates (coalesced, HTTP)")):
        odoo_side = results[name] - results[f"{name}_sim"]
        print(f"  connector {label:<38} {results[name]:8.2f} s   ratio "
              f"{results[name] / results['baseline_bindings']:.2f}x; without the simulator's "
              f"{results[f'{name}_sim']:.2f} s: {odoo_side:.2f} s, ratio "
              f"{odoo_side / results['baseline_bindings']:.2f}x")
    print(f"  offer updates after a category change of {n} SKUs: {counts['offer_updates']} "
          f"updateOffer calls ({counts['offer_updates'] / n:.4f} per SKU, no bulk form), "
          f"{counts['offer_jobs']} jobs, {results['offer_updates']:.2f} s")
    report_variations(arguments, results, counts)
    print(f"  baseline (bare ORM, {arguments.orders} orders created + confirmed): "
          f"{results['baseline_orders']:8.2f} s")
    print(f"  connector order import ({counts['orders']} created, pages of 200): "
          f"{results['orders']:8.2f} s   ratio "
          f"{results['orders'] / results['baseline_orders']:.2f}x")


def report_variations(arguments, results, counts):
    skus = arguments.templates * arguments.variants
    calls = counts["variation_calls"]
    total = sum(calls.values())
    print(f"  multi-variation: {arguments.templates} templates x {arguments.variants} variants "
          f"= {skus} SKUs, {counts['variation_listed']} groups listed, "
          f"{counts['variation_jobs']} jobs, {results['variations']:.2f} s")
    for name, count in calls.items():
        print(f"    {name:<38} {count:6d} calls  {count / skus:.4f} per SKU")
    print(f"    calls per SKU {total / skus:.4f} (target 2/25 + 2/{arguments.variants} = "
          f"{2 / 25 + 2 / arguments.variants:.4f})")


if __name__ == "__main__":
    main()
