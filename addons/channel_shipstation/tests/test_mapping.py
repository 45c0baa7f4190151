import json
from datetime import date, datetime, timedelta

from odoo.tests import TransactionCase, tagged

from tests.simulators.shipstation import ShipStationSimulator

from odoo.addons.channel_base.verification import FollowedUrlRefused

from .. import mapping, signature


def order_values(**overrides):
    values = {
        "order_key": "odoo-abcd1234-7", "order_number": "IQR-12345",
        "order_date": datetime(2024, 1, 15, 18, 0), "status": "awaiting_shipment",
        "customer_email": "john@example.com",
        "bill_to": {"name": "John Doe", "street": "123 Main St", "city": "Austin",
                    "state_code": "TX", "zip": "78701", "country_code": "US"},
        "ship_to": {"name": "John Doe", "street": "123 Main St", "city": "Austin",
                    "state_code": "TX", "zip": "78701", "country_code": "US"},
        "lines": [{"line_item_key": "41", "sku": "WIDGET-001", "name": "Premium Widget",
                   "quantity": 2.0, "unit_price": 29.99, "unit_weight": 8.0}],
        "total_weight": 16.0, "weight_units": "ounces", "store_id": "77",
    }
    values.update(overrides)
    return values


@tagged("post_install", "-at_install")
class TestMapping(TransactionCase):
    def test_order_payload(self):
        payload = mapping.order_payload(order_values())
        self.assertEqual(payload["orderNumber"], "IQR-12345")
        self.assertEqual(payload["orderKey"], "odoo-abcd1234-7")
        self.assertEqual(payload["orderDate"], "2024-01-15 10:00:00", "Pacific wall clock")
        self.assertEqual(payload["shipTo"]["street1"], "123 Main St")
        self.assertEqual(payload["items"][0], {
            "lineItemKey": "41", "sku": "WIDGET-001", "name": "Premium Widget",
            "quantity": 2, "unitPrice": 29.99, "weight": {"value": 8.0, "units": "ounces"},
            "warehouseLocation": None})
        self.assertEqual(payload["advancedOptions"]["storeId"], 77)
        self.assertNotIn("orderId", payload, "never sent on create")
        self.assertEqual(mapping.order_payload(order_values(order_id="991"))["orderId"], 991)

    def test_fractional_quantity_is_refused(self):
        lines = [dict(order_values()["lines"][0], quantity=1.5)]
        with self.assertRaisesRegex(ValueError, "not a whole number"):
            mapping.order_payload(order_values(lines=lines))

    def test_pacific_text_across_dst(self):
        self.assertEqual(mapping.to_pacific_text(datetime(2024, 3, 10, 9, 59)),
                         "2024-03-10 01:59:00")
        self.assertEqual(mapping.to_pacific_text(datetime(2024, 3, 10, 10, 0)),
                         "2024-03-10 03:00:00")
        self.assertEqual(mapping.parse_pacific("2024-03-10T03:00:00.0000000"),
                         datetime(2024, 3, 10, 10, 0))
        self.assertEqual(mapping.parse_pacific("2024-07-01T12:00:00.0000000"),
                         datetime(2024, 7, 1, 19, 0))
        self.assertEqual(mapping.parse_pacific("2024-12-01T12:00:00.0000000"),
                         datetime(2024, 12, 1, 20, 0))

    def test_ship_dates(self):
        self.assertEqual(mapping.parse_ship_date("2024-07-03"), date(2024, 7, 3))
        self.assertEqual(mapping.parse_ship_date("2024-07-03T23:30:00.0000000"), date(2024, 7, 3))
        self.assertEqual(mapping.parse_ship_date("2024-07-04T05:00:00Z"), date(2024, 7, 3))

    def test_v1_shipments_and_v2_hints(self):
        v1 = mapping.shipment_from_v1({
            "shipmentId": 5000001, "orderId": 1000001, "orderKey": "k", "orderNumber": "N",
            "trackingNumber": "1Z", "carrierCode": "ups", "serviceCode": "ups_ground",
            "createDate": "2024-03-10T03:05:00.0000000", "shipDate": "2024-03-10",
            "voided": False, "shipmentItems": [{"lineItemKey": "41", "sku": "W", "quantity": 2}]})
        self.assertEqual((v1.shipment_id, v1.order_id), ("5000001", "1000001"))
        self.assertEqual(v1.shipped_at, datetime(2024, 3, 10, 10, 5))
        self.assertEqual(v1.items[0].line_item_key, "41")
        self.assertIsNone(mapping.shipment_from_v1({"shipmentId": 1}).items)
        self.assertIsNone(v1.store_id, "the docs' shipment sample shows no store")
        self.assertEqual(mapping.shipment_from_v1(
            {"shipmentId": 1, "advancedOptions": {"storeId": 4242}}).store_id, 4242)
        self.assertEqual(mapping.shipment_from_v1({"shipmentId": 1, "storeId": "77"}).store_id,
                         77)
        self.assertEqual(mapping.v2_event_order_number(
            {"data": {"order_number": " 38000 ", "tracking_number": "1Z"}}), "38000")
        for payload in ({"data": {"tracking_number": "1Z"}}, {"data": "x"}, {}, None):
            self.assertIsNone(mapping.v2_event_order_number(payload))
        with self.assertRaises(ValueError):
            mapping.shipment_from_v1({"orderKey": "k"})

    def test_with_query(self):
        self.assertEqual(mapping.with_query("http://h/s?batchId=1&page=1", page=2),
                         "http://h/s?batchId=1&page=2")

    def test_signature_verification(self):
        sim = ShipStationSimulator()
        signature.clear_cache()
        fetches = []

        def fetch():
            fetches.append(1)
            return sim.jwks()

        body = json.dumps({"resource_type": "FULFILLMENT_SHIPPED_V2"}).encode()
        now = sim.now()
        signature.verify(body, sim.sign_v2(body), "jwks", fetch, utcnow=now)
        headers = {k.upper(): v for k, v in sim.sign_v2(body).items()}  # any header case
        signature.verify(body, headers, "jwks", fetch, utcnow=now)
        self.assertEqual(len(fetches), 1)
        with self.assertRaisesRegex(signature.SignatureError, "does not match"):
            signature.verify(body + b"x", sim.sign_v2(body), "jwks", fetch, utcnow=now)
        with self.assertRaisesRegex(signature.SignatureError, "away from now"):
            signature.verify(body, sim.sign_v2(body), "jwks", fetch,
                             utcnow=now + timedelta(minutes=5, seconds=5))
        with self.assertRaisesRegex(signature.SignatureError, "incomplete"):
            signature.verify(body, {}, "jwks", fetch, utcnow=now)
        self.assertTrue(signature.has_v2_signature({"X-Shipengine-Rsa-Sha256-Key-Id": "k"}))
        self.assertFalse(signature.has_v2_signature({"Content-Type": "application/json"}))


