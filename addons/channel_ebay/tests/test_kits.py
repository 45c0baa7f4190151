"""channel_base's shared kits on eBay's flows: paged import (getOrders pages), push
idempotency (a listing job and a shipping fulfilment killed after eBay answered), shipment
events (Odoo ships eBay orders), secrets."""

import json

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.shipment_events import Shipment
from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit
from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentEventsKit

from .. import const
from ..client import EbayClient
from .common import CERT_ID, REFRESH_TOKEN, VERIFICATION_TOKEN, EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayOrdersPagedKit(PagedImportKit, EbayAccountMixin, TransactionCase):
    """getOrders: a page is ``limit=200`` orders at ``offset``, oldest modification first."""

    ebay_account_name = "eBay paged kit"
    paged_kit_stream = const.ORDERS_STREAM
    paged_kit_page_size = 10  # the account's Orders per Page (200 by default)
    paged_kit_items = 25

    @classmethod
    def _ebay_account_values(cls):
        # the overlap is tested in test_orders: here a second run must find nothing
        return {"ebay_orders_page_size": 10, "ebay_orders_overlap_minutes": 0}

    def _paged_kit_reset(self):
        self.sim.reset()
        self.credential._invalidate_access_token()

    def _paged_kit_seed(self, count):
        self.sim.seed_orders(count, "EBAY-PAD")

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_page(page, status=503, times=times)

    def _paged_kit_imported_keys(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)]).mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        return self.sim.order_page_reads()

    def _paged_kit_cursor_after(self, items):
        """Mid-run: the run's window at offset ``items``; at the end: the next run
        starts where this run's window ended."""
        window = self.sim.order_reads()[-1].query["filter"].split("[", 1)[1].rstrip("]")
        since, until = window.split("..")
        if items >= self.paged_kit_items:
            return json.dumps({"since": until})
        return json.dumps({"offset": items, "since": since, "until": until}, sort_keys=True)


@tagged("post_install", "-at_install")
class TestEbayListingPushKit(PushIdempotencyKit, EbayAccountMixin, TransactionCase):
    """A listing job killed after eBay created the offer: the retry adopts that offer
    (bulkCreateOffer answers 25002, getOffers finds it) instead of making a second one."""

    ebay_account_name = "eBay push kit"

    def _push_kit_job(self):
        self.product.product_tmpl_id.write({"ebay_image_urls": "https://img.example/a.jpg",
                                            "ebay_category_id": "33564"})
        return self.credential._ebay_queue_listings(self.product)

    def _push_kit_remote_copies(self, job):
        return len([o for o in self.sim.offers.values() if o["sku"] == "EBAY-PAD"])


@tagged("post_install", "-at_install")
class TestEbayShipmentPushKit(PushIdempotencyKit, EbayAccountMixin, TransactionCase):
    """A fulfilment posted, the worker dead before our commit: the retry finds eBay's
    fulfilment with that tracking number and adopts it."""

    ebay_account_name = "eBay shipment push kit"

    @classmethod
    def _ebay_account_values(cls):
        return {"ebay_fulfil_in_odoo": True}

    def _push_kit_job(self):
        carrier = self.env["delivery.carrier"].create({
            "name": "USPS (kit)", "product_id": self.env["product.product"].create(
                {"name": "USPS shipping", "type": "service"}).id})
        self.env["channel.carrier.map"].create({
            "platform": "ebay", "credential_id": self.credential.id, "carrier_id": carrier.id,
            "carrier_code": "USPS"})
        self.order = self.add_order()
        self.credential._channel_stream("orders").action_run_now()
        self.drain()
        picking = self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)]).picking_ids
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("9400KIT",), carrier=carrier)])
        return self.env["sync.job"].search([("operation", "=", const.OP_PUSH_SHIPMENT),
                                            ("res_id", "=", picking.id)])

    def _push_kit_remote_copies(self, job):
        return len(self.sim.fulfillments.get(self.order["orderId"], []))


@tagged("post_install", "-at_install")
class TestEbayShipmentEventsKit(ShipmentEventsKit, EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay shipment kit"

    @classmethod
    def _ebay_account_values(cls):
        return {"ebay_fulfil_in_odoo": True}

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_ready_picking(self, lines):
        return self._shipment_kit_sale_picking(self.credential, lines)

    def _shipment_kit_reports(self, pickings):
        jobs = self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id), ("operation", "=", const.OP_PUSH_SHIPMENT),
            ("res_model", "=", "stock.picking"), ("res_id", "in", pickings.ids)], order="id")
        return [{"kind": job.payload["event"], "picking": job.res_id,
                 "tracking": job.payload["tracking"], "numbers": job.payload["numbers"] or None,
                 "shipped": {int(key): value for key, value in job.payload["shipped"].items()},
                 "dispatch": job.payload["dispatch"]} for job in jobs]


@tagged("post_install", "-at_install")
class TestEbaySecretsKit(SecretsKit, EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay secrets kit"

    def _secrets_kit_platform_secrets(self):
        return [*self.sim.issued_secrets, REFRESH_TOKEN, CERT_ID, VERIFICATION_TOKEN]

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.sim.seed_orders(2, "EBAY-PAD")
        self.credential._channel_stream("orders").action_run_now()
        self.drain()
        self.sim.add_trading_item("110000000001", "EBAY-PAD")
        self.product.product_tmpl_id.write({"ebay_item_id": "110000000001",
                                            "ebay_image_urls": "https://img.example/a.jpg",
                                            "ebay_category_id": "33564"})
        self.credential._ebay_queue_listings(self.product)
        self.drain()  # Trading call with the IAF token header
        self.sim.expire_tokens()
        self.credential._enqueue_job(const.OP_READ_RATE_LIMITS, payload={})
        self.drain()
        self.sim.revoke_refresh_tokens()
        self.credential._invalidate_access_token()
        with self.assertRaises(AuthError) as caught:
            EbayClient(self.credential).call("GET", const.INVENTORY + "/location")
        self.credential._mark_reconnect_needed(caught.exception.message)
