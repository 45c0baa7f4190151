from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentEventsKit

from .common import ExampleAccountMixin

OPERATIONS = ("example.push_shipment", "example.push_tracking", "example.push_cancel")


def example_report(job):
    """The kit's report of one queued example job."""
    payload = job.payload
    if job.operation == "example.push_shipment":
        kind = "done"
    elif job.operation == "example.push_tracking":
        kind = "tracking_added" if "added" in payload else "tracking_removed"
    else:
        kind = "backorder_cancelled" if payload.get("backorder_of") else "cancelled"
    return {
        "kind": kind, "picking": job.res_id, "tracking": payload["tracking"],
        "numbers": payload.get("added") or payload.get("removed"),
        "shipped": {int(product_id): quantity
                    for product_id, quantity in payload["shipped"].items()},
        "dispatch": payload["dispatch"],
    }


@tagged("post_install", "-at_install")
class TestExampleShipmentEventsKit(ShipmentEventsKit, ExampleAccountMixin, TransactionCase):
    """The example platform is the sales channel of the orders its deliveries ship."""

    example_account_name = "Example shipment kit"

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_ready_picking(self, lines):
        return self._shipment_kit_sale_picking(self.credential, lines)

    def _shipment_kit_reports(self, pickings):
        jobs = self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id), ("operation", "in", OPERATIONS),
            ("res_model", "=", "stock.picking"), ("res_id", "in", pickings.ids)], order="id")
        return [example_report(job) for job in jobs]
