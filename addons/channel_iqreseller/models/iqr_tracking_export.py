"""IQ Reseller tracking export: the job that pushes a sale order's tracking back."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from ..client import IQResellerClient


class IQResellerTrackingExport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqr_push_tracking(self, job):
        order = job._target()
        if not order or order._name != "sale.order":
            raise PermanentError(
                self.env._("The sales order of this tracking job no longer exists.")
            )
        client = IQResellerClient(self)
        with client.session_scope():
            return order._iqr_push_tracking(self, client)
