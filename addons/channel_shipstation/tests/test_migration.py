"""The 18.0.1.1.0 migration moves ShipStation's own carrier map and unmatched shipments
onto the shared carrier map and inbox."""

import json

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.common import load_migration_script


def load_migration():
    return load_migration_script(__file__, "18.0.1.1.0")


@tagged("post_install", "-at_install")
class TestMigration(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_migration()
        cls.credential = cls.env["integration.credential"].create({
            "name": "ShipStation migrated", "platform": "shipstation",
            "api_base_url": "http://127.0.0.1:9"})
        product = cls.env["product.product"].create({"name": "UPS", "type": "service"})
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS Ground", "product_id": product.id, "delivery_type": "fixed"})

    def old_service_map(self, rows):
        self.env.cr.execute("""
            CREATE TABLE shipstation_service_map (
                id serial PRIMARY KEY, credential_id int, carrier_code varchar,
                service_code varchar, delivery_carrier_id int, create_uid int,
                create_date timestamp, write_uid int, write_date timestamp)""")
        for carrier_code, service_code in rows:
            self.env.cr.execute(
                "INSERT INTO shipstation_service_map (credential_id, carrier_code, service_code,"
                " delivery_carrier_id) VALUES (%s, %s, %s, %s)",
                (self.credential.id, carrier_code, service_code, self.ups.id))

    def test_service_map_rows_become_carrier_map_rows_once(self):
        self.old_service_map([("ups", "ups_ground"), ("ups", None)])
        self.assertEqual(self.migration.move_service_maps(self.env.cr), 2)
        self.assertEqual(self.migration.move_service_maps(self.env.cr), 0, "run twice: once")
        CarrierMap = self.env["channel.carrier.map"]
        self.assertEqual(CarrierMap._odoo_carrier(self.credential, "ups", "ups_ground"), self.ups)
        self.assertEqual(CarrierMap._odoo_carrier(self.credential, "ups", "ups_2nd_day"),
                         self.ups, "the carrier-only row matches any service")
        row = CarrierMap._platform_codes(self.credential, self.ups)
        self.assertEqual(row.company_id, self.credential.company_id)

    def test_without_the_old_table_nothing_happens(self):
        self.assertEqual(self.migration.move_service_maps(self.env.cr), 0)

    def test_unmatched_shipment_events_move_to_the_inbox(self):
        shipment = {"shipmentId": 777, "orderKey": "elsewhere", "trackingNumber": "1ZOLD"}
        Event = self.env["channel.webhook.event"]
        failed = Event._store_delivery(
            self.credential, "shipment:777", "SHIPSTATION_SHIPMENT", {},
            json.dumps({"resource_type": "SHIPSTATION_SHIPMENT", "shipment": shipment}),
            state="failed", error="No transfer for ShipStation shipment 777")
        self.assertTrue(failed)
        items = self.migration.move_unmatched_events(self.env)
        self.assertEqual(items.mapped("external_id"), ["777"])
        self.assertEqual((items.stream, items.state), ("shipments", "failed"))
        self.assertEqual(items._payload(), shipment)
        self.assertIn("No transfer", items.error)
        self.assertFalse(Event.search([("delivery_id", "=", "shipment:777")]))
