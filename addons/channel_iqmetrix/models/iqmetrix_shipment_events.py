"""What iQmetrix hears of its orders' deliveries: channel_base's shipment events, each
queueing the order's status push (the push recomputes the live state and numbers)."""

from odoo import models

from .. import const


class IqmetrixShipmentEvents(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqmetrix_push_orders_of(self, pickings):
        orders = pickings.sale_id.filtered(lambda order: order.channel_credential_id == self)
        return orders._iqmetrix_enqueue_status_push()

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        return self._iqmetrix_push_orders_of(pickings)

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._iqmetrix_push_orders_of(pickings)

    def _on_tracking_removed(self, pickings, old_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_removed(pickings, old_refs)
        return self._iqmetrix_push_orders_of(pickings)

    def _on_backorders_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_backorders_cancelled(pickings)
        return self._iqmetrix_push_orders_of(pickings)

    def _on_pickings_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_cancelled(pickings)
        return self._iqmetrix_push_orders_of(pickings)
