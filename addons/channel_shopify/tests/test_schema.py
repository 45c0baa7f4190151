"""Every GraphQL document the client sends, with its variables, validated against the real
Shopify Admin schema of the pinned version (``data/admin_schema_2025-01.graphql.xz``, see
``data/README.md``), so a field Shopify renamed or an input it changed fails here; and the
simulator's SDL checked against the same schema, so the simulator cannot drift either."""

import lzma
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.shipment_events import Shipment

from tests.simulators.shopify import ShopifySimulator
from tests.simulators.shopify_schema import sdl_for

from .. import const, queries
from .common import SKU, ShopifyAccountMixin
from .test_products import ShopifyCatalogueMixin

SCHEMA_FILE = Path(__file__).parent / "data" / f"admin_schema_{const.API_VERSION}.graphql.xz"
_SCHEMA = []


def real_schema():
    if not _SCHEMA:
        sdl = lzma.decompress(SCHEMA_FILE.read_bytes()).decode()
        # the captured schema has interface/deprecation mismatches graphql-core's strict
        # schema check refuses; its types are what Shopify serves
        _SCHEMA.append(build_schema(sdl, assume_valid=True))
    return _SCHEMA[0]


def document_errors(schema, query, variables):
    document = parse(query)
    errors = [error.message for error in validate(schema, document)]
    if errors:
        return errors
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    coerced = get_variable_values(schema, operation.variable_definitions or [], variables or {})
    return [error.message for error in coerced] if isinstance(coerced, list) else []


def simulator_drift(real, served):
    """Types and fields the simulator serves that the real schema lacks or types otherwise."""
    problems = []
    for name, kind in served.type_map.items():
        if name.startswith("__"):
            continue
        actual = real.type_map.get(name)
        if actual is None or type(actual) is not type(kind):
            problems.append(f"type {name}")
            continue
        if isinstance(kind, GraphQLEnumType):
            problems += [f"{name}.{v}" for v in set(kind.values) - set(actual.values)]
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                real_field = actual.fields.get(field_name)
                if real_field is None or str(real_field.type) != str(field.type):
                    problems.append(f"{name}.{field_name}")
                    continue
                for arg, value in getattr(field, "args", {}).items():
                    real_arg = real_field.args.get(arg)
                    if real_arg is None or str(real_arg.type) != str(value.type):
                        problems.append(f"{name}.{field_name}({arg})")
    return problems


@tagged("post_install", "-at_install")
class TestShopifySchema(ShopifyCatalogueMixin, ShopifyAccountMixin, HttpCase):
    shopify_account_name = "Shopify schema"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schema = real_schema()
        cls.credential.shopify_odoo_fulfils = True
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS", "product_id": cls.env["product.product"].create(
                {"name": "UPS (schema test)", "type": "service"}).id})

    def test_every_document_in_queries_is_valid(self):
        documents = {name: value for name, value in vars(queries).items()
                     if name.isupper() and isinstance(value, str) and "%" not in value
                     and not name.endswith("_FIELDS")}
        documents["ORDERS"] = queries.orders_query(const.LINES_PER_ORDER,
                                                   const.SHIPPING_LINES_PER_ORDER)
        documents["ORDER_BY_ID"] = queries.order_by_id_query(10, 5)
        documents["ORDER_MORE_LINES"] = queries.order_more_lines_query(100)
        documents["BULK_ORDERS"] = queries.bulk_orders_query("updated_at:>='2025-01-01'")
        for name, document in documents.items():
            with self.subTest(document=name):
                self.assertEqual([e.message for e in validate(self.schema, parse(document))], [])

    def test_every_request_the_client_sent_is_valid(self):
        """Drive every flow, then validate each recorded query and its variables."""
        self.credential.action_test_connection()
        order = self.sim.add_order(lines=[(SKU, 1, 5.0)] + [("TEE-S", 1, 1.0)] * 12)
        self.run_orders_stream()
        self.credential.action_shopify_bulk_import()
        self.drain()
        self.credential.action_shopify_register_webhooks()
        self.credential.action_shopify_check_webhooks()
        self.credential.shopify_metafield_ids = self.env["ir.model.fields"].search(
            [("model", "=", "product.template"), ("name", "in", ("name", "weight"))])
        self.credential.action_shopify_push_products()
        self.drain()
        self.env["stock.quant"]._update_available_quantity(
            self.template.product_variant_ids[0], self.warehouse.lot_stock_id, 3)
        self.sim.stale_compare()
        self.credential.action_shopify_push_inventory()
        self.drain()
        picking = self.shopify_orders().picking_ids
        picking.carrier_id = self.ups
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("1ZSCHEMA",), carrier=self.ups)])
        self.drain()
        body = ShopifySimulator.order_webhook_payload(order)
        data, headers = self.sim.webhook_delivery("orders/updated", body)
        self.url_open(f"/channel/webhook/shopify/{self.credential.id}", data=data,
                      headers=headers)
        self.drain()
        sent = [r.json for r in self.sim.requests if r.json and "query" in r.json]
        operations = set()
        for number, request in enumerate(sent):
            with self.subTest(request=number, query=request["query"][:60]):
                self.assertEqual(document_errors(
                    self.schema, request["query"], request.get("variables")), [])
            operation = parse(request["query"]).definitions[0]
            operations.add(operation.selection_set.selections[0].name.value)
        self.assertLessEqual({
            "shop", "orders", "order", "bulkOperationRunQuery", "node", "webhookSubscriptions",
            "webhookSubscriptionCreate", "productSet", "metafieldsSet", "collectionByHandle",
            "collectionCreate", "inventorySetQuantities", "nodes", "fulfillmentCreate"},
            operations)

    def test_a_renamed_field_fails_the_check(self):
        """The check is real: a field or input Shopify does not have is refused."""
        self.assertTrue(document_errors(self.schema, "query { shop { shopName } }", {}))
        self.assertTrue(document_errors(self.schema, queries.INVENTORY_SET, {"input": {
            "name": "available", "reason": "correction", "quantities": [{
                "inventoryItemId": "gid://shopify/InventoryItem/1",
                "locationId": "gid://shopify/Location/1", "quantity": 1,
                "changeFromQuantity": 0}]}}), "2025-01 has no changeFromQuantity")

    def test_the_simulator_serves_the_real_names(self):
        self.assertEqual(simulator_drift(self.schema, build_schema(sdl_for(const.API_VERSION))),
                         [])
