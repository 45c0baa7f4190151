"""IQ Reseller tracking export: shipment events queue the push of a sale order's
tracking, the job pushes it."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from ..client import IQResellerClient
from ..const import PLATFORM


class IQResellerTrackingExport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ shipment events

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        shipped = pickings.filtered("carrier_tracking_ref")
        return self._iqr_orders_of(shipped)._iqr_enqueue_tracking()

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._iqr_orders_of(pickings)._iqr_enqueue_tracking()

    def _on_tracking_removed(self, pickings, old_refs):
        """A voided label: IQR holds tracking it must lose (the push sends what is left,
        down to empty fields)."""
        if self.platform != PLATFORM:
            return super()._on_tracking_removed(pickings, old_refs)
        orders = self._iqr_orders_of(pickings)
        return orders.filtered("iqr_tracking_numbers")._iqr_enqueue_tracking()

    def _iqr_orders_of(self, pickings):
        """The sale orders of this account that ``pickings`` ship."""
        return pickings.sale_id.filtered(lambda order: order.channel_credential_id == self)

    # ------------------------------------------------------------------ the push job

    def _iqr_push_tracking(self, job):
        order = job._target()
        if not order or order._name != "sale.order":
            raise PermanentError(
                self.env._("The sales order of this tracking job no longer exists.")
            )
        return order._iqr_push_tracking(self, IQResellerClient(self))
