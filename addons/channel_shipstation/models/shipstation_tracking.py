"""ShipStation tracking and batch events: a label's delivery status (in transit, delivered,
exception) on its transfer, and the batches ShipStation reports processed."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import mapping


class ShipStationTracking(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shipstation_process_tracking(self, payload):
        """Apply a tracking event to the live label of this account with its tracking
        number. The delivery is authenticated (URL token, signature when present) and only
        ever changes the status of one of this account's own labels: it moves no stock.
        An event older than the status already recorded (a late retry) changes nothing. A
        tracking number no label of this account has (another store's label, or a label
        whose SHIP_NOTIFY is not processed yet) is ignored: the next event carries the
        whole status again, and the stored event can be replayed."""
        self.ensure_one()
        try:
            update = mapping.tracking_update(payload)
        except ValueError as error:
            raise PermanentError(self.env._("ShipStation tracking event unusable: %s",
                                            error)) from None
        shipment = self.env["shipstation.shipment"].search([
            ("credential_id", "=", self.id), ("tracking_number", "=", update.tracking_number),
            ("state", "!=", "voided"), ("picking_id", "!=", False)], order="id desc", limit=1)
        result = {"tracking_number": update.tracking_number, "status": update.status}
        if not shipment:
            return dict(result, ignored=1, reason=self.env._(
                "No label of this account has tracking number %s.", update.tracking_number))
        if (update.occurred_at and shipment.delivery_status_at
                and update.occurred_at < shipment.delivery_status_at):
            return dict(result, ignored=1, reason=self.env._("Older than the recorded status."))
        if (shipment.delivery_status, shipment.delivery_status_at) == (
                update.status, update.occurred_at or shipment.delivery_status_at):
            return dict(result, skipped=1)
        shipment._shipstation_set_delivery_status(update)
        return dict(result, updated=1, records={"stock.picking": shipment.picking_id.ids})

    def _shipstation_process_batch(self, payload):
        """Recorded only: the event names a batch of labels; the labels themselves reach
        Odoo as shipments (SHIP_NOTIFY or the poll). The batch id is the event's delivery
        id and this job's result."""
        batch = mapping.batch_reference(payload)
        if not batch:
            raise PermanentError(self.env._(
                "ShipStation BATCH_PROCESSED_V2 event names no batch (resource_url missing)."))
        return self.env._("ShipStation batch %(batch)s processed (%(url)s).", batch=batch,
                          url=payload.get("resource_url"))
