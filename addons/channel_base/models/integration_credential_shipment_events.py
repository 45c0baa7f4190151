from odoo import models


class IntegrationCredential(models.Model):
    """Shipment events of outgoing transfers (docs/shipment_events.md).

    ``stock.picking`` calls each hook once per change and per credential concerned (the
    sale order's channel, the transfer's fulfilment platform), after the change is
    written and in its transaction, as superuser, with the recordset of this credential's
    transfers. A platform overrides the hooks it needs behind a guard on
    ``self.platform`` and queues its pushes (``_enqueue_job``): a job queued here rolls
    back with the change. The defaults do nothing."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _on_pickings_done(self, pickings, backorders):
        """``pickings`` were validated (their tracking, if any, is already on them: no
        tracking event follows for it). ``backorders``: the transfers created by this
        validation for what was not shipped (``backorder.backorder_id`` is the origin)."""

    def _on_tracking_added(self, pickings, new_refs):
        """Tracking numbers were added to done ``pickings``: ``new_refs`` is
        {picking id: [new numbers]}; ``carrier_tracking_ref`` has all of them."""

    def _on_tracking_removed(self, pickings, old_refs):
        """Tracking numbers left done ``pickings`` (label voided, cleared or replaced):
        ``old_refs`` is {picking id: [removed numbers]}. A replacement fires
        ``_on_tracking_added`` right after, for the same write."""

    def _on_backorders_cancelled(self, pickings):
        """Backorders (``picking.backorder_id`` set) were cancelled: their goods will not
        ship."""

    def _on_pickings_cancelled(self, pickings):
        """Transfers that are not backorders were cancelled."""
