"""The shared kits of channel_base run on ShipStation: secrets, the paged shipments
stream, and the webhook intake (V1 SHIP_NOTIFY with the URL token, V2 signed deliveries).

The paged and webhook kits use labels of orders another channel created in the account's
store (ShipStation holds them, Odoo does not): the import parks each in the inbox (stream
"shipments"), once, so the inbox holds what was imported and how often it was processed.
"""

import json
import time

from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.paged_import import PagedImport
from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit
from odoo.addons.channel_base.tests.webhook_kit import WebhookKit

from ..client import ShipStationClient
from ..const import SHIPMENTS_STREAM
from .common import V2_API_KEY, ShipStationTestMixin

STORE_ID = 4242


class ForeignLabelsMixin(ShipStationTestMixin):
    credential_values = {"shipstation_store_id": str(STORE_ID)}

    def foreign_labels(self, prefix, count):
        """``count`` labels of orders Odoo does not know, in the account's store."""
        labels = []
        for index in range(count):
            key = f"{prefix}-{index}"
            self.sim.add_order({
                "orderNumber": key.upper(), "orderKey": key, "orderDate": "2024-05-01T10:00:00",
                "orderStatus": "awaiting_shipment", "billTo": {"name": "B"},
                "shipTo": {"name": "B"}, "advancedOptions": {"storeId": STORE_ID},
                "items": [{"name": "Thing", "sku": "THING", "quantity": 1}]})
            labels += self.sim.ship_order(key, tracking_number=f"1Z{key}")
        return labels

    def parked(self):
        return self.env["channel.inbox.item"].search([
            ("credential_id", "=", self.credential.id), ("stream", "=", SHIPMENTS_STREAM)])


@tagged("post_install", "-at_install")
class TestShipStationSecretsKit(SecretsKit, ShipStationTestMixin, TransactionCase):
    credential_values = {"shipstation_v2_api_key": V2_API_KEY}

    def _secrets_kit_platform_secrets(self):
        return []  # Basic auth and an api-key header: no token is handed out

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.credential._test_connection()  # V1 ping and a V2 call
        picking = self.picking_of(self.make_sale())
        self.run_jobs()  # the order export
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZSECRET")
        self.credential.action_shipstation_poll_now()
        self.run_jobs()  # the shipments streams
        self.assertEqual(picking.state, "done")
        self.credential.sudo().shipstation_api_secret = "a-wrong-secret-8d1e"
        with self.assertRaises(AuthError) as refused:
            ShipStationClient(self.credential).ping()
        self.credential._mark_reconnect_needed(refused.exception.message)


@tagged("post_install", "-at_install")
class TestShipStationPagedImportKit(PagedImportKit, ForeignLabelsMixin, TransactionCase):
    """The shipments stream: V1 page numbers; the cursor keeps the run's window."""

    paged_kit_stream = SHIPMENTS_STREAM
    paged_kit_page_size = 50
    # Labels made an hour ago: a second run's window (its start minus the 30-minute
    # overlap) no longer lists them, as in production once the overlap has passed.
    sim_options = {"clock": lambda: time.time() - 3600}
    credential_values = dict(ForeignLabelsMixin.credential_values,
                             shipstation_page_size=paged_kit_page_size)

    def _paged_kit_seed(self, count):
        self.foreign_labels("kit", count)

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_shipments_page(page, times=times)

    def _paged_kit_imported_keys(self):
        return self.parked().mapped("external_id")

    def _paged_kit_page_fetches(self):
        return self.sim.shipments_page_fetches()

    def _paged_kit_cursor_after(self, items):
        """The window of the run in progress, at the page after ``items``; after the last
        page only where the next run starts."""
        stored = PagedImport.load_cursor(self._paged_kit_cursor())
        if items >= self.paged_kit_items:
            return PagedImport.dump_cursor({"until": stored["until"]})
        return PagedImport.dump_cursor(dict(stored, page=items // self.paged_kit_page_size + 1))

    def test_the_parked_labels_keep_their_payload_and_attempts(self):
        (label,) = self.foreign_labels("one", 1)
        self._paged_kit_start()
        self._paged_kit_drain()
        self.credential.shipstation_poll_overlap_minutes = 120
        self._paged_kit_start()  # a wider overlap lists it again
        self._paged_kit_drain()
        item = self.parked()
        self.assertEqual(item.external_id, str(label["shipmentId"]))
        self.assertEqual(item._payload()["trackingNumber"], "1Zone-0")
        self.assertEqual(item.attempts, 2, "the same open item, not a twin")


class ShipStationWebhookKitMixin(ForeignLabelsMixin):
    def setUp(self):
        super().setUp()
        self.kit_bodies = {}

    def kit_label(self, event_id):
        return self.foreign_labels(event_id, 1)[0]

    def _webhook_kit_processed_count(self, event_id):
        label = self.kit_bodies.get(event_id, (None, None))[1]
        items = self.parked().filtered(
            lambda item: label and item.external_id == str(label["shipmentId"]))
        return sum(items.mapped("attempts"))

    def _webhook_kit_forge(self, body):
        headers, _query = self._webhook_kit_authenticate(body)
        return headers, {"token": "forged-token-0000"}

    def _webhook_kit_malformed_body(self):
        return b'{"resource_url": "http://127.0.0.1/shipments?batchId=1", "resource_'


@tagged("post_install", "-at_install")
class TestShipStationV1WebhookKit(ShipStationWebhookKitMixin, WebhookKit, HttpCase):
    """SHIP_NOTIFY: unsigned, the URL token authenticates; the body names a batch the
    job reads back from the account's own API host."""

    def _webhook_kit_event_body(self, event_id):
        if event_id not in self.kit_bodies:
            label = self.kit_label(event_id)
            self.kit_bodies[event_id] = (self.sim.ship_notify_body([label["shipmentId"]]),
                                         label)
        return self.kit_bodies[event_id][0]

    def _webhook_kit_delivery_id(self, event_id):
        self._webhook_kit_event_body(event_id)
        return "v1:" + json.loads(self.kit_bodies[event_id][0])["resource_url"]

    def _webhook_kit_authenticate(self, body):
        return ({"Content-Type": "application/json"},
                {"token": self.credential.sudo().webhook_secret})


@tagged("post_install", "-at_install")
class TestShipStationV2WebhookKit(ShipStationWebhookKitMixin, WebhookKit, HttpCase):
    """fulfillment_shipped_v2: RSA-signed over the timestamp and the body, plus the URL
    token (ShipEngine signs every customer's deliveries with the same keys)."""

    def _webhook_kit_event_body(self, event_id):
        if event_id not in self.kit_bodies:
            label = self.kit_label(event_id)
            body = json.dumps({
                "resource_type": "FULFILLMENT_SHIPPED_V2",
                "data": {"shipment_id": f"se-{label['shipmentId']}",
                         "order_number": label["orderNumber"],
                         "tracking_number": label["trackingNumber"]}}).encode()
            self.kit_bodies[event_id] = (body, label)
        return self.kit_bodies[event_id][0]

    def _webhook_kit_delivery_id(self, event_id):
        self._webhook_kit_event_body(event_id)
        return f"v2:FULFILLMENT_SHIPPED_V2:se-{self.kit_bodies[event_id][1]['shipmentId']}"

    def _webhook_kit_authenticate(self, body):
        return (dict({"Content-Type": "application/json"}, **self.sim.sign_v2(body)),
                {"token": self.credential.sudo().webhook_secret})

    def _webhook_kit_unauthenticated(self, body):
        return {"Content-Type": "application/json"}, {}

    def _webhook_kit_signs_body(self):
        return True
