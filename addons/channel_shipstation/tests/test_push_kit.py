from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from .common import ShipStationTestMixin


@tagged("post_install", "-at_install")
class TestShipStationPushKit(PushIdempotencyKit, ShipStationTestMixin, TransactionCase):
    """Transfers go out through /orders/createorders, an upsert keyed by our orderKey."""

    def _push_kit_job(self):
        self.kit_picking = self.picking_of(self.make_sale())
        return self.kit_picking.shipstation_export_job_id

    def _push_kit_remote_copies(self, job):
        number = self.kit_picking.sale_id.name
        return sum(1 for order in self.sim.orders.values() if order["orderNumber"] == number)
