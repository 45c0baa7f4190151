"""Shared bench plumbing: an Odoo environment on a real database, and the bare ORM
baseline every import is compared with (printed in the same run, as a ratio).

Run benches from the repository root with Odoo importable, e.g.

    PYTHONPATH=/opt/odoo18 /opt/odoo18/venv/bin/python -m bench.bench_queue -c odoo.conf -d db
"""

import argparse
import contextlib
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def arguments(description, **extra):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", default=os.environ.get("ODOO_RC"),
                        help="odoo configuration file (db host/user, addons path)")
    parser.add_argument("-d", "--database", default=os.environ.get("BENCH_DB", "cc_bench"))
    for name, (default, help_text) in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default,
                            help=help_text)
    return parser.parse_args()


_CONFIG_PARSED = []


def load_registry(config, database):
    import odoo
    from odoo.modules.registry import Registry

    if not _CONFIG_PARSED:  # Odoo's config cannot be parsed twice in one process
        odoo.tools.config.parse_config(["-c", config] if config else [])
        _CONFIG_PARSED.append(config)
    odoo.tools.config["db_name"] = database
    return Registry(database)


@contextlib.contextmanager
def environment(registry, commit=False):
    """An env on its own cursor; rolled back unless ``commit`` (benches leave no trace)."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        try:
            yield env
        finally:
            if commit:
                cr.commit()
            else:
                cr.rollback()


def create_committed_credential(registry, values):
    """A credential committed on its own cursor: API logs, rate-limit rows and tokens are
    written on independent cursors and need the row to exist outside the bench's
    transaction. Returns its id; remove it with :func:`delete_committed_credential`."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        credential_id = env["integration.credential"].create(values).id
        cr.commit()
    return credential_id


def delete_committed_credential(registry, credential_id):
    """Unlinking also forgets the credential's shared rate-limit state and cached token."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["integration.credential"].browse(credential_id).unlink()
        cr.commit()


def make_products(env, count=3, prefix="BENCH"):
    Product = env["product.product"]
    products = Product.search([("default_code", "like", f"{prefix}-%")], limit=count)
    missing = count - len(products)
    if missing > 0:
        products |= Product.create([
            {"name": f"Bench product {i}", "default_code": f"{prefix}-{i}", "type": "consu",
             "list_price": 10 + i}
            for i in range(len(products), count)
        ])
    return products


def bare_orm_create_confirm(env, orders, lines=3):
    """The floor any import pays: partners and sale orders with ``lines`` lines created in
    one batch, then confirmed. Returns (create seconds, confirm seconds)."""
    products = make_products(env, lines)
    started = time.perf_counter()
    partners = env["res.partner"].create([
        {"name": f"Baseline customer {i}", "email": f"baseline{i}@example.com",
         "street": f"{i} Main St", "city": "Austin", "zip": "78701"}
        for i in range(orders)
    ])
    sale_orders = env["sale.order"].create([
        {"partner_id": partner.id,
         "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1 + n})
                        for n, product in enumerate(products)]}
        for partner in partners
    ])
    env.flush_all()
    created = time.perf_counter()
    sale_orders.action_confirm()
    env.flush_all()
    confirmed = time.perf_counter()
    return created - started, confirmed - created


def print_row(label, value, unit=""):
    print(f"{label:<58} {value:>12.3f} {unit}")