@tagged("post_install", "-at_install")
class TestFollowedResourceUrls(TransactionCase):
    """SHIP_NOTIFY's resource_url is followed with the account's credentials: only its own
    API host, and on production the numbered ssapiN hosts over https."""

    def account(self, base_url):
        return self.env["integration.credential"].create({
            "name": f"ShipStation {base_url}", "platform": "shipstation",
            "api_base_url": base_url})

    def test_resource_url_hosts(self):
        production = self.account("https://ssapi.shipstation.com")
        url = "https://ssapi6.shipstation.com/shipments?batchId=1"
        self.assertEqual(production._check_followed_url(url), url)
        local = self.account("http://127.0.0.1:8071")
        self.assertTrue(local._check_followed_url("http://127.0.0.1:8071/shipments?batchId=1"))
        for account, url in (
                (production, "https://evil.example.com/shipments"),
                (production, "http://ssapi.shipstation.com/x"),
                (production, "https://ssapi.shipstation.com.evil.io/x"),
                (production, "https://u:p@ssapi.shipstation.com/x"),
                (production, ""),
                (local, "http://127.0.0.1:9999/x"),
                (local, "http://localhost:8071/x"),
                (local, "https://ssapi6.shipstation.com/x")):
            with self.assertRaises(FollowedUrlRefused, msg=url):
                account._check_followed_url(url)
